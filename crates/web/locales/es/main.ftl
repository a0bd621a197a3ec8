site-name = Qiaoyi · Servicios para los qingtianeses en el extranjero
skip-to-content = Saltar al contenido principal
lang-label = Idioma
elder-on = Letra más grande
elder-off = Letra normal
nav-label = Menú principal
nav-home = Inicio
nav-services = Servicios
nav-guides = Guías
nav-stations = Puntos de atención
crumbs-label = Usted está aquí
footer-text = Qiaoyi está al servicio de los qingtianeses que viven en el extranjero: puede hacer solicitudes, consultas y seguir sus trámites sin viajar a China.
list-separator = {", "}

home-title = Los servicios de Qingtian, viva donde viva
home-lead = Renovar el pasaporte, pedir un certificado o hacer una consulta: puede hacerlo desde su punto de atención en el extranjero o desde el móvil, sin tener que volar a China.
home-categories = Qué puede hacer
home-category-count = { $count ->
    [one] 1 servicio
   *[other] { $count } servicios
}
home-reach = Nuestra red
home-figure-items = servicios que puede solicitar desde el extranjero
home-figure-guides = guías para los trámites de cada día
home-figure-stations = puntos de atención en el extranjero
home-figure-countries = países con un punto de atención
home-how = Cómo funciona
home-step-find = Busque el servicio y compruebe qué documentos necesita.
home-step-station = Haga la solicitud por internet o en su punto de atención en el extranjero; si hace falta, una videollamada confirma su identidad.
home-step-track = Siga su solicitud y reciba el resultado en el punto de atención, por mensajería o en su casa.
home-start = Ver los servicios
home-find-station = Buscar un punto de atención

catalog-title = Servicios
catalog-lead = Todos los servicios que la oficina ofrece a quienes viven en el extranjero, por categorías.
item-video-short = verificación de identidad por vídeo
time-limit-days = { $days ->
    [one] 1 día hábil
   *[other] { $days } días hábiles
}
fee-free = Gratuito
fee-amount = { $amount } yuan (CNY)

item-code = Código del servicio { $code }
item-fee = Precio
item-time-limit = Plazo
item-video = Verificación de identidad por vídeo
item-guardian = Para menores de 18 años, lo solicita el padre, la madre o el tutor
item-delivery = Cómo lo recibe
item-eligibility = Quién puede solicitarlo
item-materials = Qué necesita
item-how = Cómo solicitarlo
item-how-prepare = Prepare los documentos de la lista de arriba; se aceptan copias escaneadas o fotos claras.
item-how-submit = Haga la solicitud por internet o pida a su punto de atención en el extranjero que la presente por usted.
item-how-video = Pida cita para una videollamada; un funcionario confirmará su identidad.
item-how-receive = La oficina revisa su solicitud dentro del plazo y le avisa cuando el resultado esté listo.
item-guides = Guías relacionadas
answer-yes = Sí
answer-no = No
delivery-window = Recogida en la ventanilla de la oficina en Qingtian
delivery-station = Recogida en su punto de atención en el extranjero
delivery-courier = Mensajería internacional
delivery-home = Entrega en su domicilio (para personas mayores o con discapacidad)
material-required = obligatorio
material-sometimes = solo si es su caso

guides-title = Guías para los trámites de cada día
guides-lead = { $count ->
    [one] 1 guía sobre seguridad social, educación, vivienda, trámites notariales y más.
   *[other] { $count } guías sobre seguridad social, educación, vivienda, trámites notariales y más.
}
guides-empty = Todavía no hay guías.
pager-label = Páginas
pager-previous = Página anterior
pager-next = Página siguiente
pager-position = Página { $page }
guide-in-chinese = Esta guía está escrita en chino.
guide-who = Quién puede solicitarlo
guide-where = Dónde y cómo
guide-related = Servicios relacionados

