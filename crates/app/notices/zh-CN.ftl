# 侨驿发送的消息（简体中文）。每条通知有 -subject 和 -body。

confirm-email-subject = 侨驿确认码
confirm-email-body =
    您的确认码是 { $code }。
    请在 { $minutes } 分钟内在确认页面输入。如果您没有注册侨驿账户，请忽略本邮件。

account-locked-subject = 您的侨驿账户已暂时锁定
account-locked-body =
    由于多次输入错误密码，您的账户已锁定 { $minutes } 分钟。如果不是您本人操作，请在能够登录后尽快修改密码。

password-changed-subject = 您的侨驿密码已修改
password-changed-body =
    您的侨驿账户密码刚刚已修改，其他设备上的登录均已退出。
    如果不是您本人操作，请立即联系侨务部门或您的驿站；登录：{ $link }

password-reset-subject = 设置新的侨驿密码
password-reset-body =
    有人申请为您的侨驿账户设置新密码。请在 { $minutes } 分钟内打开以下链接设置新密码，链接只能使用一次：
    { $link }
    如果不是您本人申请，请忽略此邮件，您的密码不会改变。

second-factor-reset-subject = 您的侨驿身份验证器已重置
second-factor-reset-body =
    管理员重置了您侨驿账户的身份验证器应用，已登录的所有设备均已退出。下次登录时请设置新的身份验证器：{ $link }
    如果不是您本人要求的，请立即联系主管部门。

password-reset-code-subject = 侨驿验证码
password-reset-code-body = 您设置侨驿新密码的验证码：{ $code }，只能使用一次，{ $minutes } 分钟内有效。如果不是您本人申请，请忽略此短信。

case-status-code-subject = 查看申请 { $number } 进度的验证码
case-status-code-body = 有人凭申请编号 { $number } 和当事人的出生日期，申请不登录查看该申请的进度。验证码：{ $code }，只能使用一次，{ $minutes } 分钟内有效，只显示申请目前的状态、下一步和办结期限。如果不是您本人或您托付的人申请的，请不要告诉任何人。

case-submitted-subject = 已收到申请 { $number }
case-submitted-body =
    我们已收到您的申请 { $number }（{ $item }）。
    工作人员将进行审核，受理后会通知您。
    查看进度：{ $link }

case-accepted-subject = 申请 { $number } 已受理
case-accepted-body =
    您的申请 { $number }（{ $item }）已受理，正在办理中。
    查看进度：{ $link }

case-returned-subject = 申请 { $number } 需要补充材料
case-returned-body =
    您的申请 { $number }（{ $item }）已退回补正：{ $reason }
    请补充后重新提交：{ $link }

case-approved-subject = 申请 { $number } 已核准
case-approved-body =
    您的申请 { $number }（{ $item }）已核准。
    查看进度：{ $link }

case-refused-subject = 申请 { $number } 未予核准
case-refused-body =
    您的申请 { $number }（{ $item }）未予核准：{ $reason }
    办件页面说明了您接下来可以怎么做：{ $link }

case-ready-subject = 申请 { $number } 办理结果已就绪
case-ready-body =
    您的申请 { $number }（{ $item }）的办理结果已准备好。
    查看领取方式：{ $link }

case-issued-subject = 申请 { $number } 的电子证明已出具
case-issued-body =
    您的申请 { $number }（{ $item }）的电子证明已出具。
    查看：{ $link }

case-dispatched-subject = 申请 { $number } 已寄出
case-dispatched-body =
    您的申请 { $number }（{ $item }）的办理结果{ $method ->
        [courier] 已由 { $carrier } 寄出，运单号 { $tracking }。
        [home] 将于 { $date } 送到您家中。
        [station] 正在送往您的服务驿站。
       *[other] 已寄出。
    }
    查看进度：{ $link }

case-deadline-moved-subject = 申请 { $number } 的办结期限调整为 { $to }
case-deadline-moved-body =
    国务院办公厅已公布该年度节假日安排，您的申请 { $number }（{ $item }）的办结期限已按正式日历重新计算：由 { $from } 调整为 { $to }。
    查看进度：{ $link }

passport-expiring-subject = { $name } 的护照将于 { $date } 到期
passport-expiring-body =
    档案中 { $name } 的护照将于 { $date } 到期，距今不足 { $months } 个月。许多国家办理出行和居留手续时要求护照仍有数月有效期，请及早换发。
    在海外办理换发：{ $link }
    不再接收此类提醒：{ $unsubscribe }

mandate-requested-subject = { $agent } 申请代您办理事项
mandate-requested-body =
    { $agent } 申请在 { $from } 至 { $to } 期间代您办理以下事项：{ $items }。
    如您同意，请在账户页面确认：{ $link }
    或者，仅在您同意时，把此确认码告诉 { $agent }：{ $code }
    如您不了解此申请，请忽略本消息；未经您确认，任何人都不能代您办理。

