//! What people are told, and when: the notices and their parameters, how long delivery waits
//! before trying again, passport-expiry reminder thresholds, and the telephone numbers a messaging
//! gateway is given.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::cases::workflow::Step;

/// Every kind of message Qiaoyi sends. Each has a subject and a body in every interface language
/// (the app's `notices/*.ftl`), and a test renders each in each language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Notice {
    ConfirmEmail,
    AccountLocked,
    PasswordChanged,
    /// To the account's address: a link to set a new password, valid for a few minutes.
    PasswordReset,
    /// To the account's address: an administrator reset her authenticator.
    SecondFactorReset,
    /// By text message to the mobile number on file: a code to set a new password.
    PasswordResetCode,
    /// To a case's applicant, by e-mail or text message: a code to see the case's status without
    /// signing in, which someone who knows its number and the person's birth date asked for.
    CaseStatusCode,
    CaseSubmitted,
    CaseAccepted,
    CaseReturned,
    CaseApproved,
    CaseRefused,
    CaseReady,
    CaseIssued,
    CaseDispatched,
    CaseDeadlineMoved,
    PassportExpiring,
    /// To a principal: an agent asks to act for her; the code lets her confirm through the agent.
    MandateRequested,
    /// To a principal: a request to act for her was cancelled because its code was guessed wrong
    /// too often; nothing was done for her.
    MandateLapsed,
    /// To a principal: something was done for her under a mandate.
    ProxyAct,
    /// To a guest who opened a consultation without an account: the link that brings her back.
    ConsultationOpened,
    /// To the person who asked: a consultant answered.
    ConsultationReply,
    /// To a consultant: a consultation was routed or handed to her.
    ConsultationAssigned,
    /// To a guest who asked through WeChat: the consultant's answer itself, since she reads it
    /// where she asked and has no link to follow.
    ConsultationAnswer,
    /// To every duty leader: a green-channel request waits for a decision.
    GreenChannelRequested,
    /// To every duty leader: nobody decided a green-channel request in time.
    GreenChannelEscalated,
    /// To the applicant: her case goes through the green channel, due by a day.
    GreenChannelApproved,
    /// To the applicant: the green channel was refused, with the reason.
    GreenChannelRefused,
    /// To the applicant: a video identity check was booked for her case.
    VideoBooked,
    /// To the applicant: her video identity check is within a day.
    VideoReminder,
    /// To a proxy parent and the coordinator who paired her: a paired child has gone without a
    /// home visit for too long. Names no child: the link opens her record for its coordinators and proxy parent only.
    CareVisitOverdue,
    /// To a proxy parent: a parent abroad wrote about their child (read on the child's record).
    CareMessage,
    /// To the coordinator who paired the child: the same message, for her to know of it.
    CareMessageCoordinator,
}

impl Notice {
    pub const ALL: [Notice; 33] = [
        Notice::ConfirmEmail,
        Notice::AccountLocked,
        Notice::PasswordChanged,
        Notice::PasswordReset,
        Notice::SecondFactorReset,
        Notice::PasswordResetCode,
        Notice::CaseStatusCode,
        Notice::CaseSubmitted,
        Notice::CaseAccepted,
        Notice::CaseReturned,
        Notice::CaseApproved,
        Notice::CaseRefused,
        Notice::CaseReady,
        Notice::CaseIssued,
        Notice::CaseDispatched,
        Notice::CaseDeadlineMoved,
        Notice::PassportExpiring,
        Notice::MandateRequested,
        Notice::MandateLapsed,
        Notice::ProxyAct,
        Notice::ConsultationOpened,
        Notice::ConsultationReply,
        Notice::ConsultationAssigned,
        Notice::ConsultationAnswer,
        Notice::GreenChannelRequested,
        Notice::GreenChannelEscalated,
        Notice::GreenChannelApproved,
        Notice::GreenChannelRefused,
        Notice::VideoBooked,
        Notice::VideoReminder,
        Notice::CareVisitOverdue,
        Notice::CareMessage,
        Notice::CareMessageCoordinator,
    ];

