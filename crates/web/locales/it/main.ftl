site-name = Qiaoyi · Servizi per i qingtianesi all'estero
skip-to-content = Vai al contenuto principale
lang-label = Lingua
elder-on = Testo più grande
elder-off = Testo normale
nav-label = Menu principale
nav-home = Pagina iniziale
nav-services = Servizi
nav-guides = Guide
nav-stations = Sportelli all'estero
crumbs-label = Lei si trova qui
footer-text = Qiaoyi è al servizio dei qingtianesi che vivono all'estero: può fare domande, chiedere informazioni e seguire le pratiche senza tornare in Cina.
list-separator = {", "}

home-title = I servizi di Qingtian, ovunque Lei viva
home-lead = Rinnovare il passaporto, avere un certificato o fare una domanda: può farlo dallo sportello all'estero o dal telefono, senza prendere l'aereo per tornare in Cina.
home-categories = Cosa può fare
home-category-count = { $count ->
    [one] 1 servizio
   *[other] { $count } servizi
}
home-reach = La nostra rete
home-figure-items = servizi che può richiedere dall'estero
home-figure-guides = guide per le pratiche di tutti i giorni
home-figure-stations = sportelli di servizio all'estero
home-figure-countries = Paesi con uno sportello
home-how = Come funziona
home-step-find = Trovi il servizio e controlli quali documenti servono.
home-step-station = Faccia domanda online o allo sportello all'estero; se serve, una videochiamata conferma la Sua identità.
home-step-track = Segua la Sua domanda e riceva il risultato allo sportello, tramite corriere o a casa.
home-start = Tutti i servizi
home-find-station = Cerca uno sportello

catalog-title = Servizi
catalog-lead = Tutti i servizi che l'ufficio offre a chi vive all'estero, divisi per categoria.
item-video-short = verifica dell'identità in video
time-limit-days = { $days ->
    [one] 1 giorno lavorativo
   *[other] { $days } giorni lavorativi
}
fee-free = Gratuito
fee-amount = { $amount } yuan (CNY)

item-code = Codice del servizio { $code }
item-fee = Costo
item-time-limit = Tempi
item-video = Verifica dell'identità in video
item-guardian = Per i minori di 18 anni fa domanda il genitore o il tutore
item-delivery = Come lo riceve
item-eligibility = Chi può fare domanda
item-materials = Cosa serve
item-how = Come fare domanda
item-how-prepare = Prepari i documenti elencati sopra; vanno bene anche scansioni o foto chiare.
item-how-submit = Faccia domanda online, oppure chieda allo sportello all'estero di presentarla per Lei.
item-how-video = Prenoti una videochiamata: un funzionario confermerà la Sua identità.
item-how-receive = L'ufficio esamina la domanda entro i tempi previsti e La avvisa quando il risultato è pronto.
item-guides = Guide collegate
answer-yes = Sì
answer-no = No
delivery-window = Ritiro presso l'ufficio a Qingtian
delivery-station = Ritiro allo sportello all'estero
delivery-courier = Corriere internazionale
delivery-home = Consegna a casa (per anziani o persone con disabilità)
material-required = obbligatorio
material-sometimes = solo se La riguarda

guides-title = Guide alle pratiche di tutti i giorni
guides-lead = { $count ->
    [one] 1 guida su previdenza sociale, istruzione, immobili, atti notarili e altro.
   *[other] { $count } guide su previdenza sociale, istruzione, immobili, atti notarili e altro.
}
guides-empty = Non ci sono ancora guide.
pager-label = Pagine
pager-previous = Pagina precedente
pager-next = Pagina successiva
pager-position = Pagina { $page }
guide-in-chinese = Questa guida è scritta in cinese.
guide-who = Chi può fare domanda
guide-where = Dove e come
guide-related = Servizi collegati