topic-exit-entry = Salida y entrada de China
topic-household = Registro de domicilio
topic-traffic = Tráfico y vehículos
topic-certificates = Certificados
topic-social-security = Seguridad social
topic-medical-insurance = Seguro médico
topic-education = Educación
topic-property = Vivienda e inmuebles
topic-notary = Trámites notariales
topic-marriage = Matrimonio
topic-tax = Impuestos
topic-elderly = Personas mayores y con discapacidad
topic-legal-aid = Ayuda legal
topic-other = Otros

stations-title = Puntos de atención en el extranjero
stations-lead = { $count ->
    [one] 1 punto de atención en el extranjero envía sus solicitudes y le ayuda en persona.
   *[other] { $count } puntos de atención en el extranjero envían sus solicitudes y le ayudan en persona.
}
stations-beijing-now = Hora en Pekín: { $time }
stations-local-now = Hora local: { $time }
stations-hours = Horario (hora local)
stations-languages = Idiomas
stations-address = Dirección
stations-open = Abierto ahora
stations-closed = Cerrado ahora

day-mon = Lun
day-tue = Mar
day-wed = Mié
day-thu = Jue
day-fri = Vie
day-sat = Sáb
day-sun = Dom

error-not-found-title = Página no encontrada
error-not-found = No hemos encontrado esa página. Compruebe la dirección o vuelva a empezar desde la página de inicio.
error-invalid-title = Hay un error en la solicitud
error-invalid = La dirección contiene un valor que no podemos usar. Vuelva atrás e inténtelo de nuevo.
error-unavailable-title = Servicio no disponible
error-unavailable = El servicio está saturado o en mantenimiento. Inténtelo de nuevo dentro de unos minutos.
error-no-catalogue = La lista de servicios todavía no se ha cargado. Inténtelo más tarde.
error-internal-title = Algo ha fallado
error-internal = Ha habido un problema por nuestra parte. Ya lo hemos registrado; inténtelo más tarde.
error-home = Ir a la página de inicio

country-IT = Italia
country-ES = España
country-PT = Portugal
country-FR = Francia
country-NL = Países Bajos
country-AT = Austria
country-DE = Alemania
country-BE = Bélgica
country-HU = Hungría
country-GR = Grecia
country-CZ = República Checa
country-CH = Suiza
country-GB = Reino Unido
country-RO = Rumanía
country-RS = Serbia
country-BR = Brasil
country-AR = Argentina
country-US = Estados Unidos
country-AE = Emiratos Árabes Unidos
country-ZA = Sudáfrica
country-CN = China

language-zh = chino
language-ar = árabe
language-en = inglés
language-cs = checo
language-de = alemán
language-el = griego
language-es = español
language-ca = catalán
language-nl = neerlandés
language-fr = francés
language-hu = húngaro
language-it = italiano
language-pt = portugués
language-ro = rumano
language-sr = serbio

