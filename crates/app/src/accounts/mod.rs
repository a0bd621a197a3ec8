//! Accounts and sessions: creating users, signing in with a password and a second factor, session
//! expiry, lockout, and the one place where permissions are checked ([`App::authorize`]).
//!
//! `login` signs in, `passwords` hashes and verifies passwords, `sessions` reads and ends sessions,
//! `second_factor` is TOTP and recovery codes, `authorize` the permission check.

mod authorize;
mod login;
mod password_change;
mod password_reset;
mod passwords;
mod second_factor;
mod sessions;

pub use authorize::FRESH_SECOND_FACTOR_MS;
pub use login::{LOCK_DURATION_MS, LOCK_THRESHOLD, LOCK_WINDOW_MS, LoginOutcome};
pub(crate) use password_reset::new_sms_code;
pub use password_reset::{
    DESK_CODE_VALID_MS, IdentityCheck, IssuedCode, RESET_LINK_VALID_MS, SMS_CODE_VALID_MS, SendBy,
};
pub(crate) use passwords::{PasswordCost, hash_password};
pub use second_factor::{RECOVERY_CODES, new_totp_secret, otpauth_uri, totp_code};
pub use sessions::SessionSummary;

use qiaoyi_domain::access::audit::{AuditRecord, hex};
use qiaoyi_domain::access::{
    Action, Actor, AuditAction, AuditEvent, AuditSubject, Email, Grant, Password, Resource,
};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_store::{NewUser, UserRow};

use crate::{App, AppError};

/// Where a request came from, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub address: String,
}

/// A signed-in user as the rest of the application sees them.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    pub actor: Actor,
    pub email: String,
    pub display_name: String,
    pub language: Option<Lang>,
    pub token_hash: String,
    pub csrf: String,
    pub created_at: i64,
    pub second_factor: SecondFactor,
    /// The account's remembered choice of elder mode.
    pub elder_mode: bool,
}

impl CurrentSession {
    /// Whether the session may act: signed in, with the second factor passed where required.
    pub fn is_complete(&self) -> bool {
        matches!(
            self.second_factor,
            SecondFactor::NotRequired | SecondFactor::Passed(_) | SecondFactor::Token
        )
    }
}

/// Who calls a use case and when: the session (if any), the client's address and the moment the
/// request arrived. The auth layer builds it once per request, so every use case the request runs
/// sees the same caller and the same now, and they travel as one value instead of three.
#[derive(Clone, Debug)]
pub struct Caller {
    pub session: Option<CurrentSession>,
    pub client: Client,
    pub now: i64,
}

impl Caller {
    pub fn anonymous(client: Client, now: i64) -> Caller {
        Caller {
            session: None,
            client,
            now,
        }
    }

    pub fn signed_in(session: CurrentSession, client: Client, now: i64) -> Caller {
        Caller {
            session: Some(session),
            client,
            now,
        }
    }

    pub fn session(&self) -> Option<&CurrentSession> {
        self.session.as_ref()
    }
}

/// Where the session stands with the second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    /// An applicant without TOTP: nothing more to do.
    NotRequired,
    /// Passed at this instant.
    Passed(i64),
    /// A TOTP code must be entered.
    Challenge,
    /// Staff without TOTP must enrol before anything else.
    Enrol,
    /// An API token: no person is there to pass one, so deciding actions are refused.
    Token,
}

/// A staff or applicant account to create.
#[derive(Clone, Debug)]
pub struct AccountRequest<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub grants: Vec<Grant>,
    pub language: Lang,
    pub confirmed: bool,
    /// Base32 TOTP secret to set at once (demo and CLI-created staff).
    pub totp_secret: Option<String>,
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS random source failing is not something to carry on from: sessions would be guessable.
    getrandom::fill(&mut buf)
        .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
    hex(&buf)
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn grants_of(row: &UserRow) -> Vec<Grant> {
    // A stored grant that no longer parses grants nothing: deny by default.
    row.grants
        .iter()
        .filter_map(|(role, scope)| Grant::parse(role, scope).ok())
        .collect()
}

impl App {
    pub(crate) fn audit_record(
        &self,
        actor: Option<&Actor>,
        action: impl Into<AuditAction>,
        subject: (AuditSubject, &str),
        outcome: &str,
        client: &Client,
        now: i64,
    ) -> AuditRecord {
        let (role, station) = actor
            .map(|a| {
                let mut roles: Vec<&str> = a.grants.iter().map(|g| g.role().as_str()).collect();
                roles.dedup();
                let station = a.grants.iter().find_map(|g| match g {
                    Grant::Station(s) => Some(s.to_string()),
                    _ => None,
                });
                (roles.join(","), station.unwrap_or_default())
            })
            .unwrap_or_default();
        AuditRecord {
            seq: 0,
            at_ms: now,
            actor: actor.map(|a| a.user_id.clone()).unwrap_or_default(),
            role,
            station,
            action: action.into().code().into_owned(),
            subject_type: subject.0.as_str().to_owned(),
            subject_id: subject.1.to_owned(),
            purpose: String::new(),
            outcome: outcome.to_owned(),
            client: client.address.clone(),
            person: String::new(),
        }
    }

    /// Creates an account. `by` is the admin doing it, or `None` for the command line and sign-up.
    pub async fn create_account(
        &self,
        caller: &Caller,
        request: AccountRequest<'_>,
    ) -> Result<String, AppError> {
        let email = Email::parse(request.email).map_err(|m| AppError::Invalid {
            field: "email",
            reason: Reason::Malformed,
            message: m.into(),
        })?;
        let name = request.display_name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid {
                field: "name",
                reason: Reason::Malformed,
                message: "give a name of 1 to 100 characters".into(),
            });
        }
        let password =
            Password::for_person(request.password, &[name, email.as_str()]).map_err(|p| {
                AppError::Invalid {
                    field: "password",
                    reason: p.reason(),
                    message: p.advice(),
                }
            })?;
        if request.grants.is_empty() {
            return Err(AppError::Invalid {
                field: "roles",
                reason: Reason::LastRole,
                message: "give the account at least one role".into(),
            });
        }
        if caller.session().is_some() {
            self.authorize(caller, Action::ManageUsers, &Resource::System)
                .await?;
        }
        self.check_scopes(&request.grants).await?;
        let id = format!("u-{}", random_hex(12));
        // Given by an administrator, far-reaching roles wait for a second one; the command line
        // (whoever runs it holds the server) and the demo give them at once.
        let change = match caller.session() {
            Some(_) => qiaoyi_domain::access::role_requests::split(&[], &request.grants),
            None => qiaoyi_domain::access::role_requests::RoleChange {
                now: request.grants.clone(),
                awaiting: Vec::new(),
            },
        };
        let role_request = self.role_request_for(caller, &id, &change.awaiting);
        let new = NewUser {
            id: id.clone(),
            email: email.to_string(),
            display_name: name.to_owned(),
            password_hash: hash_password(self.password_cost, password).await?,
            language: request.language,
            confirmed_at: request.confirmed.then_some(caller.now),
            totp_secret: request
                .totp_secret
                .map(|secret| self.vault.seal(&second_factor::totp_context(&id), &secret)),
            grants: crate::admin::grant_rows(&change.now),
        };
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            AuditEvent::AccountCreated,
            (AuditSubject::Account, &id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .create_user(
                &new,
                caller.now,
                &record,
                None,
                role_request.as_ref().map(|(r, a)| (r, a)),
            )
            .await?;
        Ok(id)
    }
}
