//! What administrators and auditors do: list and create accounts, read the audit log.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::access::{Action, Resource};
use qiaoyi_store::{AuditFilter, Page, UserRow};

use crate::accounts::{Client, CurrentSession};
use crate::{App, AppError, MAX_PAGE};

/// An account as the admin page lists it: no hash, no secret.
#[derive(Clone, Debug)]
pub struct AccountSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub grants: Vec<String>,
    pub second_factor_enrolled: bool,
    pub locked_until: i64,
    pub created_at: i64,
}

impl From<UserRow> for AccountSummary {
    fn from(u: UserRow) -> Self {
        AccountSummary {
            grants: u
                .grants
                .iter()
                .map(|(role, scope)| {
                    if scope.is_empty() {
                        role.clone()
                    } else {
                        format!("{role}:{scope}")
                    }
                })
                .collect(),
            second_factor_enrolled: u.totp_secret.is_some(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            locked_until: u.locked_until,
            created_at: u.created_at,
        }
    }
}

fn check_limit(limit: u64) -> Result<(), AppError> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(AppError::Invalid {
            field: "limit",
            message: format!("give a limit from 1 to {MAX_PAGE}"),
        });
    }
    Ok(())
}

impl App {
    pub async fn accounts(
        &self,
        session: Option<&CurrentSession>,
        offset: u64,
        limit: u64,
        client: &Client,
        now: i64,
    ) -> Result<Page<AccountSummary>, AppError> {
        self.authorize(session, Action::ManageUsers, &Resource::System, client, now)
            .await?;
        check_limit(limit)?;
        let page = self.store.users(offset, limit).await?;
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items: page.items.into_iter().map(AccountSummary::from).collect(),
        })
    }

    /// The audit log, newest first. Reading it is itself recorded.
    pub async fn audit_log(
        &self,
        session: Option<&CurrentSession>,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
        client: &Client,
        now: i64,
    ) -> Result<Page<AuditRecord>, AppError> {
        self.authorize(
            session,
            Action::ReadAuditLog,
            &Resource::System,
            client,
            now,
        )
        .await?;
        check_limit(limit)?;
        let page = self.store.audit_search(filter, offset, limit).await?;
        let actor = session.map(|s| &s.actor);
        let record = self.audit_record(actor, "read_audit_log", ("audit", ""), "ok", client, now);
        self.store.audit(&record).await?;
        Ok(page)
    }
}
