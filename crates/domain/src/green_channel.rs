//! The emergency green channel (绿色通道): a request on a case to have it handled in a few working
//! days, on grounds such as a death in the family abroad; duty leaders decide, and a request left
//! unanswered escalates.

use jiff::civil::Date;

use crate::access::Role;
use crate::cases::MediaType;
use crate::failure::Reason;

/// Why the person needs the case fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ground {
    /// A death in the family.
    Bereavement,
    /// A relative's serious illness.
    Illness,
    /// A study or work deadline.
    Deadline,
    Other,
}

impl Ground {
    pub const ALL: [Ground; 4] = [
        Ground::Bereavement,
        Ground::Illness,
        Ground::Deadline,
        Ground::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Ground::Bereavement => "bereavement",
            Ground::Illness => "illness",
            Ground::Deadline => "deadline",
            Ground::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Ground> {
        Ground::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestState {
    Requested,
    Approved,
    Refused,
}

impl RequestState {
    pub const ALL: [RequestState; 3] = [
        RequestState::Requested,
        RequestState::Approved,
        RequestState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Requested => "requested",
            RequestState::Approved => "approved",
            RequestState::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<RequestState> {
        RequestState::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether a case in `state` may be put in the green channel: from when the bureau has it until
/// production, where handling faster still changes something.
pub fn may_ask(state: crate::cases::CaseState) -> bool {
    use crate::cases::CaseState as S;
    matches!(
        state,
        S::Submitted
            | S::Accepted
            | S::IdentityVerified
            | S::UnderReview
            | S::Approved
            | S::InProduction
    )
}

/// Working days an approval grants unless the item says otherwise.
pub const DEFAULT_DAYS: u16 = 3;
/// The most working days an approval may grant: beyond this it is not a green channel.
pub const MAX_DAYS: u16 = 10;

/// Why an input is refused; the field it concerns and what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GreenChannelError {
    #[error("say what happened in 10 to 2,000 characters")]
    Statement,
    #[error("give the applicant a reason for the refusal, 5 to 500 characters")]
    Reason,
    #[error("grant from 1 to 10 working days")]
    Days,
}

impl GreenChannelError {
    /// Each of these is a field out of its bounds; the page's message for the field says which.
    pub fn reason(self) -> Reason {
        match self {
            GreenChannelError::Statement | GreenChannelError::Reason | GreenChannelError::Days => {
                Reason::Malformed
            }
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            GreenChannelError::Statement => "statement",
            GreenChannelError::Reason => "reason",
            GreenChannelError::Days => "days",
        }
    }
}

/// A request as its case page, the board and the API show it: what was asked and decided, with
/// the case's number, item and person and the names of who asked and who decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreenRequest {
    pub id: String,
    pub case_id: String,
    pub ground: Ground,
    pub statement: String,
    pub requested_by: String,
    /// The role it was asked in; `None` when no grant named one.
    pub requested_role: Option<Role>,
    /// Milliseconds since 1970 (UTC).
    pub requested_at: i64,
    pub state: RequestState,
    pub escalated_at: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// Approved: the working days granted and the day the case is due (Beijing).
    pub days: Option<i64>,
    pub due_on: Option<Date>,
    /// Refused: why.
    pub reason: String,
    pub case_number: String,
    pub item_code: String,
    pub person_name: String,
    pub requested_by_name: String,
    pub decided_by_name: String,
    /// How many pieces of evidence it has, numbered from 1.
    pub evidence: i64,
}

/// A piece of evidence sent with a request, numbered from 1 on its request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub request_id: String,
    pub seq: i64,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// The green channel's figures over requests made in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GreenStats {
    pub requests: i64,
    pub approved: i64,
    pub refused: i64,
    /// Milliseconds from request to decision, summed over decided requests.
    pub decision_ms: i64,
    /// Approved requests whose case has closed, and milliseconds from approval to closing.
    pub completed: i64,
    pub completion_ms: i64,
}

fn text_within(text: &str, min: usize, max: usize) -> Option<String> {
    let text = text.trim();
    let n = text.chars().count();
    let clean = text
        .chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t');
    (n >= min && n <= max && clean).then(|| text.replace("\r\n", "\n"))
}

/// The person's account of what happened, trimmed.
pub fn check_statement(text: &str) -> Result<String, GreenChannelError> {
    text_within(text, 10, 2000).ok_or(GreenChannelError::Statement)
}

/// A refusal's reason, shown to the applicant.
pub fn check_reason(text: &str) -> Result<String, GreenChannelError> {
    text_within(text, 5, 500).ok_or(GreenChannelError::Reason)
}

/// The working days an approval grants: `None` takes the item's default.
pub fn check_days(days: Option<i64>, item_default: u16) -> Result<u16, GreenChannelError> {
    let days = days.unwrap_or(i64::from(item_default));
    u16::try_from(days)
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or(GreenChannelError::Days)
}

/// When a request made at `requested_at` (milliseconds) escalates if nobody decided it.
pub fn escalates_at(requested_at: i64, escalate_minutes: u32) -> i64 {
    requested_at + i64::from(escalate_minutes) * 60_000
}

/// Whole minutes left before escalation; zero or less once it is due.
pub fn minutes_left(requested_at: i64, escalate_minutes: u32, now: i64) -> i64 {
    (escalates_at(requested_at, escalate_minutes) - now).div_euclid(60_000)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn statements_reasons_and_days_are_checked() {
        assert!(check_statement("too short").is_err());
        assert_eq!(
            check_statement("  我父亲在罗马去世，需要回国办理后事。  ").as_deref(),
            Ok("我父亲在罗马去世，需要回国办理后事。")
        );
        assert!(check_statement(&"字".repeat(2001)).is_err());
        assert!(check_statement("ten chars\u{7}here").is_err());
        assert!(check_reason("").is_err());
        assert!(check_reason("材料不足以证明").is_ok());
        assert_eq!(check_days(None, 3), Ok(3));
        assert_eq!(check_days(Some(5), 3), Ok(5));
        for bad in [0, 11, -1, i64::MAX] {
            assert_eq!(check_days(Some(bad), 3), Err(GreenChannelError::Days));
        }
    }

    #[test]
    fn only_cases_with_the_bureau_before_production_ends_may_ask() {
        use crate::cases::CaseState as S;
        let asking: Vec<S> = S::ALL.into_iter().filter(|s| may_ask(*s)).collect();
        assert_eq!(
            asking,
            [
                S::Submitted,
                S::Accepted,
                S::IdentityVerified,
                S::UnderReview,
                S::Approved,
                S::InProduction
            ]
        );
    }

    #[test]
    fn escalation_comes_after_the_configured_minutes() {
        let at = 1_000_000;
        assert_eq!(escalates_at(at, 120), at + 7_200_000);
        assert_eq!(minutes_left(at, 120, at), 120);
        assert_eq!(minutes_left(at, 120, at + 7_200_000), 0);
        assert!(minutes_left(at, 120, at + 7_260_000) < 0);
    }

    proptest! {
        #[test]
        fn grounds_and_states_read_back(i in 0usize..4, j in 0usize..3) {
            prop_assert_eq!(Ground::parse(Ground::ALL[i].as_str()), Some(Ground::ALL[i]));
            prop_assert_eq!(
                RequestState::parse(RequestState::ALL[j].as_str()),
                Some(RequestState::ALL[j])
            );
        }

        #[test]
        fn a_kept_statement_is_within_its_limits(text in "\\PC{0,2100}") {
            if let Ok(kept) = check_statement(&text) {
                let n = kept.chars().count();
                prop_assert!((10..=2000).contains(&n));
            }
        }
    }
}
