//! What an audit entry records as its action and its subject, as types: every entry the use cases
//! write names one of these, so each has words in every language (the audit log and "who read my
//! file" show them) and a test can hold every one to that. The codes are what the chain stores and
//! hashes: a code never changes once entries carry it.

use std::borrow::Cow;

use crate::access::Action;
use crate::cases::Step;
use crate::fees::EntryKind;

/// Declares an enum of codes with `ALL`, `as_str` and `parse` from one list, so no variant can be
/// left out of `ALL`.
macro_rules! codes {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: [$name; [$($text),*].len()] = [$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|v| v.as_str() == s)
            }
        }
    };
}

codes! {
    /// Something that happened, recorded beside the permission checks' own entries.
    pub enum AuditEvent {
    AccountCreated => "account_created",
    AccountDisabled => "account_disabled",
    AccountEnabled => "account_enabled",
    AccountLocked => "account_locked",
    ApiTokenCreated => "api_token_created",
    ApiTokenRefused => "api_token_refused",
    ApiTokenRevoked => "api_token_revoked",
    ApiTokenUsed => "api_token_used",
    AuditChainKeyed => "audit.chain_keyed",
    CalendarImported => "calendar_imported",
    CannedAnswerSaved => "canned_answer_saved",
    CareActivityRead => "care_activity_read",
    CareActivityRecorded => "care_activity_recorded",
    CareAttendanceRecorded => "care_attendance_recorded",
    CareChildRead => "care_child_read",
    CareChildRecorded => "care_child_recorded",
    CareChildrenRead => "care_children_read",
    CareMessageSent => "care_message_sent",
    CareOwnChildrenRead => "care_own_children_read",
    CareOwnVisitsRead => "care_own_visits_read",
    CarePairingConfirmed => "care_pairing_confirmed",
    CarePairingProposed => "care_pairing_proposed",
    CarePreferenceSet => "care_preference_set",
    CareVisitRecorded => "care_visit_recorded",
    CareVolunteerSaved => "care_volunteer_saved",
    CareWishFulfilled => "care_wish_fulfilled",
    CareWishRecorded => "care_wish_recorded",
    CareWishTaken => "care_wish_taken",
    CaseDeadlineRecounted => "case_deadline_recounted",
    CaseFileAdded => "case_file_added",
    CaseHandoverCode => "case_handover_code",
    CaseOpened => "case_opened",
    CaseOutcomeBackfilled => "case_outcome_backfilled",
    CaseStatusCodeSent => "case_status_code_sent",
    CaseStatusRead => "case_status_read",
    CertificateRevoke => "certificate_revoke",
    ConfirmEmail => "confirm_email",
    ConsultationCaseLinked => "consultation_case_linked",
    ConsultationClosed => "consultation_closed",
    ConsultationOpened => "consultation_opened",
    ConsultationRated => "consultation_rated",
    ConsultationTransferred => "consultation_transferred",
    CostModelSaved => "cost_model_saved",
    DocumentAdded => "document_added",
    DocumentRemoved => "document_removed",
    EvaluationGiven => "evaluation_given",
    FindPerson => "find_person",
    FollowUpClosed => "follow_up_closed",
    GreenChannelApproved => "green_channel_approved",
    GreenChannelEscalated => "green_channel_escalated",
    GreenChannelEvidence => "green_channel_evidence",
    GreenChannelRefused => "green_channel_refused",
    GreenChannelRequested => "green_channel_requested",
    HallRulesSaved => "hall_rules_saved",
    IdentityUpdated => "identity_updated",
    Login => "login",
    LoginThrottled => "login_throttled",
    Logout => "logout",
    LogoutOthers => "logout_others",
    MandateCode => "mandate_code",
    MandateConfirmed => "mandate_confirmed",
    MandateDocumentAdded => "mandate_document_added",
    MandateRequested => "mandate_requested",
    MandateRevoked => "mandate_revoked",
    MessageRetried => "message_retried",
    NotificationSettingsChanged => "notification_settings_changed",
    PasswordChange => "password_change",
    PasswordChanged => "password_changed",
    PasswordReset => "password_reset",
    PasswordResetCodeIssued => "password_reset_code_issued",
    PasswordResetRequested => "password_reset_requested",
    PersonAdded => "person_added",
    PersonUpdated => "person_updated",
    ReadCaseFile => "read_case_file",
    ReadCertificate => "read_certificate",
    ReadFees => "read_fees",
    ReadGreenEvidence => "read_green_evidence",
    ReadGreenRequest => "read_green_request",
    ReadMandate => "read_mandate",
    ReadMandateDocument => "read_mandate_document",
    ReadReceipt => "read_receipt",
    RecoveryCodesIssued => "recovery_codes_issued",
    RemindersUnsubscribed => "reminders_unsubscribed",
    RolesApproved => "roles_approved",
    RolesChanged => "roles_changed",
    RolesRejected => "roles_rejected",
    RolesRequested => "roles_requested",
    SaveStation => "save_station",
    SecondFactor => "second_factor",
    SecondFactorEnrolled => "second_factor_enrolled",
    SecondFactorRecoveryCode => "second_factor_recovery_code",
    SecondFactorReset => "second_factor_reset",
    ShiftsSet => "shifts_set",
    SignUp => "sign_up",
    SigningKeyRotate => "signing_key_rotate",
    StatsExported => "stats_exported",
    VideoBooked => "video_booked",
    VideoCancelled => "video_cancelled",
    VideoNoShow => "video_no_show",
    VideoParticipantAdded => "video_participant_added",
    VideoParticipantRemoved => "video_participant_removed",
    VideoRescheduled => "video_rescheduled",
    VideoSlotsPublished => "video_slots_published",
    VideoVerdict => "video_verdict",
    WechatLinked => "wechat_linked",
    WechatUnlinked => "wechat_unlinked",
    }
}

