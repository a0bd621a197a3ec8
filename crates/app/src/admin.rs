//! What administrators and auditors do: list and create accounts, keep the stations, read the audit
//! log.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Grant, Resource, role_requests};
use qiaoyi_domain::catalog::Station;
use qiaoyi_domain::catalog::StationRecord;
use qiaoyi_domain::catalog::station::check_station;
use qiaoyi_domain::failure::Reason;
use qiaoyi_store::{AuditFilter, NewRoleRequest, Page, UserRow};

pub use crate::role_requests::RoleRequest;

use crate::{App, AppError, Caller, check_limit};

/// An account as the admin page lists it: no hash, no secret.
#[derive(Clone, Debug)]
pub struct AccountSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub grants: Vec<String>,
    pub second_factor_enrolled: bool,
    pub locked_until: i64,
    pub disabled: bool,
    pub created_at: i64,
    /// Roles asked for it that wait for a second administrator.
    pub awaiting: Option<RoleRequest>,
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
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
            awaiting: None,
        }
    }
}

/// An audit entry as the auditor reads it: the entry, and the names its codes stand for where
/// there are any (empty otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub record: AuditRecord,
    /// The actor's account name.
    pub actor_name: String,
    /// The number of the case the entry is about.
    pub case_number: String,
    /// The name of the account the entry is about.
    pub subject_name: String,
}

/// What saving a station may do: the form for a new station must not replace one by accident, the
/// edit form must not create one, and the API's `PUT` does either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StationSave {
    Create,
    Replace,
    CreateOrReplace,
}

impl App {
    pub async fn accounts(
        &self,
        caller: &Caller,
        offset: u64,
        limit: u64,
    ) -> Result<Page<AccountSummary>, AppError> {
        self.authorize(caller, Action::ManageUsers, &Resource::System)
            .await?;
        check_limit(limit)?;
        let page = self.store.users(offset, limit).await?;
        Ok(Page {
            total: page.total,
            offset: page.offset,
            items: page.items.into_iter().map(AccountSummary::from).collect(),
        })
    }

    /// The audit log, newest first, with the names its codes stand for; the filter's actor may be
    /// an account's id, e-mail address or name, its record a case's number. Reading it is itself
    /// recorded.
    pub async fn audit_log(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Page<AuditEntry>, AppError> {
        self.authorize(caller, Action::ReadAuditLog, &Resource::System)
            .await?;
        check_limit(limit)?;
        let listing = self.store.audit_listing(filter, offset, limit).await?;
        let page = Page {
            total: listing.total,
            offset: listing.offset,
            items: listing
                .items
                .into_iter()
                .map(|l| AuditEntry {
                    record: l.record,
                    actor_name: l.actor_name,
                    case_number: l.case_number,
                    subject_name: l.subject_name,
                })
                .collect(),
        };
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            Action::ReadAuditLog,
            (AuditSubject::Audit, ""),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.audit(&record).await?;
        Ok(page)
    }

    /// Every station with who manages it and how many accounts and cases depend on it.
    pub async fn station_records(&self, caller: &Caller) -> Result<Vec<StationRecord>, AppError> {
        self.authorize(caller, Action::ManageCatalogue, &Resource::System)
            .await?;
        Ok(self.store.station_records().await?)
    }

    /// One station, for the administrator's edit form.
    pub async fn station_for_edit(&self, caller: &Caller, code: &str) -> Result<Station, AppError> {
        self.authorize(caller, Action::ManageCatalogue, &Resource::System)
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
        caller: &Caller,
        station: &Station,
        mode: StationSave,
    ) -> Result<bool, AppError> {
        self.authorize(caller, Action::ManageCatalogue, &Resource::System)
            .await?;
        check_station(station).map_err(|p| AppError::Invalid {
            field: p.field,
            reason: Reason::Malformed,
            message: format!("{}: {}", p.path, p.message),
        })?;
        let code = station.code.as_str();
        let exists = self.store.station(code).await?.is_some();
        match (mode, exists) {
            (StationSave::Create, true) => {
                return Err(AppError::Invalid {
                    field: "code",
                    reason: Reason::Malformed,
                    message: format!("station {code} exists already; edit it instead"),
                });
            }
            (StationSave::Replace, false) => {
                return Err(AppError::NotFound(format!("station {code}")));
            }
            _ => {}
        }
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            AuditEvent::SaveStation,
            (AuditSubject::Station, code),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self.store.save_station(station, &record).await?)
    }

    /// One account, for the administrator's account page, with the roles waiting for it.
    pub async fn account(&self, caller: &Caller, id: &str) -> Result<AccountSummary, AppError> {
        self.authorize(caller, Action::ManageUsers, &Resource::System)
            .await?;
        let mut account = self
            .store
            .user_by_id(id)
            .await?
            .map(AccountSummary::from)
            .ok_or_else(|| AppError::NotFound(format!("account {id}")))?;
        account.awaiting = self
            .store
            .open_role_request_for(id)
            .await?
            .map(|row| RoleRequest::from_row(row, caller.now));
        Ok(account)
    }

