# Messages Qiaoyi sends, in English. Each notice has a -subject and a -body; the app's tests render
# every notice in every language with its parameters.

confirm-email-subject = Your Qiaoyi confirmation code
confirm-email-body =
    Your confirmation code is { $code }.
    Enter it on the confirmation page within { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }. If you did not create a Qiaoyi account, ignore this message.

account-locked-subject = Your Qiaoyi account is locked for a while
account-locked-body =
    After several wrong passwords your account is locked for { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }. If this was not you, change your password as soon as you can sign in again.

password-changed-subject = Your Qiaoyi password was changed
password-changed-body =
    The password of your Qiaoyi account was just changed, and every other device signed in to it was signed out.
    If this was not you, contact the bureau or your station at once; sign in here: { $link }

password-reset-subject = Set a new Qiaoyi password
password-reset-body =
    Someone asked to set a new password for your Qiaoyi account. Open this link within { $minutes } minutes to choose one; it works once:
    { $link }
    If this was not you, ignore this message: your password stays as it is.

second-factor-reset-subject = Your Qiaoyi authenticator was reset
second-factor-reset-body =
    An administrator reset the authenticator app of your Qiaoyi account, and every device signed in to it was signed out. At your next sign-in you set up a new one: { $link }
    If you did not ask for this, contact the bureau at once.

password-reset-code-subject = Your Qiaoyi code
password-reset-code-body = Your Qiaoyi code to set a new password: { $code }. It works once, for { $minutes } minutes. If you did not ask for it, ignore this message.

case-status-code-subject = Code to see the status of case { $number }
case-status-code-body = Someone who knows the number of case { $number } and the person's birth date asked to see its status without signing in. The code: { $code }. It works once, for { $minutes } minutes, and shows only where the case stands, what comes next and by when. If you did not ask for it, and did not ask anyone to, do not pass it on.

case-submitted-subject = Application { $number } received
case-submitted-body =
    We have received your application { $number } ({ $item }).
    An officer will check it; you will hear from us when it is accepted.
    Follow it here: { $link }

case-accepted-subject = Application { $number } accepted
case-accepted-body =
    Your application { $number } ({ $item }) has been accepted and is being processed.
    Follow it here: { $link }

case-returned-subject = Application { $number }: more documents needed
case-returned-body =
    Your application { $number } ({ $item }) was returned to you: { $reason }
    Add what is missing and submit it again: { $link }

case-approved-subject = Application { $number } approved
case-approved-body =
    Your application { $number } ({ $item }) has been approved.
    Follow it here: { $link }

case-refused-subject = Application { $number } refused
case-refused-body =
    Your application { $number } ({ $item }) was refused: { $reason }
    The case page explains what you can do next: { $link }

case-ready-subject = Application { $number }: ready
case-ready-body =
    The result of your application { $number } ({ $item }) is ready.
    See how you will receive it: { $link }

case-issued-subject = Certificate issued for { $number }
case-issued-body =
    The electronic certificate for your application { $number } ({ $item }) has been issued.
    See it here: { $link }

case-dispatched-subject = Application { $number }: on its way
case-dispatched-body =
    The result of your application { $number } ({ $item }) { $method ->
        [courier] was sent by { $carrier }, tracking number { $tracking }.
        [home] will be brought to your home on { $date }.
        [station] is on its way to your service station.
       *[other] is on its way to you.
    }
    Follow it here: { $link }

case-deadline-moved-subject = Application { $number }: the deadline is now { $to }
case-deadline-moved-body =
    The official holiday calendar for the year has been published, and the time limit of your application { $number } ({ $item }) was counted again: the bureau now decides by { $to } instead of { $from }.
    Follow it here: { $link }

passport-expiring-subject = { $name }'s passport expires on { $date }
passport-expiring-body =
    The passport on file for { $name } expires on { $date }, in less than { $months ->
        [one] one month
       *[other] { $months } months
    }. Many countries require months of validity left for travel and residence permits, so renew it in good time.
    Renew it from abroad: { $link }
    To stop these reminders: { $unsubscribe }

mandate-requested-subject = { $agent } asks to act for you
mandate-requested-body =
    { $agent } asks for a mandate to handle these services for you from { $from } to { $to }: { $items }.
    If you agree, confirm it on your account page: { $link }
    Or give { $agent } this code, and only if you agree: { $code }
    If you do not know this request, ignore this message; nothing can be done for you without your confirmation.

