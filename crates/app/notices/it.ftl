# Messaggi inviati da Qiaoyi, in italiano (forma di cortesia). Ogni avviso ha -subject e -body.

confirm-email-subject = Il Suo codice di conferma Qiaoyi
confirm-email-body =
    Il Suo codice di conferma è { $code }.
    Lo inserisca nella pagina di conferma entro { $minutes ->
        [one] un minuto
       *[other] { $minutes } minuti
    }. Se non ha creato un account Qiaoyi, ignori questo messaggio.

account-locked-subject = Il Suo account Qiaoyi è bloccato temporaneamente
account-locked-body =
    Dopo diverse password errate il Suo account è bloccato per { $minutes ->
        [one] un minuto
       *[other] { $minutes } minuti
    }. Se non è stato Lei, cambi la password appena potrà accedere di nuovo.

password-changed-subject = La password di Qiaoyi è stata cambiata
password-changed-body =
    La password del Suo account Qiaoyi è appena stata cambiata e tutti gli altri dispositivi collegati sono stati disconnessi.
    Se non è stato Lei, contatti subito l'ufficio o il Suo sportello; per accedere: { $link }

password-reset-subject = Imposti una nuova password di Qiaoyi
password-reset-body =
    È stato chiesto di impostare una nuova password per il Suo account Qiaoyi. Apra questo link entro { $minutes } minuti per sceglierla; funziona una sola volta:
    { $link }
    Se non è stato Lei, ignori questo messaggio: la Sua password resta invariata.

second-factor-reset-subject = L'autenticatore del Suo account Qiaoyi è stato azzerato
second-factor-reset-body =
    Un amministratore ha azzerato l'app di autenticazione del Suo account Qiaoyi, e ogni dispositivo collegato è stato disconnesso. Al prossimo accesso ne configurerà una nuova: { $link }
    Se non l'ha chiesto Lei, contatti subito l'ufficio.

password-reset-code-subject = Il Suo codice Qiaoyi
password-reset-code-body = Il Suo codice Qiaoyi per impostare una nuova password: { $code }. Funziona una sola volta, per { $minutes } minuti. Se non l'ha chiesto Lei, ignori questo messaggio.

case-status-code-subject = Codice per vedere lo stato della pratica { $number }
case-status-code-body = Qualcuno che conosce il numero della pratica { $number } e la data di nascita della persona ha chiesto di vederne lo stato senza accedere. Il codice: { $code }. Vale una volta, per { $minutes } minuti, e mostra solo a che punto è la pratica, il prossimo passo e la scadenza. Se non l'ha chiesto lei né qualcuno per lei, non lo comunichi a nessuno.

case-submitted-subject = Domanda { $number } ricevuta
case-submitted-body =
    Abbiamo ricevuto la Sua domanda { $number } ({ $item }).
    Un funzionario la esaminerà; riceverà un avviso quando sarà accettata.
    La segua qui: { $link }

case-accepted-subject = Domanda { $number } accettata
case-accepted-body =
    La Sua domanda { $number } ({ $item }) è stata accettata ed è in lavorazione.
    La segua qui: { $link }

case-returned-subject = Domanda { $number }: documentazione da integrare
case-returned-body =
    La Sua domanda { $number } ({ $item }) Le è stata restituita: { $reason }
    Aggiunga ciò che manca e la presenti di nuovo: { $link }

case-approved-subject = Domanda { $number } approvata
case-approved-body =
    La Sua domanda { $number } ({ $item }) è stata approvata.
    La segua qui: { $link }

case-refused-subject = Domanda { $number } respinta
case-refused-body =
    La Sua domanda { $number } ({ $item }) è stata respinta: { $reason }
    La pagina della pratica spiega cosa può fare: { $link }

case-ready-subject = Domanda { $number }: pronta
case-ready-body =
    L'esito della Sua domanda { $number } ({ $item }) è pronto.
    Veda come lo riceverà: { $link }

case-issued-subject = Certificato rilasciato per { $number }
case-issued-body =
    Il certificato elettronico della Sua domanda { $number } ({ $item }) è stato rilasciato.
    Lo veda qui: { $link }