    /// Gives an account `grants`: at once, but for administrator, auditor and care-coordinator roles it
    /// does not hold yet, which wait for a second administrator (a request replacing any still
    /// open for it). Nobody changes her own roles. An account keeps at least one role, given or
    /// waiting (disable it instead). Scopes of added roles must name a station or category that
    /// exists.
    pub async fn set_grants(
        &self,
        caller: &Caller,
        id: &str,
        grants: Vec<Grant>,
    ) -> Result<AccountSummary, AppError> {
        let account = self.account(caller, id).await?;
        self.authorize(caller, Action::ChangeRoles, &Resource::Person { id })
            .await?;
        let mut grants = grants;
        grants.sort_by_key(|g| g.to_string());
        grants.dedup();
        if grants.is_empty() {
            return Err(AppError::refused(
                "roles",
                Reason::LastRole,
                "keep at least one role; to stop someone signing in, disable the account",
            ));
        }
        let current: Vec<Grant> = account
            .grants
            .iter()
            .filter_map(|g| Grant::parse_text(g).ok())
            .collect();
        // Only roles being added must name a station or category that exists now: a role held
        // since before a catalogue change must not block every other change to the account.
        let added: Vec<Grant> = grants
            .iter()
            .filter(|g| !current.contains(g))
            .cloned()
            .collect();
        self.check_scopes(&added).await?;
        let change = role_requests::split(&current, &grants);
        let mut record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::RolesChanged,
            (AuditSubject::Account, &account.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = grant_list(&change.now);
        let request = self.role_request_for(caller, &account.id, &change.awaiting);
        self.store
            .set_grants(
                &account.id,
                &grant_rows(&change.now),
                &record,
                request.as_ref().map(|(r, a)| (r, a)),
            )
            .await?;
        self.account(caller, id).await
    }

    /// The request for `awaiting` roles of `account_id` asked by `caller`, with its audit entry;
    /// `None` when no role waits.
    pub(crate) fn role_request_for(
        &self,
        caller: &Caller,
        account_id: &str,
        awaiting: &[Grant],
    ) -> Option<(NewRoleRequest, AuditRecord)> {
        if awaiting.is_empty() {
            return None;
        }
        let actor = caller.session().map(|s| &s.actor)?;
        let request = NewRoleRequest {
            id: format!("rr-{}", crate::accounts::random_hex(12)),
            account_id: account_id.to_owned(),
            grants: grant_list(awaiting),
            proposed_by: actor.user_id.clone(),
            proposed_at: caller.now,
        };
        let mut record = self.audit_record(
            Some(actor),
            AuditEvent::RolesRequested,
            (AuditSubject::Account, account_id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = request.grants.clone();
        Some((request, record))
    }

    /// A station or officer role must name a station or category the catalogue has, a care
    /// coordinator's one of the county's townships (or none, for the whole county).
    pub(crate) async fn check_scopes(&self, grants: &[Grant]) -> Result<(), AppError> {
        let categories = if grants.iter().any(|g| matches!(g, Grant::Officer(_))) {
            self.store.categories().await?
        } else {
            Vec::new()
        };
        for grant in grants {
            match grant {
                Grant::Station(code) if self.store.station(code.as_str()).await?.is_none() => {
                    return Err(roles_invalid(&format!(
                        "there is no station {code}; see the stations page for their codes (import the catalogue first on a new installation)"
                    )));
                }
                Grant::Officer(code) if !categories.iter().any(|c| c.code == *code) => {
                    return Err(roles_invalid(&format!(
                        "there is no category {code}; the categories are in the catalogue (import it first on a new installation)"
                    )));
                }
                Grant::CareCoordinator(qiaoyi_domain::access::CareArea::Township(name))
                    if !self.townships().iter().any(|t| t.name == *name) =>
                {
                    return Err(roles_invalid(&format!(
                        "there is no township {name} in the county; give one from the care programme's list, or nothing for the whole county"
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Disables an account, ending its sessions, or enables it again. Nobody disables themselves.
    pub async fn set_account_disabled(
        &self,
        caller: &Caller,
        id: &str,
        disabled: bool,
    ) -> Result<AccountSummary, AppError> {
        let account = self.account(caller, id).await?;
        if disabled && caller.session().is_some_and(|s| s.actor.user_id == id) {
            return Err(AppError::Invalid {
                field: "disabled",
                reason: Reason::Malformed,
                message: "you cannot disable your own account; ask another administrator".into(),
            });
        }
        let action = if disabled {
            AuditEvent::AccountDisabled
        } else {
            AuditEvent::AccountEnabled
        };
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            action,
            (AuditSubject::Account, &account.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .set_disabled(&account.id, disabled.then_some(caller.now), &record)
            .await?;
        self.account(caller, id).await
    }
}

fn roles_invalid(message: &str) -> AppError {
    AppError::malformed("roles", message)
}

/// Grants as the audit log and requests list them: `role:scope` joined by commas.
pub(crate) fn grant_list(grants: &[Grant]) -> String {
    grants
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Grants as the store keeps them: `(role, scope)`.
pub(crate) fn grant_rows(grants: &[Grant]) -> Vec<(String, String)> {
    grants
        .iter()
        .map(|g| (g.role().as_str().to_owned(), g.scope().to_owned()))
        .collect()
}