mandate-lapsed-subject = The request from { $agent } to act for you was cancelled
mandate-lapsed-body =
    The confirmation code for { $agent }'s request to act for you was entered wrong too many times, so the request was cancelled. Nothing was done for you under it.
    If you did agree to it, { $agent } can ask again and you can confirm on your account page: { $link }
    If you do not know this request, someone may be trying to act for you: do not share any code, and tell the bureau.

proxy-act-subject = { $agent } acted for you on { $number }
proxy-act-body =
    Under the mandate you gave, { $agent } { $act ->
        [open] opened the application
        [submit] sent the application
        [upload] added a document to the application
        [pay] paid a fee for the application
       *[other] acted on the application
    } { $number } ({ $item }).
    See the application: { $link }
    If you did not expect this, revoke the mandate from your account page.

consultation-opened-subject = We have your question: { $subject }
consultation-opened-body =
    Thank you for your question "{ $subject }". A consultant will answer in the conversation.
    Follow it and reply here (keep this link to yourself; it opens your conversation): { $link }

consultation-reply-subject = { $consultant } answered: { $subject }
consultation-reply-body =
    { $consultant } answered your question "{ $subject }".
    Read the answer and reply: { $link }

consultation-assigned-subject = A question for you: { $subject }
consultation-assigned-body =
    { $person } asked "{ $subject }", and the question is now yours to answer.
    Open the conversation: { $link }

consultation-answer-subject = An answer from { $consultant }
consultation-answer-body =
    { $consultant } answered:
    { $answer }
    Reply here to go on.

green-channel-requested-subject = Green channel requested: { $number }
green-channel-requested-body =
    A green-channel request waits for your decision on case { $number } ({ $item }); grounds: { $ground }.
    Open the board: { $link }
green-channel-escalated-subject = Undecided for { $minutes } minutes: green channel for { $number }
green-channel-escalated-body =
    Nobody has decided the green-channel request on case { $number } ({ $item }) within { $minutes } minutes. Please decide it now.
    Open the board: { $link }
green-channel-approved-subject = Your case { $number } goes through the green channel
green-channel-approved-body =
    Your request was approved: { $item } (case { $number }) will be handled by { $date }.
    Follow your case: { $link }
green-channel-refused-subject = Green channel not granted for { $number }
green-channel-refused-body =
    Your request for the green channel on { $item } (case { $number }) was not granted: { $reason }
    Your case continues within the usual time limit: { $link }

video-booked-subject = Video identity check booked: { $number }
video-booked-body =
    A video identity check for { $item } (case { $number }) is booked for { $local } your time ({ $beijing } in Beijing).
    Join from your case's page a few minutes before: { $link }
    Add it to your calendar: { $calendar }
video-reminder-subject = Tomorrow: video identity check for { $number }
video-reminder-body =
    Your video identity check for { $item } (case { $number }) starts at { $local } your time ({ $beijing } in Beijing). Have your passport at hand.
    Your case: { $link }
    Add it to your calendar: { $calendar }

care-visit-overdue-subject = Care alert: a paired child has not been visited for { $days } days
care-visit-overdue-body =
    A child from { $township } paired with a proxy parent has had no home visit recorded for more than { $days } days. Please arrange a visit soon and record it.
    The child's record: { $link }

care-message-subject = A message from { $parent }
care-message-body =
    { $parent }, a parent abroad of a child you are paired with, has written to you. Sign in to read it on the child's record.
    The child's record: { $link }
care-message-coordinator-subject = A message from { $parent } to a proxy parent
care-message-coordinator-body =
    { $parent }, a parent abroad of a child you paired, has written to the child's proxy parent. Sign in to read it on the child's record.
    The child's record: { $link }

## The WeChat account's own replies, in her account's language when her WeChat is linked.
wechat-welcome = Welcome. Write your question here, and the consultant on duty will answer you here.
wechat-unsupported = Only text, pictures and voice messages can be received here; please write your question.
wechat-too-long = This message cannot be taken: please write text of at most 4,000 characters.
wechat-picture-missing = The picture did not arrive; please send it again.
wechat-picture-refused = This file cannot be taken: please send a photo (JPEG or PNG) of at most { $mb } MB.
wechat-voice-missing = The voice message did not arrive; please send it again, or write your question.
wechat-voice-refused = This voice message cannot be taken; please write your question.
wechat-joined = Received, and added to your consultation { $number }.
wechat-opened = Your question is received (number { $number }); the consultant on duty will answer you here.
wechat-opened-waiting = Your question is received (number { $number }). Nobody is on duty now; a consultant will answer you in about { $hours } hours.
wechat-opened-later = Your question is received (number { $number }); a consultant will answer you here.