topic-exit-entry = Uscita e ingresso in Cina
topic-household = Anagrafe
topic-traffic = Traffico e veicoli
topic-certificates = Certificati
topic-social-security = Previdenza sociale
topic-medical-insurance = Assicurazione sanitaria
topic-education = Istruzione
topic-property = Immobili
topic-notary = Atti notarili
topic-marriage = Matrimonio
topic-tax = Tasse
topic-elderly = Anziani e persone con disabilità
topic-legal-aid = Assistenza legale
topic-other = Altro

stations-title = Sportelli di servizio all'estero
stations-lead = { $count ->
    [one] 1 sportello all'estero inoltra le Sue domande e La aiuta di persona.
   *[other] { $count } sportelli all'estero inoltrano le Sue domande e La aiutano di persona.
}
stations-beijing-now = Ora a Pechino: { $time }
stations-local-now = Ora locale: { $time }
stations-hours = Orari di apertura (ora locale)
stations-languages = Lingue parlate
stations-address = Indirizzo
stations-open = Aperto ora
stations-closed = Chiuso ora

day-mon = Lun
day-tue = Mar
day-wed = Mer
day-thu = Gio
day-fri = Ven
day-sat = Sab
day-sun = Dom

error-not-found-title = Pagina non trovata
error-not-found = Non abbiamo trovato questa pagina. Controlli l'indirizzo oppure ricominci dalla pagina iniziale.
error-invalid-title = C'è un errore nella richiesta
error-invalid = L'indirizzo contiene un valore che non possiamo usare. Torni indietro e riprovi.
error-unavailable-title = Servizio non disponibile
error-unavailable = Il servizio è molto occupato o in manutenzione. Riprovi tra qualche minuto.
error-no-catalogue = L'elenco dei servizi non è ancora stato caricato. Riprovi più tardi.
error-internal-title = Qualcosa non ha funzionato
error-internal = C'è stato un problema da parte nostra. Lo abbiamo registrato; riprovi più tardi.
error-home = Torna alla pagina iniziale

country-IT = Italia
country-ES = Spagna
country-PT = Portogallo
country-FR = Francia
country-NL = Paesi Bassi
country-AT = Austria
country-DE = Germania
country-BE = Belgio
country-HU = Ungheria
country-GR = Grecia
country-CZ = Repubblica Ceca
country-CH = Svizzera
country-GB = Regno Unito
country-RO = Romania
country-RS = Serbia
country-BR = Brasile
country-AR = Argentina
country-US = Stati Uniti
country-AE = Emirati Arabi Uniti
country-ZA = Sudafrica
country-CN = Cina

language-zh = cinese
language-ar = arabo
language-en = inglese
language-cs = ceco
language-de = tedesco
language-el = greco
language-es = spagnolo
language-ca = catalano
language-nl = olandese
language-fr = francese
language-hu = ungherese
language-it = italiano
language-pt = portoghese
language-ro = rumeno
language-sr = serbo

