//! What a case's status says to someone who checks it without signing in (a relative, an elder
//! without her password): where it stands and what happens next, in words chosen here from the
//! state alone, so the answer carries nothing else about the case.

use crate::cases::workflow::CaseState;
use crate::catalog::{Delivery, Workflow};

/// What happens next to a case, and who does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NextStep {
    /// A draft: the applicant sends it with its materials.
    Send,
    /// The bureau checks the materials and accepts the application or says what is missing.
    BureauChecks,
    /// The bureau checks the person's identity.
    IdentityCheck,
    /// The bureau decides.
    Decision,
    /// The document is made.
    Production,
    /// The electronic certificate is issued: the applicant downloads it.
    Download,
    /// Ready to be collected at the bureau's window.
    CollectAtWindow,
    /// Ready to be collected at the overseas station.
    CollectAtStation,
    /// Ready, about to be sent by courier or brought home.
    SendingOut,
    /// On its way.
    Arriving,
    /// Returned: the applicant adds what is missing and sends it again.
    AddMaterials,
    /// Nothing: the case is decided, delivered, withdrawn or closed.
    Nothing,
}

impl NextStep {
    pub const ALL: [NextStep; 12] = [
        NextStep::Send,
        NextStep::BureauChecks,
        NextStep::IdentityCheck,
        NextStep::Decision,
        NextStep::Production,
        NextStep::Download,
        NextStep::CollectAtWindow,
        NextStep::CollectAtStation,
        NextStep::SendingOut,
        NextStep::Arriving,
        NextStep::AddMaterials,
        NextStep::Nothing,
    ];

    /// What comes after `state` for a case of `workflow` delivered by `delivery`.
    pub fn of(state: CaseState, workflow: Workflow, delivery: Delivery) -> NextStep {
        match state {
            CaseState::Draft => NextStep::Send,
            CaseState::Submitted => NextStep::BureauChecks,
            CaseState::Accepted => NextStep::IdentityCheck,
            CaseState::IdentityVerified | CaseState::UnderReview => NextStep::Decision,
            CaseState::Approved | CaseState::InProduction => NextStep::Production,
            CaseState::Ready if workflow != Workflow::Standard => NextStep::Download,
            CaseState::Ready => match delivery {
                Delivery::Window => NextStep::CollectAtWindow,
                Delivery::Station => NextStep::CollectAtStation,
                Delivery::Courier | Delivery::Home => NextStep::SendingOut,
            },
            CaseState::Dispatched => NextStep::Arriving,
            CaseState::Returned => NextStep::AddMaterials,
            CaseState::Refused
            | CaseState::Delivered
            | CaseState::Closed
            | CaseState::Withdrawn => NextStep::Nothing,
        }
    }

    /// The code its words are found by.
    pub fn as_str(self) -> &'static str {
        match self {
            NextStep::Send => "send",
            NextStep::BureauChecks => "bureau_checks",
            NextStep::IdentityCheck => "identity_check",
            NextStep::Decision => "decision",
            NextStep::Production => "production",
            NextStep::Download => "download",
            NextStep::CollectAtWindow => "collect_at_window",
            NextStep::CollectAtStation => "collect_at_station",
            NextStep::SendingOut => "sending_out",
            NextStep::Arriving => "arriving",
            NextStep::AddMaterials => "add_materials",
            NextStep::Nothing => "nothing",
        }
    }
}

/// Whether a deadline still means something to whoever reads the status: it is the day the
/// bureau must decide by, so only while the decision is still to come.
pub fn deadline_matters(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Submitted
            | CaseState::Accepted
            | CaseState::IdentityVerified
            | CaseState::UnderReview
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_state_says_what_comes_next() {
        let next = |s| NextStep::of(s, Workflow::Standard, Delivery::Station);
        assert_eq!(next(CaseState::Draft), NextStep::Send);
        assert_eq!(next(CaseState::Submitted), NextStep::BureauChecks);
        assert_eq!(next(CaseState::Returned), NextStep::AddMaterials);
        assert_eq!(next(CaseState::Ready), NextStep::CollectAtStation);
        assert_eq!(
            NextStep::of(CaseState::Ready, Workflow::Standard, Delivery::Courier),
            NextStep::SendingOut
        );
        assert_eq!(
            NextStep::of(CaseState::Ready, Workflow::Certificate, Delivery::Window),
            NextStep::Download
        );
        assert_eq!(next(CaseState::Refused), NextStep::Nothing);
        assert!(!deadline_matters(CaseState::Draft));
        assert!(deadline_matters(CaseState::UnderReview));
        assert!(
            !deadline_matters(CaseState::Ready),
            "decided: the deadline is behind it"
        );
        assert!(!deadline_matters(CaseState::Delivered));
    }

    #[test]
    fn codes_differ() {
        let mut codes: Vec<_> = NextStep::ALL.iter().map(|n| n.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), NextStep::ALL.len());
    }

    proptest! {
        /// A case that is over has nothing next, and one under way always has something.
        #[test]
        fn nothing_is_next_exactly_when_the_case_is_over(
            state in proptest::sample::select(CaseState::ALL.to_vec()),
            delivery in proptest::sample::select(Delivery::ALL.to_vec()),
            standard in any::<bool>(),
        ) {
            let workflow = if standard { Workflow::Standard } else { Workflow::Certificate };
            let next = NextStep::of(state, workflow, delivery);
            prop_assert_eq!(next == NextStep::Nothing, !state.is_under_way());
            prop_assert!(NextStep::ALL.contains(&next));
        }
    }
}
