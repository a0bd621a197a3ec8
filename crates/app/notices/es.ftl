# Mensajes que envía Qiaoyi, en español (trato de usted). Cada aviso tiene -subject y -body.

confirm-email-subject = Su código de confirmación de Qiaoyi
confirm-email-body =
    Su código de confirmación es { $code }.
    Introdúzcalo en la página de confirmación en un plazo de { $minutes ->
        [one] un minuto
       *[other] { $minutes } minutos
    }. Si usted no creó una cuenta de Qiaoyi, ignore este mensaje.

account-locked-subject = Su cuenta de Qiaoyi está bloqueada temporalmente
account-locked-body =
    Tras varios intentos con una contraseña incorrecta su cuenta queda bloqueada durante { $minutes ->
        [one] un minuto
       *[other] { $minutes } minutos
    }. Si no fue usted, cambie su contraseña en cuanto pueda volver a entrar.

password-changed-subject = Se ha cambiado su contraseña de Qiaoyi
password-changed-body =
    Se acaba de cambiar la contraseña de su cuenta de Qiaoyi y se ha cerrado la sesión en todos los demás dispositivos.
    Si no fue usted, póngase en contacto enseguida con la oficina o con su punto de atención; para entrar: { $link }

password-reset-subject = Elija una nueva contraseña de Qiaoyi
password-reset-body =
    Alguien ha pedido una nueva contraseña para su cuenta de Qiaoyi. Abra este enlace en los próximos { $minutes } minutos para elegirla; funciona una sola vez:
    { $link }
    Si no ha sido usted, ignore este mensaje: su contraseña no cambia.

second-factor-reset-subject = Se ha restablecido el autenticador de su cuenta de Qiaoyi
second-factor-reset-body =
    Un administrador ha restablecido la aplicación de autenticación de su cuenta de Qiaoyi, y se ha cerrado la sesión en todos los dispositivos. La próxima vez que inicie sesión configurará una nueva: { $link }
    Si no lo ha pedido usted, póngase en contacto con la oficina de inmediato.

password-reset-code-subject = Su código de Qiaoyi
password-reset-code-body = Su código de Qiaoyi para elegir una nueva contraseña: { $code }. Funciona una sola vez, durante { $minutes } minutos. Si no lo ha pedido usted, ignore este mensaje.

case-status-code-subject = Código para ver el estado del expediente { $number }
case-status-code-body = Alguien que conoce el número del expediente { $number } y la fecha de nacimiento de la persona pidió ver su estado sin iniciar sesión. El código: { $code }. Sirve una vez, durante { $minutes } minutos, y muestra solo en qué punto está el expediente, el paso siguiente y el plazo. Si no lo pidió usted ni nadie por usted, no lo comparta.

case-submitted-subject = Solicitud { $number } recibida
case-submitted-body =
    Hemos recibido su solicitud { $number } ({ $item }).
    Un funcionario la revisará; le avisaremos cuando sea admitida.
    Sígala aquí: { $link }

case-accepted-subject = Solicitud { $number } admitida
case-accepted-body =
    Su solicitud { $number } ({ $item }) ha sido admitida y se está tramitando.
    Sígala aquí: { $link }

case-returned-subject = Solicitud { $number }: faltan documentos
case-returned-body =
    Su solicitud { $number } ({ $item }) le ha sido devuelta: { $reason }
    Añada lo que falta y preséntela de nuevo: { $link }

case-approved-subject = Solicitud { $number } aprobada
case-approved-body =
    Su solicitud { $number } ({ $item }) ha sido aprobada.
    Sígala aquí: { $link }

case-refused-subject = Solicitud { $number } denegada
case-refused-body =
    Su solicitud { $number } ({ $item }) ha sido denegada: { $reason }
    La página del expediente explica lo que puede hacer: { $link }

case-ready-subject = Solicitud { $number }: lista
case-ready-body =
    El resultado de su solicitud { $number } ({ $item }) está listo.
    Vea cómo lo recibirá: { $link }