case-dispatched-subject = Domanda { $number }: spedita
case-dispatched-body =
    L'esito della Sua domanda { $number } ({ $item }) { $method ->
        [courier] Le è stato spedito con { $carrier }, numero di tracciamento { $tracking }.
        [home] Le sarà portato a casa il { $date }.
        [station] è in viaggio verso il Suo sportello.
       *[other] Le è stato spedito.
    }
    Segua la domanda qui: { $link }

case-deadline-moved-subject = Domanda { $number }: la scadenza è ora il { $to }
case-deadline-moved-body =
    È stato pubblicato il calendario ufficiale delle festività dell'anno e il termine della Sua domanda { $number } ({ $item }) è stato ricalcolato: l'ufficio decide entro il { $to } invece del { $from }.
    Segua la domanda qui: { $link }

passport-expiring-subject = Il passaporto di { $name } scade il { $date }
passport-expiring-body =
    Il passaporto di { $name } in archivio scade il { $date }, tra meno di { $months ->
        [one] un mese
       *[other] { $months } mesi
    }. Molti paesi richiedono mesi di validità residua per viaggi e permessi di soggiorno: lo rinnovi per tempo.
    Lo rinnovi dall'estero: { $link }
    Per non ricevere più questi promemoria: { $unsubscribe }

mandate-requested-subject = { $agent } chiede di agire per Lei
mandate-requested-body =
    { $agent } chiede una delega per svolgere per Lei questi servizi dal { $from } al { $to }: { $items }.
    Se è d'accordo, la confermi dalla pagina del Suo account: { $link }
    Oppure dia a { $agent } questo codice, solo se è d'accordo: { $code }
    Se non conosce questa richiesta, ignori il messaggio: senza la Sua conferma nessuno può agire per Lei.

mandate-lapsed-subject = La richiesta di { $agent } di agire per Lei è stata annullata
mandate-lapsed-body =
    Il codice di conferma della richiesta di { $agent } di agire per Lei è stato inserito sbagliato troppe volte, quindi la richiesta è stata annullata. Nulla è stato fatto per Lei con essa.
    Se era d'accordo, { $agent } può chiedere di nuovo e Lei può confermare dalla pagina del Suo account: { $link }
    Se non conosce questa richiesta, qualcuno potrebbe cercare di agire per Lei: non comunichi alcun codice e avvisi l'ufficio.

proxy-act-subject = { $agent } ha agito per Lei sulla pratica { $number }
proxy-act-body =
    Con la delega che ha dato, { $agent } { $act ->
        [open] ha aperto la domanda
        [submit] ha inviato la domanda
        [upload] ha aggiunto un documento alla domanda
        [pay] ha pagato un diritto per la domanda
       *[other] ha agito sulla domanda
    } { $number } ({ $item }).
    Veda la domanda: { $link }
    Se non se lo aspettava, revochi la delega dalla pagina del Suo account.

consultation-opened-subject = Abbiamo ricevuto la Sua domanda: { $subject }
consultation-opened-body =
    Grazie per la Sua domanda "{ $subject }". Un consulente Le risponderà nella conversazione.
    La segua e risponda qui (non condivida questo link: apre la Sua conversazione): { $link }

consultation-reply-subject = { $consultant } ha risposto: { $subject }
consultation-reply-body =
    { $consultant } ha risposto alla Sua domanda "{ $subject }".
    Legga la risposta e risponda: { $link }

consultation-assigned-subject = Una domanda per Lei: { $subject }
consultation-assigned-body =
    { $person } ha chiesto "{ $subject }" e ora tocca a Lei rispondere.
    Apra la conversazione: { $link }

consultation-answer-subject = La risposta di { $consultant }
consultation-answer-body =
    { $consultant } ha risposto:
    { $answer }
    Risponda qui per continuare.

green-channel-requested-subject = Corsia preferenziale richiesta: { $number }
green-channel-requested-body =
    Una richiesta di corsia preferenziale attende la Sua decisione per la pratica { $number } ({ $item }); motivo: { $ground }.
    Apra il quadro: { $link }