codes! {
    /// What kind of record an entry is about.
    pub enum AuditSubject {
    Account => "account",
    Activity => "activity",
    ApiToken => "api_token",
    Audit => "audit",
    Calendar => "calendar",
    CannedAnswer => "canned_answer",
    Case => "case",
    Child => "child",
    Consultation => "consultation",
    CostModel => "cost_model",
    Evaluation => "evaluation",
    Mandate => "mandate",
    Message => "message",
    Person => "person",
    SigningKey => "signing_key",
    Station => "station",
    Stats => "stats",
    System => "system",
    Township => "township",
    User => "user",
    Video => "video",
    }
}

/// An audit entry's action: a permission checked (and refused, or a read recorded under its
/// name), an event, a step of a case (`case_accept`) or a fee entry (`fee_refund`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Policy(Action),
    Event(AuditEvent),
    Step(Step),
    Fee(EntryKind),
}

impl AuditAction {
    /// Every action an entry can carry.
    pub fn all() -> impl Iterator<Item = AuditAction> {
        Action::ALL
            .into_iter()
            .map(AuditAction::Policy)
            .chain(AuditEvent::ALL.into_iter().map(AuditAction::Event))
            .chain(Step::ALL.into_iter().map(AuditAction::Step))
            .chain(EntryKind::ALL.into_iter().map(AuditAction::Fee))
    }

    /// The code stored in the chain.
    pub fn code(self) -> Cow<'static, str> {
        match self {
            AuditAction::Policy(a) => Cow::Borrowed(a.as_str()),
            AuditAction::Event(e) => Cow::Borrowed(e.as_str()),
            AuditAction::Step(s) => Cow::Owned(format!("case_{}", s.as_str())),
            AuditAction::Fee(k) => Cow::Owned(format!("fee_{}", k.as_str())),
        }
    }

    /// Whether an entry's purpose is what a person typed (why she looked a person up or read a
    /// file, why an authenticator was reset), rather than a detail the program noted for itself
    /// (a case's number, a slot's id), which readers are not shown.
    pub fn purpose_is_typed(self) -> bool {
        matches!(
            self,
            AuditAction::Policy(Action::ReadPersonFile)
                | AuditAction::Event(AuditEvent::FindPerson)
                | AuditAction::Event(AuditEvent::SecondFactorReset)
        )
    }

    /// The action a stored code names; `None` for a code no version wrote.
    pub fn parse(code: &str) -> Option<AuditAction> {
        AuditAction::all().find(|a| a.code() == code)
    }
}

impl From<Action> for AuditAction {
    fn from(a: Action) -> Self {
        AuditAction::Policy(a)
    }
}

impl From<AuditEvent> for AuditAction {
    fn from(e: AuditEvent) -> Self {
        AuditAction::Event(e)
    }
}

impl From<Step> for AuditAction {
    fn from(s: Step) -> Self {
        AuditAction::Step(s)
    }
}

impl From<EntryKind> for AuditAction {
    fn from(k: EntryKind) -> Self {
        AuditAction::Fee(k)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_action_has_one_code_and_reads_back_from_it() {
        let mut seen = HashSet::new();
        for action in AuditAction::all() {
            let code = action.code();
            assert!(seen.insert(code.clone()), "{code} names two actions");
            assert_eq!(AuditAction::parse(&code), Some(action));
        }
        assert_eq!(AuditAction::parse("no_such_thing"), None);
    }

    #[test]
    fn every_subject_reads_back_from_its_code() {
        for subject in AuditSubject::ALL {
            assert_eq!(AuditSubject::parse(subject.as_str()), Some(subject));
        }
    }
}