case-issued-subject = Certificado expedido para { $number }
case-issued-body =
    El certificado electrónico de su solicitud { $number } ({ $item }) ha sido expedido.
    Véalo aquí: { $link }

case-dispatched-subject = Solicitud { $number }: enviada
case-dispatched-body =
    El resultado de su solicitud { $number } ({ $item }) { $method ->
        [courier] le ha sido enviado por { $carrier }, número de seguimiento { $tracking }.
        [home] se le llevará a casa el { $date }.
        [station] va camino de su oficina de servicio.
       *[other] le ha sido enviado.
    }
    Sígala aquí: { $link }

case-deadline-moved-subject = Solicitud { $number }: el plazo es ahora el { $to }
case-deadline-moved-body =
    Se ha publicado el calendario oficial de festivos del año y el plazo de su solicitud { $number } ({ $item }) se ha vuelto a contar: la oficina decide antes del { $to } en lugar del { $from }.
    Sígala aquí: { $link }

passport-expiring-subject = El pasaporte de { $name } caduca el { $date }
passport-expiring-body =
    El pasaporte de { $name } que consta en el expediente caduca el { $date }, en menos de { $months ->
        [one] un mes
       *[other] { $months } meses
    }. Muchos países exigen meses de validez restante para viajes y permisos de residencia: renuévelo con tiempo.
    Renuévelo desde el extranjero: { $link }
    Para dejar de recibir estos recordatorios: { $unsubscribe }

mandate-requested-subject = { $agent } pide actuar en su nombre
mandate-requested-body =
    { $agent } pide un poder para tramitar por usted estos servicios del { $from } al { $to }: { $items }.
    Si está de acuerdo, confírmelo en la página de su cuenta: { $link }
    O dé a { $agent } este código, solo si está de acuerdo: { $code }
    Si no conoce esta solicitud, ignore este mensaje: sin su confirmación nadie puede actuar por usted.

mandate-lapsed-subject = Se canceló la solicitud de { $agent } para actuar en su nombre
mandate-lapsed-body =
    El código de confirmación de la solicitud de { $agent } para actuar en su nombre se introdujo mal demasiadas veces, así que la solicitud se canceló. No se hizo nada por usted con ella.
    Si usted estaba de acuerdo, { $agent } puede pedirlo de nuevo y usted puede confirmarlo en la página de su cuenta: { $link }
    Si no conoce esta solicitud, alguien podría intentar actuar en su nombre: no comparta ningún código y avise a la oficina.

proxy-act-subject = { $agent } actuó por usted en el expediente { $number }
proxy-act-body =
    Con el poder que usted otorgó, { $agent } { $act ->
        [open] abrió la solicitud
        [submit] envió la solicitud
        [upload] añadió un documento a la solicitud
        [pay] pagó una tasa de la solicitud
       *[other] actuó sobre la solicitud
    } { $number } ({ $item }).
    Vea la solicitud: { $link }
    Si no lo esperaba, revoque el poder desde la página de su cuenta.

consultation-opened-subject = Hemos recibido su consulta: { $subject }
consultation-opened-body =
    Gracias por su consulta "{ $subject }". Un asesor le responderá en la conversación.
    Sígala y responda aquí (no comparta este enlace: abre su conversación): { $link }

consultation-reply-subject = { $consultant } ha respondido: { $subject }
consultation-reply-body =
    { $consultant } ha respondido a su consulta "{ $subject }".
    Lea la respuesta y responda: { $link }

consultation-assigned-subject = Una consulta para usted: { $subject }
consultation-assigned-body =
    { $person } preguntó "{ $subject }" y ahora le corresponde a usted responder.
    Abra la conversación: { $link }

consultation-answer-subject = La respuesta de { $consultant }
consultation-answer-body =
    { $consultant } respondió:
    { $answer }
    Responda aquí para continuar.