green-channel-escalated-subject = Senza decisione da { $minutes } minuti: corsia preferenziale per { $number }
green-channel-escalated-body =
    Nessuno ha deciso entro { $minutes } minuti la richiesta di corsia preferenziale per la pratica { $number } ({ $item }). La decida ora, per favore.
    Apra il quadro: { $link }
green-channel-approved-subject = La Sua pratica { $number } passa per la corsia preferenziale
green-channel-approved-body =
    La Sua richiesta è stata accolta: { $item } (pratica { $number }) sarà evasa entro il { $date }.
    Segua la Sua pratica: { $link }
green-channel-refused-subject = Corsia preferenziale non concessa per { $number }
green-channel-refused-body =
    La Sua richiesta di corsia preferenziale per { $item } (pratica { $number }) non è stata accolta: { $reason }
    La pratica prosegue nei tempi consueti: { $link }

video-booked-subject = Verifica d'identità in video prenotata: { $number }
video-booked-body =
    La verifica d'identità in video per { $item } (pratica { $number }) è prenotata per le { $local } ora Sua ({ $beijing } a Pechino).
    Si colleghi dalla pagina della pratica qualche minuto prima: { $link }
    Aggiungila al Suo calendario: { $calendar }
video-reminder-subject = Domani: verifica d'identità in video per { $number }
video-reminder-body =
    La Sua verifica d'identità in video per { $item } (pratica { $number }) inizia alle { $local } ora Sua ({ $beijing } a Pechino). Tenga a portata di mano il passaporto.
    La Sua pratica: { $link }
    Aggiungila al Suo calendario: { $calendar }

care-visit-overdue-subject = Avviso di cura: un bambino abbinato non riceve visite da { $days } giorni
care-visit-overdue-body =
    Un bambino di { $township } abbinato a un genitore di riferimento non ha visite domiciliari registrate da più di { $days } giorni. Organizzi presto una visita e la registri.
    La scheda del bambino: { $link }

care-message-subject = Un messaggio da { $parent }
care-message-body =
    { $parent }, genitore all'estero di un bambino a cui Lei è abbinato, Le ha scritto. Acceda per leggerlo nella scheda del bambino.
    La scheda del bambino: { $link }
care-message-coordinator-subject = Un messaggio di { $parent } al genitore affidatario
care-message-coordinator-body =
    { $parent }, genitore all'estero di un bambino che Lei ha abbinato, ha scritto al suo genitore affidatario. Acceda per leggerlo nella scheda del bambino.
    La scheda del bambino: { $link }

## The WeChat account's own replies, in her account's language when her WeChat is linked.
wechat-welcome = Grazie di averci seguito. Scriva qui la Sua domanda: il consulente di turno Le risponderà qui.
wechat-unsupported = Qui si possono ricevere solo testi, immagini e messaggi vocali; scriva la Sua domanda.
wechat-too-long = Questo messaggio non può essere accolto: scriva un testo di al massimo 4.000 caratteri.
wechat-picture-missing = L'immagine non è arrivata; la invii di nuovo.
wechat-picture-refused = Questo file non può essere accolto: invii una foto (JPEG o PNG) di al massimo { $mb } MB.
wechat-voice-missing = Il messaggio vocale non è arrivato; lo invii di nuovo o scriva la Sua domanda.
wechat-voice-refused = Questo messaggio vocale non può essere accolto; scriva la Sua domanda.
wechat-joined = Ricevuto e aggiunto alla Sua consulenza { $number }.
wechat-opened = La Sua domanda è stata ricevuta (numero { $number }); il consulente di turno Le risponderà qui.
wechat-opened-waiting = La Sua domanda è stata ricevuta (numero { $number }). Ora non c'è nessuno di turno; un consulente Le risponderà tra circa { $hours } ore.
wechat-opened-later = La Sua domanda è stata ricevuta (numero { $number }); un consulente Le risponderà qui.