    /// The template's name: the prefix of its `-subject` and `-body` messages.
    pub fn template(self) -> &'static str {
        match self {
            Notice::ConfirmEmail => "confirm-email",
            Notice::AccountLocked => "account-locked",
            Notice::PasswordChanged => "password-changed",
            Notice::PasswordReset => "password-reset",
            Notice::SecondFactorReset => "second-factor-reset",
            Notice::PasswordResetCode => "password-reset-code",
            Notice::CaseStatusCode => "case-status-code",
            Notice::CaseSubmitted => "case-submitted",
            Notice::CaseAccepted => "case-accepted",
            Notice::CaseReturned => "case-returned",
            Notice::CaseApproved => "case-approved",
            Notice::CaseRefused => "case-refused",
            Notice::CaseReady => "case-ready",
            Notice::CaseIssued => "case-issued",
            Notice::CaseDispatched => "case-dispatched",
            Notice::CaseDeadlineMoved => "case-deadline-moved",
            Notice::PassportExpiring => "passport-expiring",
            Notice::MandateRequested => "mandate-requested",
            Notice::MandateLapsed => "mandate-lapsed",
            Notice::ProxyAct => "proxy-act",
            Notice::ConsultationOpened => "consultation-opened",
            Notice::ConsultationReply => "consultation-reply",
            Notice::ConsultationAssigned => "consultation-assigned",
            Notice::ConsultationAnswer => "consultation-answer",
            Notice::GreenChannelRequested => "green-channel-requested",
            Notice::GreenChannelEscalated => "green-channel-escalated",
            Notice::GreenChannelApproved => "green-channel-approved",
            Notice::GreenChannelRefused => "green-channel-refused",
            Notice::VideoBooked => "video-booked",
            Notice::VideoReminder => "video-reminder",
            Notice::CareVisitOverdue => "care-visit-overdue",
            Notice::CareMessage => "care-message",
            Notice::CareMessageCoordinator => "care-message-coordinator",
        }
    }

    pub fn parse(template: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.template() == template)
    }

    /// The parameters the template uses; a message is queued only with all of them.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Notice::ConfirmEmail => &["code", "minutes"],
            Notice::AccountLocked => &["minutes"],
            Notice::PasswordChanged | Notice::SecondFactorReset => &["link"],
            Notice::PasswordReset => &["link", "minutes"],
            Notice::PasswordResetCode => &["code", "minutes"],
            Notice::CaseStatusCode => &["number", "code", "minutes"],
            Notice::CaseReturned | Notice::CaseRefused => &["number", "item", "reason", "link"],
            Notice::CaseSubmitted
            | Notice::CaseAccepted
            | Notice::CaseApproved
            | Notice::CaseReady
            | Notice::CaseIssued
            | Notice::CaseDispatched => &["number", "item", "link"],
            Notice::CaseDeadlineMoved => &["number", "item", "from", "to", "link"],
            Notice::PassportExpiring => &["name", "date", "months", "link", "unsubscribe"],
            Notice::MandateRequested => &["agent", "items", "from", "to", "code", "link"],
            Notice::MandateLapsed => &["agent", "link"],
            Notice::ProxyAct => &["agent", "act", "number", "item", "link"],
            Notice::ConsultationOpened => &["subject", "link"],
            Notice::ConsultationReply => &["subject", "consultant", "link"],
            Notice::ConsultationAssigned => &["subject", "person", "link"],
            Notice::ConsultationAnswer => &["consultant", "answer"],
            Notice::GreenChannelRequested => &["number", "item", "ground", "link"],
            Notice::GreenChannelEscalated => &["number", "item", "minutes", "link"],
            Notice::GreenChannelApproved => &["number", "item", "date", "link"],
            Notice::GreenChannelRefused => &["number", "item", "reason", "link"],
            Notice::VideoBooked | Notice::VideoReminder => {
                &["number", "item", "local", "beijing", "link"]
            }
            Notice::CareVisitOverdue => &["township", "days", "link"],
            Notice::CareMessage | Notice::CareMessageCoordinator => &["parent", "link"],
        }
    }

    /// Parameters a template uses when given and does without otherwise (empty): messages queued
    /// before they existed still render. A dispatch says how it travels: `method` is the delivery
    /// method, with a courier's carrier and tracking number or the day of a home visit. A video
    /// check's notices carry `calendar`, the address of its iCalendar file.
    pub fn optional_params(self) -> &'static [&'static str] {
        match self {
            Notice::CaseDispatched => &["method", "carrier", "tracking", "date"],
            Notice::VideoBooked | Notice::VideoReminder => &["calendar"],
            _ => &[],
        }
    }

    /// The notice the case's applicant receives when the case takes `step`, if any. Internal steps
    /// (verification, review, production, closing) tell the applicant nothing new.
    pub fn for_step(step: Step) -> Option<Notice> {
        match step {
            Step::Submit | Step::Resubmit => Some(Notice::CaseSubmitted),
            Step::Accept => Some(Notice::CaseAccepted),
            Step::ReturnForMaterials => Some(Notice::CaseReturned),
            Step::Approve => Some(Notice::CaseApproved),
            Step::Refuse => Some(Notice::CaseRefused),
            Step::MarkReady => Some(Notice::CaseReady),
            Step::Issue => Some(Notice::CaseIssued),
            Step::Dispatch => Some(Notice::CaseDispatched),
            Step::VerifyIdentity
            | Step::StartReview
            | Step::StartProduction
            | Step::Deliver
            | Step::Close
            | Step::Withdraw => None,
        }
    }

    /// Security notices reach the account's e-mail address whatever channels the person chose, and
    /// cannot be unsubscribed from.
    pub fn always_by_email(self) -> bool {
        matches!(
            self,
            Notice::ConfirmEmail
                | Notice::AccountLocked
                | Notice::PasswordChanged
                | Notice::PasswordReset
                | Notice::SecondFactorReset
                | Notice::CaseStatusCode
        )
    }
}