green-channel-requested-subject = Vía urgente solicitada: { $number }
green-channel-requested-body =
    Una solicitud de vía urgente espera su decisión para la solicitud { $number } ({ $item }); motivo: { $ground }.
    Abra el panel: { $link }
green-channel-escalated-subject = Sin decisión desde hace { $minutes } minutos: vía urgente para { $number }
green-channel-escalated-body =
    Nadie ha decidido en { $minutes } minutos la solicitud de vía urgente de la solicitud { $number } ({ $item }). Decídala ahora, por favor.
    Abra el panel: { $link }
green-channel-approved-subject = Su solicitud { $number } va por la vía urgente
green-channel-approved-body =
    Su petición fue aprobada: { $item } (solicitud { $number }) se resolverá antes del { $date }.
    Siga su solicitud: { $link }
green-channel-refused-subject = Vía urgente no concedida para { $number }
green-channel-refused-body =
    Su petición de vía urgente para { $item } (solicitud { $number }) no fue concedida: { $reason }
    Su solicitud continúa en el plazo habitual: { $link }

video-booked-subject = Verificación de identidad por vídeo reservada: { $number }
video-booked-body =
    La verificación de identidad por vídeo de { $item } (solicitud { $number }) está reservada para las { $local } hora local ({ $beijing } en Pekín).
    Conéctese desde la página de su solicitud unos minutos antes: { $link }
    Añádala a su calendario: { $calendar }
video-reminder-subject = Mañana: verificación de identidad por vídeo de { $number }
video-reminder-body =
    Su verificación de identidad por vídeo de { $item } (solicitud { $number }) empieza a las { $local } hora local ({ $beijing } en Pekín). Tenga el pasaporte a mano.
    Su solicitud: { $link }
    Añádala a su calendario: { $calendar }

care-visit-overdue-subject = Aviso de cuidado: un niño emparejado lleva { $days } días sin visita
care-visit-overdue-body =
    Un niño de { $township } emparejado con un padre de referencia lleva más de { $days } días sin visitas domiciliarias registradas. Organice pronto una visita y regístrela.
    La ficha del niño: { $link }

care-message-subject = Un mensaje de { $parent }
care-message-body =
    { $parent }, madre o padre en el extranjero de un niño con el que usted está emparejado, le ha escrito. Inicie sesión para leerlo en la ficha del niño.
    La ficha del niño: { $link }
care-message-coordinator-subject = Un mensaje de { $parent } al padre o madre de acogida
care-message-coordinator-body =
    { $parent }, madre o padre en el extranjero de un niño que usted emparejó, ha escrito a su padre o madre de acogida. Inicie sesión para leerlo en la ficha del niño.
    La ficha del niño: { $link }

## The WeChat account's own replies, in her account's language when her WeChat is linked.
wechat-welcome = Gracias por seguirnos. Escriba aquí su pregunta y el consultor de turno le responderá aquí.
wechat-unsupported = Aquí solo se reciben textos, imágenes y mensajes de voz; escriba su pregunta.
wechat-too-long = No se puede aceptar este mensaje: escriba un texto de 4.000 caracteres como máximo.
wechat-picture-missing = La imagen no ha llegado; envíela de nuevo.
wechat-picture-refused = No se puede aceptar este archivo: envíe una foto (JPEG o PNG) de { $mb } MB como máximo.
wechat-voice-missing = El mensaje de voz no ha llegado; envíelo de nuevo o escriba su pregunta.
wechat-voice-refused = No se puede aceptar este mensaje de voz; escriba su pregunta.
wechat-joined = Recibido y añadido a su consulta { $number }.
wechat-opened = Hemos recibido su pregunta (número { $number }); el consultor de turno le responderá aquí.
wechat-opened-waiting = Hemos recibido su pregunta (número { $number }). Ahora no hay nadie de turno; un consultor le responderá en unas { $hours } horas.
wechat-opened-later = Hemos recibido su pregunta (número { $number }); un consultor le responderá aquí.
