//! The workflow tables: which step a case may take from which state, per workflow kind. A case moves
//! only through [`transition`]; the pages offer exactly the steps [`steps_from`] returns.

use crate::access::Action;
use crate::catalog::Workflow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseState {
    Draft,
    Submitted,
    Accepted,
    IdentityVerified,
    UnderReview,
    Approved,
    Refused,
    InProduction,
    Ready,
    Dispatched,
    Delivered,
    Closed,
    Returned,
    Withdrawn,
}

impl CaseState {
    pub const ALL: [CaseState; 14] = [
        CaseState::Draft,
        CaseState::Submitted,
        CaseState::Accepted,
        CaseState::IdentityVerified,
        CaseState::UnderReview,
        CaseState::Approved,
        CaseState::Refused,
        CaseState::InProduction,
        CaseState::Ready,
        CaseState::Dispatched,
        CaseState::Delivered,
        CaseState::Closed,
        CaseState::Returned,
        CaseState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Submitted => "submitted",
            CaseState::Accepted => "accepted",
            CaseState::IdentityVerified => "identity_verified",
            CaseState::UnderReview => "under_review",
            CaseState::Approved => "approved",
            CaseState::Refused => "refused",
            CaseState::InProduction => "in_production",
            CaseState::Ready => "ready",
            CaseState::Dispatched => "dispatched",
            CaseState::Delivered => "delivered",
            CaseState::Closed => "closed",
            CaseState::Returned => "returned",
            CaseState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Still under way: another application for the same service and person would be a
    /// possible duplicate. A refused, withdrawn, delivered or closed case is over.
    pub fn is_under_way(self) -> bool {
        !matches!(
            self,
            CaseState::Refused | CaseState::Withdrawn | CaseState::Delivered | CaseState::Closed
        )
    }

    /// The states [`CaseState::is_under_way`] holds for, for queries.
    pub fn under_way() -> impl Iterator<Item = CaseState> {
        CaseState::ALL.into_iter().filter(|s| s.is_under_way())
    }

    /// Waiting for the bureau: these states sit in an officer's queue.
    pub fn is_with_bureau(self) -> bool {
        matches!(
            self,
            CaseState::Submitted
                | CaseState::Accepted
                | CaseState::IdentityVerified
                | CaseState::UnderReview
                | CaseState::Approved
                | CaseState::InProduction
                | CaseState::Ready
                | CaseState::Dispatched
                | CaseState::Delivered
        )
    }

    /// The person's identity was verified on the case's way to this state: every case passes
    /// `VerifyIdentity` after being accepted, and one returned for materials is verified again
    /// when it comes back.
    pub fn identity_verified(self) -> bool {
        matches!(
            self,
            CaseState::IdentityVerified
                | CaseState::UnderReview
                | CaseState::Approved
                | CaseState::Refused
                | CaseState::InProduction
                | CaseState::Ready
                | CaseState::Dispatched
                | CaseState::Delivered
                | CaseState::Closed
        )
    }

    /// No step leads out of it.
    pub fn is_final(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Withdrawn)
    }
}

/// How a case reached the bureau.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Filed by the applicant (or a family member) on the web.
    Online,
    /// Filed by an overseas station for a person at the station.
    Station,
    /// Filed at the bureau's window, or by a consultant for someone (代办).
    Window,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Online, Channel::Station, Channel::Window];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Station => "station",
            Channel::Window => "window",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A command that moves a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Submit,
    Accept,
    ReturnForMaterials,
    Resubmit,
    VerifyIdentity,
    StartReview,
    Approve,
    Refuse,
    StartProduction,
    MarkReady,
    /// Certificate workflow: the electronic certificate is issued.
    Issue,
    Dispatch,
    Deliver,
    Close,
    Withdraw,
}