nav-login = Accedi
nav-account = Il mio account
form-error-summary = C'è un problema
login-title = Accedi
login-email = Indirizzo e-mail
login-password = Password
login-submit = Accedi
login-email-missing = Scriva il Suo indirizzo e-mail
login-password-missing = Scriva la Sua password
login-refused = L'indirizzo e-mail o la password non sono corretti. Li controlli e riprovi.
login-locked = { $minutes ->
    [one] Troppi tentativi sbagliati. Il Suo account è bloccato ancora per 1 minuto; Le abbiamo mandato un'e-mail.
   *[other] Troppi tentativi sbagliati. Il Suo account è bloccato ancora per { $minutes } minuti; Le abbiamo mandato un'e-mail.
}
totp-title = Scriva il codice
totp-lead = Apra sul telefono l'app di autenticazione e scriva il codice di 6 cifre che compare per Qiaoyi.
totp-enrol-title = Configuri l'app di autenticazione
totp-enrol-lead = Per accedere, gli account del personale richiedono un secondo passaggio. Inquadri questo codice QR con un'app di autenticazione sul telefono. Poi scriva il codice di 6 cifre che compare.
totp-enrol-manual = Se non riesce a inquadrarlo, scriva nell'app questa chiave:
totp-code = Codice di 6 cifre
totp-submit = Continua
totp-wrong = Il codice non è corretto o è già stato usato. Scriva il codice più recente che compare nell'app.
account-title = Il mio account
account-name = Nome
account-roles = Ruoli
account-sessions = Dove ha effettuato l'accesso
account-session-started = Accesso:
account-session-seen = ultima attività:
account-session-current = questo dispositivo
account-end-others = Esci da tutti gli altri dispositivi
account-sessions-ended = { $count ->
    [one] È stato chiuso 1 accesso su un altro dispositivo.
   *[other] Sono stati chiusi { $count } accessi su altri dispositivi.
}
logout = Esci
role-applicant = Richiedente
role-station = Personale dello sportello
role-officer = Funzionario
role-duty_leader = Responsabile di turno
role-consultant = Consulente
role-care_worker = Operatore di assistenza
role-admin = Amministratore
role-auditor = Revisore
error-forbidden-title = Non ha il permesso
error-forbidden = Il Suo account non ha il permesso di vedere questa pagina. Se pensa che sia un errore, chieda all'amministratore.
error-csrf-title = Invii di nuovo il modulo
error-csrf = Il controllo di sicurezza del modulo non è riuscito. Di solito succede quando la pagina resta aperta a lungo. Torni indietro, ricarichi la pagina e invii di nuovo il modulo.
account-work = Area di lavoro
admin-users-title = Gestione degli account
admin-users-create = Crea un account del personale
admin-users-role = Ruolo
admin-users-scope = Ambito
admin-users-scope-hint = Per il personale dello sportello indichi il codice dello sportello (ad es. IT-ROM); per i funzionari la categoria (ad es. exit-entry); per gli altri ruoli lasci vuoto il campo.
admin-users-submit = Crea l'account
admin-users-created = L'account { $email } è stato creato.
admin-users-password-once = Password dell'account, visibile solo ora. La consegni in modo sicuro alla persona interessata:
admin-users-totp-once = Chiave per l'app di autenticazione, visibile solo ora:
admin-users-email-taken = Esiste già un account con questo indirizzo e-mail. Usi un altro indirizzo.
admin-users-list = { $count ->
    [one] 1 account
   *[other] { $count } account
}
admin-users-second-factor = App di autenticazione configurata
admin-users-created-at = Data di creazione
audit-title = Registro di controllo
audit-actor = Account
audit-action = Azione
audit-subject-type = Tipo di record
audit-subject-id = Record
audit-from = Data di inizio
audit-to = Data di fine
audit-apply = Mostra le voci
audit-bad-date = Scriva una data nel formato 2026-03-15.
audit-count = { $count ->
    [one] 1 voce
   *[other] { $count } voci
}
audit-empty = Nessuna voce corrisponde a questi filtri.
audit-col-time = Ora (Pechino)
audit-col-station = Sportello
audit-col-subject = Record
audit-col-purpose = Finalità
audit-col-outcome = Esito
audit-col-client = Indirizzo IP
login-unconfirmed = Prima confermi il Suo indirizzo e-mail con il codice che Le abbiamo mandato. Nella pagina di conferma può chiedere un nuovo codice.
login-create-account = Non ha ancora un account? Ne crei uno
signup-title = Crea un account
signup-lead = Con un account può fare domanda per i servizi, seguire le Sue domande e vedere chi ha consultato il Suo fascicolo.
signup-password-hint = Almeno 12 caratteri. Alcune parole separate da spazi sono facili da ricordare e difficili da indovinare.
signup-submit = Crea l'account
signup-have-account = Ha già un account? Acceda
signup-email-invalid = Scriva il Suo indirizzo e-mail completo, per esempio nome@example.com
signup-name-invalid = Scriva il Suo nome, al massimo 100 caratteri
password-too-short = Usi almeno 12 caratteri per la Sua password
password-too-long = Usi al massimo 128 caratteri per la Sua password
password-too-common = Questa password è tra le più usate. Ne scelga una che sia solo Sua
confirm-title = Confermi il Suo indirizzo e-mail
confirm-lead = Abbiamo mandato un codice di 6 cifre al Suo indirizzo e-mail. Lo scriva qui entro 30 minuti.
confirm-code = Codice di 6 cifre
confirm-submit = Conferma
confirm-resend = Invia un nuovo codice
confirm-resent = Se questo indirizzo ha un account in attesa di conferma, Le stiamo mandando un nuovo codice.
confirm-wrong = Il codice non è corretto o è scaduto. Controlli l'ultima e-mail che Le abbiamo mandato, oppure chieda un nuovo codice.
identity-title = I miei documenti d'identità
identity-lead = I numeri della Sua carta d'identità cinese e del Suo passaporto sono conservati in forma cifrata. Possono leggerli solo Lei e il personale che si occupa delle Sue pratiche, dopo averne indicato il motivo; ogni consultazione compare nella pagina «Chi ha consultato il mio fascicolo».
identity-resident-id = Numero della carta d'identità cinese
identity-resident-id-hint = 18 caratteri, come sulla Sua carta d'identità; l'ultimo può essere una X.
identity-passport = Numero del passaporto
identity-passport-hint = Come è stampato sul Suo passaporto, per esempio E12345678.
identity-none = Non indicato
identity-submit = Salva
identity-saved = Salvato.
identity-resident-id-invalid = Questo non è un numero valido di carta d'identità cinese. Controlli i 18 caratteri sulla carta: la data di nascita e l'ultimo carattere devono corrispondere.
identity-passport-invalid = Questo non è un numero di passaporto. Comincia con E o G e ha 9 caratteri, per esempio E12345678.
access-log-title = Chi ha consultato il mio fascicolo
access-log-lead = Ogni volta che un'altra persona ha guardato i Suoi dati: quando, con quale ruolo e da quale sportello, che cosa ha visto e perché.
access-log-empty = Nessun altro ha consultato il Suo fascicolo.
access-log-what = Che cosa
access-read_person_file = Ha consultato il Suo fascicolo
access-find_person = Ha cercato e trovato i Suoi dati
access-identity_updated = Ha modificato i Suoi documenti d'identità
people-title = Cerca una persona
people-lead = Cerchi la persona che sta aiutando con l'indirizzo e-mail, il numero della carta d'identità cinese o il numero del passaporto. La ricerca e il motivo vengono registrati e la persona può vederli.
people-query = Indirizzo e-mail, numero della carta d'identità cinese o del passaporto
people-purpose = Motivo
people-purpose-hint = Perché Le serve il fascicolo di questa persona, per esempio «richiesta per telefono sul rinnovo del passaporto».
people-submit = Cerca
people-open = Apri il fascicolo di questa persona
people-none = Nessuna persona corrisponde alla ricerca.
people-purpose-invalid = Scriva il motivo, da 4 a 200 caratteri
people-query-invalid = Scriva un indirizzo e-mail, un numero di carta d'identità cinese o un numero di passaporto
person-title = Fascicolo della persona
person-recorded = Questa consultazione è registrata con il motivo che ha indicato:
recovery-title = I Suoi codici di recupero
recovery-lead = Se perde il telefono, ciascuno di questi codici Le permette di accedere una volta al posto del codice dell'app di autenticazione.
recovery-once = Sono mostrati solo ora. Li stampi o li scriva e li conservi in un luogo sicuro; chiedendo nuovi codici, questi smettono di funzionare.
recovery-done = Li ho conservati
recovery-renew = Ottenga nuovi codici di recupero
totp-recovery-hint = Ha perso il telefono? Inserisca invece uno dei Suoi codici di recupero.