nav-login = Iniciar sesión
nav-account = Mi cuenta
form-error-summary = Hay un problema
login-title = Iniciar sesión
login-email = Correo electrónico
login-password = Contraseña
login-submit = Iniciar sesión
login-email-missing = Escriba su correo electrónico
login-password-missing = Escriba su contraseña
login-refused = El correo electrónico o la contraseña no son correctos. Compruebe los dos e inténtelo de nuevo.
login-locked = { $minutes ->
    [one] Demasiados intentos fallidos. Su cuenta está bloqueada 1 minuto más; le hemos enviado un correo electrónico.
   *[other] Demasiados intentos fallidos. Su cuenta está bloqueada { $minutes } minutos más; le hemos enviado un correo electrónico.
}
totp-title = Escriba su código
totp-lead = Abra en su móvil la aplicación de autenticación y escriba el código de 6 cifras que aparece para Qiaoyi.
totp-enrol-title = Configure su aplicación de autenticación
totp-enrol-lead = Las cuentas del personal necesitan un segundo paso para iniciar sesión. Escanee este código QR con una aplicación de autenticación en su móvil. Después escriba el código de 6 cifras que aparece.
totp-enrol-manual = Si no puede escanearlo, escriba esta clave en la aplicación:
totp-code = Código de 6 cifras
totp-submit = Continuar
totp-wrong = El código no es correcto o ya se ha usado. Escriba el código más reciente de su aplicación.
account-title = Mi cuenta
account-name = Nombre
account-roles = Funciones
account-sessions = Dónde ha iniciado sesión
account-session-started = Inicio de sesión:
account-session-seen = última actividad:
account-session-current = este dispositivo
account-end-others = Cerrar sesión en todos los demás dispositivos
account-sessions-ended = { $count ->
    [one] Se ha cerrado 1 sesión en otro dispositivo.
   *[other] Se han cerrado { $count } sesiones en otros dispositivos.
}
logout = Cerrar sesión
role-applicant = Solicitante
role-station = Personal del punto de atención
role-officer = Funcionario
role-duty_leader = Responsable de turno
role-consultant = Asesor
role-care_worker = Personal de asistencia
role-admin = Administrador
role-auditor = Auditor
error-forbidden-title = No tiene permiso
error-forbidden = Su cuenta no tiene permiso para ver esta página. Si cree que es un error, consulte con el administrador.
error-csrf-title = Envíe el formulario otra vez
error-csrf = La comprobación de seguridad del formulario ha fallado. Suele pasar cuando la página lleva mucho tiempo abierta. Vuelva atrás, recargue la página y envíe el formulario otra vez.
account-work = Área de trabajo
admin-users-title = Gestión de cuentas
admin-users-create = Crear una cuenta del personal
admin-users-role = Función
admin-users-scope = Ámbito
admin-users-scope-hint = Para el personal del punto de atención, indique el código del punto de atención (p. ej., IT-ROM); para los funcionarios, la categoría (p. ej., exit-entry); para las demás funciones, deje el campo vacío.
admin-users-submit = Crear la cuenta
admin-users-created = Se ha creado la cuenta { $email }.
admin-users-password-once = Contraseña de la cuenta, que solo se muestra ahora. Entréguela de forma segura a la persona interesada:
admin-users-totp-once = Clave para la aplicación de autenticación, que solo se muestra ahora:
admin-users-email-taken = Ya existe una cuenta con este correo electrónico. Utilice otro correo electrónico.
admin-users-list = { $count ->
    [one] 1 cuenta
   *[other] { $count } cuentas
}
admin-users-second-factor = Aplicación de autenticación configurada
admin-users-created-at = Fecha de creación
audit-title = Registro de auditoría
audit-actor = Cuenta
audit-action = Acción
audit-subject-type = Tipo de registro
audit-subject-id = Registro
audit-from = Desde (fecha)
audit-to = Hasta (fecha)
audit-apply = Mostrar entradas
audit-bad-date = Escriba una fecha con el formato 2026-03-15.
audit-count = { $count ->
    [one] 1 entrada
   *[other] { $count } entradas
}
audit-empty = Ninguna entrada coincide con estos filtros.
audit-col-time = Hora (Pekín)
audit-col-station = Punto de atención
audit-col-subject = Registro
audit-col-purpose = Finalidad
audit-col-outcome = Resultado
audit-col-client = Dirección IP
login-unconfirmed = Primero confirme su correo electrónico con el código que le hemos enviado. En la página de confirmación puede pedir un código nuevo.
login-create-account = ¿Todavía no tiene cuenta? Cree una
signup-title = Crear una cuenta
signup-lead = Con una cuenta puede solicitar servicios, seguir sus solicitudes y ver quién ha consultado su expediente.
signup-password-hint = Al menos 12 caracteres. Unas cuantas palabras separadas por espacios son fáciles de recordar y difíciles de adivinar.
signup-submit = Crear la cuenta
signup-have-account = ¿Ya tiene cuenta? Inicie sesión
signup-email-invalid = Escriba su correo electrónico completo, por ejemplo nombre@example.com
signup-name-invalid = Escriba su nombre, con un máximo de 100 caracteres
password-too-short = Use al menos 12 caracteres para su contraseña
password-too-long = Use como máximo 128 caracteres para su contraseña
password-too-common = Esta contraseña es de las más usadas. Elija una que sea solo suya
confirm-title = Confirme su correo electrónico
confirm-lead = Le hemos enviado un código de 6 cifras a su correo electrónico. Escríbalo aquí antes de que pasen 30 minutos.
confirm-code = Código de 6 cifras
confirm-submit = Confirmar
confirm-resend = Enviarme un código nuevo
confirm-resent = Si ese correo electrónico tiene una cuenta pendiente de confirmar, le estamos enviando un código nuevo.
confirm-wrong = El código no es correcto o ha caducado. Revise el último correo que le hemos enviado o pida un código nuevo.
identity-title = Mis documentos de identidad
identity-lead = Los números de su documento de identidad chino y de su pasaporte se guardan cifrados. Solo pueden verlos usted y el personal que lleva sus trámites, después de indicar el motivo; cada consulta aparece en la página «Quién ha consultado mi expediente».
identity-resident-id = Número del documento de identidad chino
identity-resident-id-hint = 18 caracteres, como en su documento de identidad; el último puede ser una X.
identity-passport = Número de pasaporte
identity-passport-hint = Tal como aparece en su pasaporte, por ejemplo E12345678.
identity-none = No indicado
identity-submit = Guardar
identity-saved = Guardado.
identity-resident-id-invalid = Este no es un número válido de documento de identidad chino. Compare los 18 caracteres con su documento: la fecha de nacimiento y el último carácter deben coincidir.
identity-passport-invalid = Este no es un número de pasaporte. Empieza por E o G y tiene 9 caracteres, por ejemplo E12345678.
access-log-title = Quién ha consultado mi expediente
access-log-lead = Cada vez que otra persona ha mirado sus datos: cuándo, con qué función y desde qué punto de atención, qué ha visto y por qué.
access-log-empty = Nadie más ha consultado su expediente.
access-log-what = Qué
access-read_person_file = Ha consultado su expediente
access-find_person = Ha buscado y encontrado sus datos
access-identity_updated = Ha cambiado sus documentos de identidad
people-title = Buscar a una persona
people-lead = Busque a la persona a la que está ayudando por su correo electrónico, su número de documento de identidad chino o su número de pasaporte. Su búsqueda y el motivo quedan registrados, y esa persona puede verlos.
people-query = Correo electrónico, número de documento de identidad chino o de pasaporte
people-purpose = Motivo
people-purpose-hint = Por qué necesita el expediente de esta persona, por ejemplo «consulta por teléfono sobre la renovación del pasaporte».
people-submit = Buscar
people-open = Abrir el expediente de esta persona
people-none = No hay ninguna persona que coincida.
people-purpose-invalid = Indique el motivo, entre 4 y 200 caracteres
people-query-invalid = Escriba un correo electrónico, un número de documento de identidad chino o un número de pasaporte
person-title = Expediente de la persona
person-recorded = Esta consulta queda registrada con el motivo que ha indicado:
recovery-title = Sus códigos de recuperación
recovery-lead = Si pierde el teléfono, cada uno de estos códigos le permite iniciar sesión una vez en lugar del código de la aplicación de autenticación.
recovery-once = Solo se muestran ahora. Imprímalos o anótelos y guárdelos en un lugar seguro; si pide códigos nuevos, estos dejan de funcionar.
recovery-done = Ya los he guardado
recovery-renew = Obtener códigos de recuperación nuevos
totp-recovery-hint = ¿Ha perdido el teléfono? Escriba uno de sus códigos de recuperación.