impl Step {
    pub const ALL: [Step; 15] = [
        Step::Submit,
        Step::Accept,
        Step::ReturnForMaterials,
        Step::Resubmit,
        Step::VerifyIdentity,
        Step::StartReview,
        Step::Approve,
        Step::Refuse,
        Step::StartProduction,
        Step::MarkReady,
        Step::Issue,
        Step::Dispatch,
        Step::Deliver,
        Step::Close,
        Step::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Accept => "accept",
            Step::ReturnForMaterials => "return",
            Step::Resubmit => "resubmit",
            Step::VerifyIdentity => "verify_identity",
            Step::StartReview => "start_review",
            Step::Approve => "approve",
            Step::Refuse => "refuse",
            Step::StartProduction => "start_production",
            Step::MarkReady => "mark_ready",
            Step::Issue => "issue",
            Step::Dispatch => "dispatch",
            Step::Deliver => "deliver",
            Step::Close => "close",
            Step::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The permission the step needs: the applicant's side files and withdraws, the officer
    /// processes, and approving, refusing and issuing are decisions.
    pub fn action(self) -> Action {
        match self {
            Step::Submit | Step::Resubmit | Step::Withdraw => Action::SubmitCase,
            Step::Approve | Step::Refuse | Step::Issue => Action::DecideCase,
            _ => Action::ProcessCase,
        }
    }

    /// The person must be told why: a refusal and a return for materials carry a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Refuse | Step::ReturnForMaterials)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a case that is {} cannot take the step \"{}\"", .from.as_str(), .step.as_str())]
    NotAllowed { from: CaseState, step: Step },
}

/// Where `step` takes a case of this workflow from `from`.
pub fn transition(
    workflow: Workflow,
    from: CaseState,
    step: Step,
) -> Result<CaseState, WorkflowError> {
    use CaseState as S;
    let standard = workflow == Workflow::Standard;
    let to = match (from, step) {
        (S::Draft, Step::Submit) => S::Submitted,
        (S::Submitted, Step::Accept) => S::Accepted,
        (
            S::Submitted | S::Accepted | S::IdentityVerified | S::UnderReview,
            Step::ReturnForMaterials,
        ) => S::Returned,
        (S::Returned, Step::Resubmit) => S::Submitted,
        (S::Accepted, Step::VerifyIdentity) => S::IdentityVerified,
        (S::IdentityVerified, Step::StartReview) => S::UnderReview,
        (S::UnderReview, Step::Approve) => S::Approved,
        (S::UnderReview, Step::Refuse) => S::Refused,
        (S::Approved, Step::StartProduction) if standard => S::InProduction,
        (S::InProduction, Step::MarkReady) if standard => S::Ready,
        (S::Approved, Step::Issue) if !standard => S::Ready,
        (S::Ready, Step::Dispatch) if standard => S::Dispatched,
        (S::Dispatched, Step::Deliver) if standard => S::Delivered,
        // An electronic certificate is delivered by download or e-mail: no dispatch.
        (S::Ready, Step::Deliver) if !standard => S::Delivered,
        (S::Delivered | S::Refused, Step::Close) => S::Closed,
        (
            S::Draft
            | S::Submitted
            | S::Returned
            | S::Accepted
            | S::IdentityVerified
            | S::UnderReview,
            Step::Withdraw,
        ) => S::Withdrawn,
        _ => return Err(WorkflowError::NotAllowed { from, step }),
    };
    Ok(to)
}

/// Every step the workflow allows from `state`, in the order a page offers them.
pub fn steps_from(workflow: Workflow, state: CaseState) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|step| transition(workflow, state, *step).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    const BOTH: [Workflow; 2] = [Workflow::Standard, Workflow::Certificate];

    fn walk(workflow: Workflow, steps: &[Step]) -> Result<CaseState, WorkflowError> {
        steps
            .iter()
            .try_fold(CaseState::Draft, |s, step| transition(workflow, s, *step))
    }

    #[test]
    fn the_standard_path_reaches_closed() {
        use Step::*;
        let path = [
            Submit,
            Accept,
            VerifyIdentity,
            StartReview,
            Approve,
            StartProduction,
            MarkReady,
            Dispatch,
            Deliver,
            Close,
        ];
        assert_eq!(walk(Workflow::Standard, &path), Ok(CaseState::Closed));
        assert!(walk(Workflow::Certificate, &path).is_err());
    }

