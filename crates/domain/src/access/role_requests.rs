//! Two administrators for the roles that reach furthest: a change of an account's roles that adds
//! an administrator, auditor or care-coordinator role takes effect for everything else at once, and
//! those roles wait for a second administrator's approval. Withdrawing any role never waits.

use super::policy::Grant;

/// How long a request waits for a second administrator before it can no longer be approved.
pub const VALID_DAYS: i64 = 7;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A change of roles split by whether it needs a second administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleChange {
    /// The account's roles from now on: all it asked for but the added roles that wait.
    pub now: Vec<Grant>,
    /// The added roles that wait for a second administrator; empty when none do.
    pub awaiting: Vec<Grant>,
}

/// Splits `wanted` (an account's roles from now on, as asked) against what it holds (`current`).
pub fn split(current: &[Grant], wanted: &[Grant]) -> RoleChange {
    let (awaiting, now) = wanted
        .iter()
        .cloned()
        .partition(|g: &Grant| g.role().needs_second_administrator() && !current.contains(g));
    RoleChange { now, awaiting }
}

/// Whether a request made at `proposed_at` can still be approved at `now`.
pub fn still_valid(proposed_at: i64, now: i64) -> bool {
    now < proposed_at + VALID_DAYS * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer() -> Grant {
        Grant::Officer("exit-entry".parse().expect("category"))
    }

    #[test]
    fn added_far_reaching_roles_wait_and_everything_else_applies() {
        let change = split(
            &[officer()],
            &[officer(), Grant::DutyLeader, Grant::Admin, Grant::Auditor],
        );
        assert_eq!(change.now, vec![officer(), Grant::DutyLeader]);
        assert_eq!(change.awaiting, vec![Grant::Admin, Grant::Auditor]);
    }

    #[test]
    fn roles_held_already_and_withdrawals_do_not_wait() {
        let change = split(
            &[
                Grant::Admin,
                Grant::CareCoordinator(crate::access::CareArea::County),
            ],
            &[Grant::Admin],
        );
        assert_eq!(change.now, vec![Grant::Admin]);
        assert!(change.awaiting.is_empty());
    }

    #[test]
    fn a_new_care_coordinator_waits_with_nothing_else_given() {
        let change = split(
            &[],
            &[Grant::CareCoordinator(crate::access::CareArea::County)],
        );
        assert!(change.now.is_empty());
        assert_eq!(
            change.awaiting,
            vec![Grant::CareCoordinator(crate::access::CareArea::County)]
        );
    }

    #[test]
    fn a_request_lapses_after_its_days() {
        assert!(still_valid(0, VALID_DAYS * DAY_MS - 1));
        assert!(!still_valid(0, VALID_DAYS * DAY_MS));
    }
}