/// The channels a message can travel by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    /// A JSON POST to the configured SMS or messaging gateway.
    Sms,
    /// A customer-service message of the bureau's WeChat Official Account, to an OpenID.
    Wechat,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Wechat => "wechat",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            "wechat" => Some(Channel::Wechat),
            _ => None,
        }
    }
}

/// Where a queued message stands: waiting for (another) attempt, delivered, or given up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    Pending,
    Sent,
    Dead,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 3] = [
        MessageStatus::Pending,
        MessageStatus::Sent,
        MessageStatus::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A message in the outbox. Its channel, language and template are kept as they were queued: the
/// delivery worker reads them, and a message it cannot read is given up on rather than lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: String,
    /// Milliseconds since 1970 (UTC), as every instant here.
    pub created_at: i64,
    pub channel: String,
    /// The address or number it goes to.
    pub recipient: String,
    /// A language tag (`zh-CN`, `en`, …).
    pub language: String,
    /// The notice's name.
    pub template: String,
    /// JSON object of the template's parameters.
    pub params: String,
    pub status: MessageStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
    /// The account it is for, when there is one.
    pub user_id: Option<String>,
}

/// What an account chose to receive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationSettings {
    pub user_id: String,
    pub email_enabled: bool,
    pub sms_number: Option<String>,
    pub sms_enabled: bool,
    /// Passport reminders about the account holder's own documents.
    pub own_reminders: bool,
    /// Passport reminders about the family members the account keeps on file.
    pub family_reminders: bool,
}

impl NotificationSettings {
    /// What an account receives before it chose anything.
    pub fn defaults(user_id: &str) -> NotificationSettings {
        NotificationSettings {
            user_id: user_id.to_owned(),
            email_enabled: true,
            sms_number: None,
            sms_enabled: false,
            own_reminders: true,
            family_reminders: false,
        }
    }
}

/// The first retry waits this long; each further one twice as long as the one before.
pub const FIRST_RETRY_MS: i64 = 30_000;
/// No retry waits longer than this.
pub const LONGEST_RETRY_MS: i64 = 6 * 3_600_000;

/// How long to wait after `failed_attempts` failed attempts (1 or more) before the next one.
pub fn retry_delay_ms(failed_attempts: u32) -> i64 {
    let doublings = failed_attempts.saturating_sub(1).min(20);
    FIRST_RETRY_MS
        .saturating_mul(1_i64 << doublings)
        .min(LONGEST_RETRY_MS)
}

/// Reminder thresholds in months before expiry: 1 to 24, each at most once, largest first.
pub fn check_thresholds(months: &[u32]) -> Result<Vec<u32>, &'static str> {
    if months.is_empty() {
        return Err("give at least one reminder threshold, e.g. [9, 6, 3]");
    }
    if months.iter().any(|m| !(1..=24).contains(m)) {
        return Err("reminder thresholds are months from 1 to 24");
    }
    let mut sorted = months.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    if sorted.len() != months.len() {
        return Err("each reminder threshold may appear only once");
    }
    Ok(sorted)
}

/// The reminder due on `today` for a document expiring on `expires_on`: the smallest threshold
/// whose date has come, while the document is still valid. A threshold passed before the document
/// was on file is skipped rather than sent late beside a smaller one; the caller sends each
/// (document, expiry, threshold) once.
pub fn reminder_due(expires_on: Date, today: Date, thresholds: &[u32]) -> Option<u32> {
    if today >= expires_on {
        return None;
    }
    thresholds
        .iter()
        .copied()
        .filter(|m| {
            expires_on
                .checked_sub(i64::from(*m).months())
                .is_ok_and(|from| today >= from)
        })
        .min()
}