    #[test]
    fn the_certificate_path_issues_instead_of_producing() {
        use Step::*;
        let path = [
            Submit,
            Accept,
            VerifyIdentity,
            StartReview,
            Approve,
            Issue,
            Deliver,
            Close,
        ];
        assert_eq!(walk(Workflow::Certificate, &path), Ok(CaseState::Closed));
        assert!(walk(Workflow::Standard, &path).is_err());
    }

    #[test]
    fn returned_cases_come_back_and_refusals_close() {
        use Step::*;
        let path = [
            Submit,
            Accept,
            ReturnForMaterials,
            Resubmit,
            Accept,
            VerifyIdentity,
            StartReview,
            Refuse,
            Close,
        ];
        for w in BOTH {
            assert_eq!(walk(w, &path), Ok(CaseState::Closed));
        }
    }

    #[test]
    fn forbidden_steps_name_the_state_and_step() {
        assert_eq!(
            transition(Workflow::Standard, CaseState::Submitted, Step::Approve),
            Err(WorkflowError::NotAllowed {
                from: CaseState::Submitted,
                step: Step::Approve
            })
        );
        assert!(
            WorkflowError::NotAllowed {
                from: CaseState::Closed,
                step: Step::Withdraw
            }
            .to_string()
            .contains("closed")
        );
    }

    #[test]
    fn final_states_have_no_way_out_and_every_state_is_reachable() {
        for w in BOTH {
            for s in CaseState::ALL {
                if s.is_final() {
                    assert!(steps_from(w, s).is_empty(), "{s:?}");
                }
            }
            let mut seen = HashSet::from([CaseState::Draft]);
            let mut frontier = vec![CaseState::Draft];
            while let Some(s) = frontier.pop() {
                for step in steps_from(w, s) {
                    let next = transition(w, s, step).expect("offered");
                    if seen.insert(next) {
                        frontier.push(next);
                    }
                }
            }
            let unreachable: Vec<_> = CaseState::ALL
                .iter()
                .filter(|s| !seen.contains(s))
                .collect();
            match w {
                Workflow::Standard => assert!(unreachable.is_empty(), "{unreachable:?}"),
                Workflow::Certificate => assert_eq!(
                    unreachable,
                    [&CaseState::InProduction, &CaseState::Dispatched]
                ),
            }
        }
    }

    #[test]
    fn names_read_back() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Step::parse("approve_all"), None);
    }

    proptest! {
        #[test]
        fn any_sequence_of_steps_stays_in_the_table(steps in proptest::collection::vec(0usize..15, 0..40), certificate: bool) {
            let w = if certificate { Workflow::Certificate } else { Workflow::Standard };
            let mut state = CaseState::Draft;
            for i in steps {
                let step = Step::ALL[i];
                match transition(w, state, step) {
                    Ok(next) => {
                        prop_assert!(steps_from(w, state).contains(&step));
                        prop_assert!(!state.is_final());
                        state = next;
                    }
                    Err(_) => prop_assert!(!steps_from(w, state).contains(&step)),
                }
            }
        }

        /// "Identity verified" holds exactly when `VerifyIdentity` came after the case was last
        /// submitted, and it has not been withdrawn since.
        #[test]
        fn identity_is_verified_after_the_step_until_the_case_comes_back(steps in proptest::collection::vec(0usize..15, 0..40), certificate: bool) {
            let w = if certificate { Workflow::Certificate } else { Workflow::Standard };
            let mut state = CaseState::Draft;
            let mut verified = false;
            for i in steps {
                let step = Step::ALL[i];
                if let Ok(next) = transition(w, state, step) {
                    state = next;
                    verified = match step {
                        Step::VerifyIdentity => true,
                        Step::Submit | Step::Resubmit | Step::ReturnForMaterials | Step::Withdraw => false,
                        _ => verified,
                    };
                }
                prop_assert_eq!(state.identity_verified(), verified, "{:?}", state);
            }
        }
    }
}
