//! A case's timeline as its readers see it: what happened, when, in which role, and the states it
//! moved between. The store writes and reads these; pages and the API only show them.

use crate::access::Role;

use super::{CaseState, Step};

/// What a timeline entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The draft was started.
    Created,
    /// A workflow step.
    Step(Step),
    /// A new working-day calendar moved the deadline or the green-channel due day.
    DeadlineRecounted,
    /// An officer recorded a participant of the video check.
    VideoCheck,
}

impl EventKind {
    /// The name stored and shown to API clients: a step's own name, or `create`,
    /// `deadline_recounted`, `video_check`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "create",
            EventKind::Step(step) => step.as_str(),
            EventKind::DeadlineRecounted => "deadline_recounted",
            EventKind::VideoCheck => "video_check",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        match s {
            "create" => Some(EventKind::Created),
            "deadline_recounted" => Some(EventKind::DeadlineRecounted),
            "video_check" => Some(EventKind::VideoCheck),
            other => Step::parse(other).map(EventKind::Step),
        }
    }
}

/// One entry of a case's timeline, oldest first by `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseEvent {
    pub seq: i64,
    /// Milliseconds since 1970 (UTC).
    pub at: i64,
    pub actor_id: String,
    /// The role the step was taken in; `None` when no role decided it (a new calendar).
    pub role: Option<Role>,
    pub kind: EventKind,
    /// `None` for the entry that created the case.
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        let kinds = [
            EventKind::Created,
            EventKind::DeadlineRecounted,
            EventKind::VideoCheck,
        ]
        .into_iter()
        .chain(Step::ALL.into_iter().map(EventKind::Step));
        for kind in kinds {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("launch"), None);
    }
}
