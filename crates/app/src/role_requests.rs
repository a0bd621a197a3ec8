//! Roles waiting for a second administrator: the list administrators see, and approving or
//! rejecting one, decided by the policy (`DecideRoleRequest`: neither the administrator who asked
//! nor the account's owner) and audited.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource, role_requests};
use qiaoyi_domain::failure::Reason;
use qiaoyi_store::{RoleRequestRow, StoreError};

use crate::admin::{AccountSummary, grant_rows};
use crate::{App, AppError, Caller};

/// Roles asked for an account, waiting for a second administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRequest {
    pub id: String,
    pub account_id: String,
    pub account_email: String,
    pub account_name: String,
    /// e.g. `admin`, `care_coordinator:鹤城街道`.
    pub grants: Vec<String>,
    pub proposed_by: String,
    pub proposed_by_name: String,
    pub proposed_at: i64,
    /// Asked too long ago to be approved; it can still be rejected, or asked again.
    pub lapsed: bool,
}

impl RoleRequest {
    pub(crate) fn from_row(row: RoleRequestRow, now: i64) -> RoleRequest {
        RoleRequest {
            lapsed: !role_requests::still_valid(row.proposed_at, now),
            grants: row.grants.iter().map(ToString::to_string).collect(),
            id: row.id,
            account_id: row.account_id,
            account_email: row.account_email,
            account_name: row.account_name,
            proposed_by: row.proposed_by,
            proposed_by_name: row.proposed_by_name,
            proposed_at: row.proposed_at,
        }
    }
}

/// What a second administrator does with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleDecision {
    Approve,
    Reject,
}

impl App {
    /// The requests still waiting, oldest first (administrators).
    pub async fn role_requests(&self, caller: &Caller) -> Result<Vec<RoleRequest>, AppError> {
        self.authorize(caller, Action::ManageUsers, &Resource::System)
            .await?;
        Ok(self
            .store
            .open_role_requests()
            .await?
            .into_iter()
            .map(|row| RoleRequest::from_row(row, caller.now))
            .collect())
    }

    /// Approves (adding the roles) or rejects a waiting request; returns the account as it is now.
    pub async fn decide_role_request(
        &self,
        caller: &Caller,
        id: &str,
        decision: RoleDecision,
    ) -> Result<AccountSummary, AppError> {
        self.authorize(caller, Action::ManageUsers, &Resource::System)
            .await?;
        let row = self
            .store
            .role_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("role request {id}")))?;
        self.authorize(
            caller,
            Action::DecideRoleRequest,
            &Resource::RoleRequest {
                account: &row.account_id,
                proposed_by: &row.proposed_by,
            },
        )
        .await?;
        if row.decided_at.is_some() {
            return Err(decided_already());
        }
        let add = match decision {
            RoleDecision::Reject => None,
            RoleDecision::Approve => {
                if !role_requests::still_valid(row.proposed_at, caller.now) {
                    return Err(AppError::refused(
                        "request",
                        Reason::Lapsed,
                        format!(
                            "this request is more than {} days old; reject it, and ask again if \
                             the roles are still needed",
                            role_requests::VALID_DAYS
                        ),
                    ));
                }
                self.check_scopes(&row.grants).await?;
                Some(grant_rows(&row.grants))
            }
        };
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            match decision {
                RoleDecision::Approve => AuditEvent::RolesApproved,
                RoleDecision::Reject => AuditEvent::RolesRejected,
            },
            (AuditSubject::Account, &row.account_id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = crate::admin::grant_list(&row.grants);
        let actor = caller
            .session()
            .map(|s| s.actor.user_id.as_str())
            .ok_or(AppError::Unauthenticated)?;
        if !self
            .store
            .decide_role_request(&row, actor, caller.now, add.as_deref(), &record)
            .await?
        {
            return Err(decided_already());
        }
        self.account(caller, &row.account_id).await
    }
}

fn decided_already() -> AppError {
    StoreError::conflict(
        "this request was decided or replaced meanwhile; reload the account to see its roles"
            .into(),
    )
    .into()
}