/// A mobile number in E.164 form (`+39 333 123 4567` becomes `+393331234567`), as SMS gateways
/// take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, &'static str> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let Some(digits) = compact.strip_prefix('+') else {
            return Err("start the number with + and the country code, like +39 333 123 4567");
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("a telephone number has only digits after the +");
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(
                "give the whole number with its country code: 8 to 15 digits after the +, like +39 333 123 4567",
            );
        }
        Ok(Phone(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn templates_round_trip_and_have_params() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.template()), Some(notice));
            assert!(!notice.params().is_empty());
        }
        assert_eq!(Notice::parse("nope"), None);
    }

    #[test]
    fn the_applicant_hears_of_submission_acceptance_return_decision_and_dispatch() {
        assert_eq!(Notice::for_step(Step::Submit), Some(Notice::CaseSubmitted));
        assert_eq!(Notice::for_step(Step::Accept), Some(Notice::CaseAccepted));
        assert_eq!(
            Notice::for_step(Step::ReturnForMaterials),
            Some(Notice::CaseReturned)
        );
        assert_eq!(Notice::for_step(Step::Refuse), Some(Notice::CaseRefused));
        assert_eq!(
            Notice::for_step(Step::Dispatch),
            Some(Notice::CaseDispatched)
        );
        assert_eq!(Notice::for_step(Step::StartReview), None);
    }

    #[test]
    fn retries_double_up_to_a_ceiling() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(3), 120_000);
        assert_eq!(retry_delay_ms(100), LONGEST_RETRY_MS);
        assert_eq!(retry_delay_ms(0), 30_000);
    }

    #[test]
    fn thresholds_are_checked() {
        assert_eq!(check_thresholds(&[3, 9, 6]), Ok(vec![9, 6, 3]));
        assert!(check_thresholds(&[]).is_err());
        assert!(check_thresholds(&[0]).is_err());
        assert!(check_thresholds(&[25]).is_err());
        assert!(check_thresholds(&[6, 6]).is_err());
    }

    #[test]
    fn reminders_fall_due_at_each_threshold() {
        let t = [9, 6, 3];
        let expiry = date(2027, 9, 15);
        assert_eq!(reminder_due(expiry, date(2026, 12, 14), &t), None);
        assert_eq!(reminder_due(expiry, date(2026, 12, 15), &t), Some(9));
        assert_eq!(reminder_due(expiry, date(2027, 3, 15), &t), Some(6));
        assert_eq!(reminder_due(expiry, date(2027, 6, 14), &t), Some(6));
        assert_eq!(reminder_due(expiry, date(2027, 6, 15), &t), Some(3));
        assert_eq!(reminder_due(expiry, date(2027, 9, 14), &t), Some(3));
        assert_eq!(reminder_due(expiry, date(2027, 9, 15), &t), None);
        // Month ends: 9 months before 30 November is 28 February (no 30 February).
        assert_eq!(
            reminder_due(date(2027, 11, 30), date(2027, 2, 28), &t),
            Some(9)
        );
    }

    #[test]
    fn phones_are_e164() {
        assert_eq!(
            Phone::parse(" +39 333-123 4567 ").map(|p| p.0),
            Ok("+393331234567".into())
        );
        assert!(Phone::parse("3331234567").is_err());
        assert!(Phone::parse("+39 333 abc").is_err());
        assert!(Phone::parse("+0123456789").is_err());
        assert!(Phone::parse("+1234567").is_err());
        assert!(Phone::parse("+1234567890123456").is_err());
    }

    proptest! {
        /// Checking once a day from a year before expiry sends each threshold at most once, in
        /// decreasing order, and the last one is the smallest threshold.
        #[test]
        fn daily_runs_send_each_threshold_once(
            offset in 0_i64..2000,
            set in proptest::sample::subsequence(vec![1_u32, 2, 3, 6, 9, 12, 18, 24], 1..5),
        ) {
            let thresholds = check_thresholds(&set).expect("valid");
            let expiry = date(2026, 1, 1).checked_add(offset.days()).expect("in range");
            let mut day = expiry.checked_sub(800.days()).expect("in range");
            let mut sent: Vec<u32> = Vec::new();
            while day <= expiry {
                if let Some(m) = reminder_due(expiry, day, &thresholds)
                    && !sent.contains(&m)
                {
                    sent.push(m);
                }
                day = day.tomorrow().expect("in range");
            }
            prop_assert_eq!(&sent, &thresholds);
        }

        #[test]
        fn phone_parse_never_panics(s in "\\PC{0,30}") {
            let _ = Phone::parse(&s);
        }
    }
}