mandate-lapsed-subject = { $agent } 的代办申请已取消
mandate-lapsed-body =
    { $agent } 代您办理的申请，确认码输错次数过多，申请已取消。没有任何人以此申请代您办理事项。
    如您确实同意，{ $agent } 可以重新申请，您可在账户页面确认：{ $link }
    如您不了解此申请，可能有人试图冒用您的名义：请不要告诉任何人确认码，并告知主管部门。

proxy-act-subject = { $agent } 已代您办理 { $number }
proxy-act-body =
    根据您的委托，{ $agent } { $act ->
        [open] 为您开立了申请
        [submit] 为您提交了申请
        [upload] 为您的申请上传了材料
        [pay] 为您的申请缴纳了费用
       *[other] 办理了申请
    } { $number }（{ $item }）。
    查看申请：{ $link }
    如非您所预期，请在账户页面撤销委托。

consultation-opened-subject = 我们已收到您的咨询：{ $subject }
consultation-opened-body =
    感谢您的咨询"{ $subject }"。咨询员会在对话中答复您。
    查看并回复请打开（此链接可直接打开您的对话，请勿转给他人）：{ $link }

consultation-reply-subject = { $consultant } 已答复：{ $subject }
consultation-reply-body =
    { $consultant } 已答复您的咨询"{ $subject }"。
    查看答复并回复：{ $link }

consultation-assigned-subject = 有新的咨询分给您：{ $subject }
consultation-assigned-body =
    { $person } 咨询"{ $subject }"，现由您答复。
    打开对话：{ $link }

consultation-answer-subject = { $consultant } 的答复
consultation-answer-body =
    【侨驿咨询】{ $consultant }：
    { $answer }
    直接在这里回复即可继续咨询。

green-channel-requested-subject = 绿色通道申请待审批：{ $number }
green-channel-requested-body =
    办件 { $number }（{ $item }）申请开通绿色通道，事由：{ $ground }，请审批。
    打开审批看板：{ $link }
green-channel-escalated-subject = 已超过 { $minutes } 分钟未审批：{ $number } 的绿色通道申请
green-channel-escalated-body =
    办件 { $number }（{ $item }）的绿色通道申请已超过 { $minutes } 分钟无人审批，请立即处理。
    打开审批看板：{ $link }
green-channel-approved-subject = 您的办件 { $number } 已开通绿色通道
green-channel-approved-body =
    您的申请已获批准：{ $item }（办件 { $number }）将于 { $date } 前办结。
    查看办件：{ $link }
green-channel-refused-subject = 办件 { $number } 的绿色通道申请未获批准
green-channel-refused-body =
    您为 { $item }（办件 { $number }）申请的绿色通道未获批准，原因：{ $reason }
    办件将按正常时限继续办理：{ $link }

video-booked-subject = 已预约视频身份核验：{ $number }
video-booked-body =
    { $item }（办件 { $number }）的视频身份核验已预约在您当地时间 { $local }（北京时间 { $beijing }）。
    请提前几分钟从办件页面进入：{ $link }
    添加到日历：{ $calendar }
video-reminder-subject = 明天：{ $number } 的视频身份核验
video-reminder-body =
    您 { $item }（办件 { $number }）的视频身份核验将于当地时间 { $local }（北京时间 { $beijing }）开始，请备好护照。
    您的办件：{ $link }
    添加到日历：{ $calendar }

care-visit-overdue-subject = 关爱提醒：一名结对儿童已 { $days } 天未走访
care-visit-overdue-body =
    您结对的一名{ $township }儿童已超过 { $days } 天没有家访记录。请尽快安排走访，并在系统中登记。
    儿童档案：{ $link }

care-message-subject = { $parent } 给您留言
care-message-body =
    您结对儿童的家长 { $parent } 从国外给您留言。请登录后在儿童档案中阅读。
    儿童档案：{ $link }
care-message-coordinator-subject = { $parent } 给代理家长留言
care-message-coordinator-body =
    您结对的儿童的家长 { $parent } 从国外给代理家长留言。请登录后在儿童档案中阅读。
    儿童档案：{ $link }

## The WeChat account's own replies, in her account's language when her WeChat is linked.
wechat-welcome = 欢迎关注。请直接在这里写下您的问题，值班顾问会在这里回复您。
wechat-unsupported = 目前这里只能收文字、图片和语音，请用文字写下您的问题。
wechat-too-long = 这条消息无法收下：请写文字，且不超过 4000 字。
wechat-picture-missing = 图片没有收到，请再发一次。
wechat-picture-refused = 这个文件无法收下：请发送照片（JPEG 或 PNG），不超过 { $mb } MB。
wechat-voice-missing = 语音没有收到，请再发一次，或用文字写下您的问题。
wechat-voice-refused = 这条语音无法收下，请用文字写下您的问题。
wechat-joined = 已收到，已加入您的咨询 { $number }。
wechat-opened = 您的咨询已收到（编号 { $number }），值班顾问会在这里回复您。
wechat-opened-waiting = 您的咨询已收到（编号 { $number }）。现在无人值班，约 { $hours } 小时后有顾问回复您。
wechat-opened-later = 您的咨询已收到（编号 { $number }），顾问会在这里回复您。
