//! What administrators and auditors do: list and create accounts, keep the stations, read the audit
//! log.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::access::{Action, Resource};
use qiaoyi_domain::catalog::Station;
use qiaoyi_domain::catalog::station::check_station;
use qiaoyi_store::{AuditFilter, Page, StationRecord, UserRow};

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

/// What saving a station may do: the form for a new station must not replace one by accident, the
/// edit form must not create one, and the API's `PUT` does either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StationSave {
    Create,
    Replace,
    CreateOrReplace,
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

    /// Every station with who manages it and how many accounts and cases depend on it.
    pub async fn station_records(
        &self,
        session: Option<&CurrentSession>,
        client: &Client,
        now: i64,
    ) -> Result<Vec<StationRecord>, AppError> {
        self.authorize(
            session,
            Action::ManageCatalogue,
            &Resource::System,
            client,
            now,
        )
        .await?;
        Ok(self.store.station_records().await?)
    }

    /// One station, for the administrator's edit form.
    pub async fn station_for_edit(
        &self,
        session: Option<&CurrentSession>,
        code: &str,
        client: &Client,
        now: i64,
    ) -> Result<Station, AppError> {
        self.authorize(
            session,
            Action::ManageCatalogue,
            &Resource::System,
            client,
            now,
        )
        .await?;
        self.store
            .station(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("station {code}")))
    }

    /// Adds or replaces a station after checking it by the catalogue's rules. Returns whether it
    /// is new. The station is the administrators' from now on: catalogue imports leave it alone.
    pub async fn save_station(
        &self,
        session: Option<&CurrentSession>,
        station: &Station,
        mode: StationSave,
        client: &Client,
        now: i64,
    ) -> Result<bool, AppError> {
        self.authorize(
            session,
            Action::ManageCatalogue,
            &Resource::System,
            client,
            now,
        )
        .await?;
        check_station(station).map_err(|p| AppError::Invalid {
            field: p.field,
            message: format!("{}: {}", p.path, p.message),
        })?;
        let code = station.code.as_str();
        let exists = self.store.station(code).await?.is_some();
        match (mode, exists) {
            (StationSave::Create, true) => {
                return Err(AppError::Invalid {
                    field: "code",
                    message: format!("station {code} exists already; edit it instead"),
                });
            }
            (StationSave::Replace, false) => {
                return Err(AppError::NotFound(format!("station {code}")));
            }
            _ => {}
        }
        let actor = session.map(|s| &s.actor);
        let record = self.audit_record(actor, "save_station", ("station", code), "ok", client, now);
        Ok(self.store.save_station(station, &record).await?)
    }
}
