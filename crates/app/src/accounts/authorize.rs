//! The one permission check every use case calls: signed in, the second factor passed where
//! required (and fresh for deciding actions), and allowed by `domain::access::policy::decide`; a
//! denial is audited.

use qiaoyi_domain::access::{Action, AuditSubject, Decision, Resource, decide};

use super::{CurrentSession, SecondFactor};
use crate::{App, AppError, Caller};

/// How old a second-factor check may be before a deciding action asks again.
pub const FRESH_SECOND_FACTOR_MS: i64 = 10 * 60 * 1000;

impl App {
    /// The one permission check. Signed in, second factor passed where required, and allowed by the
    /// domain's decision; a denial is audited.
    pub async fn authorize(
        &self,
        caller: &Caller,
        action: Action,
        resource: &Resource<'_>,
    ) -> Result<(), AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        if !session.is_complete() {
            return Err(AppError::SecondFactorRequired);
        }
        match decide(&session.actor, action, resource) {
            Decision::Allow
                if action.needs_a_person() && session.second_factor == SecondFactor::Token =>
            {
                Err(AppError::Forbidden(
                    "an API token acts for a system: a person signs in to decide or to manage her own account",
                ))
            }
            Decision::Allow
                if action.is_deciding() && !App::second_factor_is_fresh(session, caller.now) =>
            {
                Err(AppError::FreshSecondFactorRequired)
            }
            Decision::Allow => Ok(()),
            Decision::Deny(reason) => {
                let subject = match resource {
                    Resource::System => (AuditSubject::System, ""),
                    Resource::Person { id } => (AuditSubject::Person, *id),
                    Resource::Case { id, .. } | Resource::VideoRoom { case: id, .. } => {
                        (AuditSubject::Case, *id)
                    }
                    Resource::Consultation { id, .. } => (AuditSubject::Consultation, *id),
                    Resource::RoleRequest { account, .. } => (AuditSubject::Account, *account),
                    Resource::Child { id, .. } => (AuditSubject::Child, *id),
                    Resource::Township { name } => (AuditSubject::Township, *name),
                    Resource::Account { id, .. } => (AuditSubject::Account, *id),
                    Resource::Hall { station } => (AuditSubject::Station, station.as_str()),
                    Resource::Evaluation { station } => (
                        AuditSubject::Station,
                        station.map(|s| s.as_str()).unwrap_or_default(),
                    ),
                };
                let mut record = self.audit_record(
                    Some(&session.actor),
                    action,
                    subject,
                    "denied",
                    &caller.client,
                    caller.now,
                );
                // Shown, as refused, on the "who read my file" of the person it was about.
                record.person = match resource {
                    Resource::Person { id } | Resource::Account { id, .. } => id,
                    Resource::Case { applicant, .. } | Resource::VideoRoom { applicant, .. } => {
                        applicant
                    }
                    Resource::Consultation { person, .. } => person,
                    Resource::System
                    | Resource::RoleRequest { .. }
                    | Resource::Child { .. }
                    | Resource::Township { .. }
                    | Resource::Hall { .. }
                    | Resource::Evaluation { .. } => "",
                }
                .to_string();
                self.store.audit(&record).await?;
                Err(AppError::Forbidden(reason))
            }
        }
    }

    /// [`App::authorize`] for an action on the signed-in person's own records; returns their id.
    pub async fn authorize_own<'s>(
        &self,
        caller: &'s Caller,
        action: Action,
    ) -> Result<&'s str, AppError> {
        let me = caller
            .session()
            .map(|s| s.actor.user_id.as_str())
            .unwrap_or_default();
        self.authorize(caller, action, &Resource::Person { id: me })
            .await?;
        Ok(me)
    }

    /// Whether a deciding action may go ahead without asking for the second factor again.
    pub fn second_factor_is_fresh(session: &CurrentSession, now: i64) -> bool {
        match session.second_factor {
            SecondFactor::Passed(at) => now - at <= FRESH_SECOND_FACTOR_MS,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use qiaoyi_domain::access::{Actor, Grant};

    use super::*;

    fn officer(second_factor: SecondFactor) -> CurrentSession {
        CurrentSession {
            actor: Actor {
                user_id: "o".into(),
                grants: vec![Grant::Officer("exit-entry".parse().expect("category"))],
            },
            email: String::new(),
            display_name: String::new(),
            language: None,
            token_hash: String::new(),
            csrf: String::new(),
            created_at: 0,
            second_factor,
            elder_mode: false,
        }
    }

    #[test]
    fn a_second_factor_is_fresh_for_ten_minutes() {
        assert!(App::second_factor_is_fresh(
            &officer(SecondFactor::Passed(1_000)),
            1_000 + FRESH_SECOND_FACTOR_MS
        ));
        assert!(!App::second_factor_is_fresh(
            &officer(SecondFactor::Passed(1_000)),
            1_001 + FRESH_SECOND_FACTOR_MS
        ));
        assert!(!App::second_factor_is_fresh(
            &officer(SecondFactor::NotRequired),
            0
        ));
        assert!(!App::second_factor_is_fresh(
            &officer(SecondFactor::Challenge),
            0
        ));
    }
}
