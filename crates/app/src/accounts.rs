//! Accounts and sessions: creating users, signing in with a password and a second factor, session
//! expiry, lockout, and the one place where permissions are checked ([`App::authorize`]).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use qiaoyi_domain::access::audit::{AuditRecord, hex, sha256_hex};
use qiaoyi_domain::access::{Action, Actor, Decision, Email, Grant, Password, Resource, decide};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewMessage, NewUser, SessionRow, UserRow};
use totp_rs::{Algorithm, TOTP};

use crate::{App, AppError};

/// Failed logins within [`LOCK_WINDOW_MS`] that lock an account.
pub const LOCK_THRESHOLD: i64 = 5;
pub const LOCK_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_DURATION_MS: i64 = 15 * 60 * 1000;
/// How old a second-factor check may be before a deciding action asks again.
pub const FRESH_SECOND_FACTOR_MS: i64 = 10 * 60 * 1000;
const TOTP_STEP_SECONDS: i64 = 30;

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
}

impl CurrentSession {
    /// Whether the session may act: signed in, with the second factor passed where required.
    pub fn is_complete(&self) -> bool {
        matches!(
            self.second_factor,
            SecondFactor::NotRequired | SecondFactor::Passed(_)
        )
    }
}

/// What a login attempt gave.
#[derive(Debug)]
pub enum LoginOutcome {
    SignedIn {
        token: String,
        second_factor: SecondFactor,
    },
    /// Wrong e-mail or password; which of them is never said.
    Refused,
    Locked {
        until_ms: i64,
    },
    /// The password is right but the e-mail address has not been confirmed yet.
    Unconfirmed,
    /// The password is right but an administrator has disabled the account.
    Disabled,
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

/// A new random TOTP secret (160 bits), base32.
pub fn new_totp_secret() -> String {
    let mut buf = [0u8; 20];
    getrandom::fill(&mut buf)
        .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
    totp_rs::Secret::Raw(buf.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str) -> Result<TOTP, AppError> {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| AppError::Invalid {
            field: "totp",
            reason: Reason::Malformed,
            message: "the stored TOTP secret is unreadable".into(),
        })?;
    TOTP::new(Algorithm::SHA1, 6, 1, TOTP_STEP_SECONDS as u64, bytes).map_err(|e| {
        AppError::Invalid {
            field: "totp",
            reason: Reason::Malformed,
            message: format!("TOTP secret refused: {e}"),
        }
    })
}

/// The time step whose code `code` is, within one step of `now`, or `None`.
fn totp_step(secret: &str, code: &str, now_ms: i64) -> Result<Option<i64>, AppError> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    let current = now_ms.div_euclid(1000) / TOTP_STEP_SECONDS;
    for step in [current - 1, current, current + 1] {
        let Ok(at) = u64::try_from(step * TOTP_STEP_SECONDS) else {
            continue;
        };
        if constant_time_eq(totp.generate(at).as_bytes(), code.as_bytes()) {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

/// Number of recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Ten codes like `k7m2-x9qp`.
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut buf = [0u8; 8];
            getrandom::fill(&mut buf)
                .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
            let chars: String = buf
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()]))
                .collect();
            format!("{}-{}", &chars[..4], &chars[4..])
        })
        .collect()
}

/// A recovery code as typed, normalised: lower case, no spaces or dashes.
fn normalise_recovery(code: &str) -> Option<String> {
    let s: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase();
    (s.len() == 8 && s.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(s)
}

fn recovery_hash(user_id: &str, normalised: &str) -> String {
    sha256_hex(format!("recovery:{user_id}:{normalised}").as_bytes())
}

/// The current code for a secret (demo printing and tests).
pub fn totp_code(secret: &str, now_ms: i64) -> Result<String, AppError> {
    Ok(totp(secret)?.generate(u64::try_from(now_ms / 1000).unwrap_or(0)))
}

/// An `otpauth://` URI for authenticator apps.
pub fn otpauth_uri(secret: &str, email: &str) -> String {
    let label: String = form_encode(&format!("Qiaoyi:{email}"));
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer=Qiaoyi&algorithm=SHA1&digits=6&period=30"
    )
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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

/// How much work a new password hash takes. Verifying reads the cost from the stored hash, so
/// hashes of either cost are checked correctly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PasswordCost {
    /// argon2id's recommended parameters (19 MiB, 2 passes): every server.
    Standard,
    /// The smallest parameters argon2 accepts, for tests only ([`App::with_store`]).
    Minimal,
}

impl PasswordCost {
    fn hasher(self) -> Result<Argon2<'static>, AppError> {
        let params = match self {
            PasswordCost::Standard => argon2::Params::default(),
            PasswordCost::Minimal => argon2::Params::new(
                argon2::Params::MIN_M_COST,
                argon2::Params::MIN_T_COST,
                argon2::Params::MIN_P_COST,
                None,
            )
            .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?,
        };
        Ok(Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

pub(crate) async fn hash_password(
    cost: PasswordCost,
    password: Password,
) -> Result<String, AppError> {
    let hasher = cost.hasher()?;
    tokio::task::spawn_blocking(move || {
        hasher
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("cannot hash a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("password hashing stopped: {e}")))?
}

async fn password_matches(stored: String, given: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|hash| {
                Argon2::default()
                    .verify_password(given.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A valid argon2id hash of a random password: verifying against it when the e-mail address is
/// unknown makes a wrong address take as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7l2hpa0DgfaCFE2a7PRaFEDhgl7ekXUjXHQ+PAnM0Zk";

impl App {
    pub(crate) fn audit_record(
        &self,
        actor: Option<&Actor>,
        action: &str,
        subject: (&str, &str),
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
            action: action.to_owned(),
            subject_type: subject.0.to_owned(),
            subject_id: subject.1.to_owned(),
            purpose: String::new(),
            outcome: outcome.to_owned(),
            client: client.address.clone(),
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
        let password = Password::new(request.password).map_err(|p| AppError::Invalid {
            field: "password",
            reason: p.reason(),
            message: p.advice(),
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
        let new = NewUser {
            id: id.clone(),
            email: email.to_string(),
            display_name: name.to_owned(),
            password_hash: hash_password(self.password_cost, password).await?,
            language: request.language.tag().to_owned(),
            confirmed_at: request.confirmed.then_some(caller.now),
            totp_secret: request.totp_secret,
            grants: request
                .grants
                .iter()
                .map(|g| (g.role().as_str().to_owned(), g.scope().to_owned()))
                .collect(),
        };
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            "account_created",
            ("account", &id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .create_user(&new, caller.now, &record, None)
            .await?;
        Ok(id)
    }

    /// Checks an e-mail address and password and, when right, starts a session.
    pub async fn login(
        &self,
        caller: &Caller,
        email: &str,
        password: &str,
    ) -> Result<LoginOutcome, AppError> {
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let Some(user) = user else {
            password_matches(DUMMY_HASH.to_owned(), password.to_owned()).await;
            let record = self.audit_record(
                None,
                "login",
                ("account", ""),
                "failed",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(LoginOutcome::Refused);
        };
        let actor = Actor {
            user_id: user.id.clone(),
            grants: grants_of(&user),
        };
        if user.locked_until > caller.now {
            let record = self.audit_record(
                Some(&actor),
                "login",
                ("account", &user.id),
                "denied",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(LoginOutcome::Locked {
                until_ms: user.locked_until,
            });
        }
        if !password_matches(user.password_hash.clone(), password.to_owned()).await {
            let record = self.audit_record(
                Some(&actor),
                "login",
                ("account", &user.id),
                "failed",
                &caller.client,
                caller.now,
            );
            let lock_record = self.audit_record(
                Some(&actor),
                "account_locked",
                ("account", &user.id),
                "ok",
                &caller.client,
                caller.now,
            );
            let message = NewMessage {
                id: format!("m-{}", random_hex(12)),
                channel: "email".into(),
                recipient: user.email.clone(),
                language: user.language.clone(),
                template: Notice::AccountLocked.template().into(),
                params: serde_json::json!({ "minutes": LOCK_DURATION_MS / 60_000 }).to_string(),
                user_id: Some(user.id.clone()),
                dedupe_key: None,
            };
            let locked = self
                .store
                .login_failed(
                    &user.id,
                    caller.now,
                    caller.now - LOCK_WINDOW_MS,
                    LOCK_THRESHOLD,
                    caller.now + LOCK_DURATION_MS,
                    &record,
                    &lock_record,
                    &message,
                )
                .await?;
            return Ok(if locked {
                LoginOutcome::Locked {
                    until_ms: caller.now + LOCK_DURATION_MS,
                }
            } else {
                LoginOutcome::Refused
            });
        }
        // The password is right, but the account may not sign in: say why, and audit the denial.
        let refused = if user.disabled_at.is_some() {
            Some(LoginOutcome::Disabled)
        } else if user.confirmed_at.is_none() {
            Some(LoginOutcome::Unconfirmed)
        } else {
            None
        };
        if let Some(outcome) = refused {
            let record = self.audit_record(
                Some(&actor),
                "login",
                ("account", &user.id),
                "denied",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(outcome);
        }
        let second_factor = match (&user.totp_secret, actor.is_staff()) {
            (Some(_), _) => SecondFactor::Challenge,
            (None, true) => SecondFactor::Enrol,
            (None, false) => SecondFactor::NotRequired,
        };
        let token = random_hex(32);
        let session = SessionRow {
            token_hash: sha256_hex(token.as_bytes()),
            user_id: user.id.clone(),
            csrf: random_hex(32),
            created_at: caller.now,
            last_seen_at: caller.now,
            second_factor_at: None,
            client: caller.client.address.clone(),
        };
        let record = self.audit_record(
            Some(&actor),
            "login",
            ("account", &user.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store.start_session(&session, &record).await?;
        Ok(LoginOutcome::SignedIn {
            token,
            second_factor,
        })
    }

    /// The session a cookie's token names, if it exists and has not expired. Expired sessions are
    /// removed when found.
    /// Whether a session read earlier still stands: not signed out, not expired, its account
    /// enabled. Long-lived connections (chat sockets) ask before acting on it.
    pub async fn session_is_live(
        &self,
        session: &CurrentSession,
        now: i64,
    ) -> Result<bool, AppError> {
        let Some(row) = self.store.session(&session.token_hash).await? else {
            return Ok(false);
        };
        let idle = self.config.session_idle_minutes.saturating_mul(60_000);
        let absolute = self.config.session_absolute_hours.saturating_mul(3_600_000);
        if now - row.last_seen_at > idle || now - row.created_at > absolute {
            return Ok(false);
        }
        Ok(self
            .store
            .user_by_id(&row.user_id)
            .await?
            .is_some_and(|u| u.disabled_at.is_none()))
    }

    pub async fn session(&self, token: &str, now: i64) -> Result<Option<CurrentSession>, AppError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let token_hash = sha256_hex(token.as_bytes());
        let Some(row) = self.store.session(&token_hash).await? else {
            return Ok(None);
        };
        let idle = self.config.session_idle_minutes.saturating_mul(60_000);
        let absolute = self.config.session_absolute_hours.saturating_mul(3_600_000);
        if now - row.last_seen_at > idle || now - row.created_at > absolute {
            self.store.end_session(&token_hash, None).await?;
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(&row.user_id).await? else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        if now - row.last_seen_at > 60_000 {
            self.store.touch_session(&token_hash, now).await?;
        }
        let actor = Actor {
            user_id: user.id.clone(),
            grants: grants_of(&user),
        };
        let second_factor = match (row.second_factor_at, &user.totp_secret, actor.is_staff()) {
            (Some(at), _, _) => SecondFactor::Passed(at),
            (None, Some(_), _) => SecondFactor::Challenge,
            (None, None, true) => SecondFactor::Enrol,
            (None, None, false) => SecondFactor::NotRequired,
        };
        Ok(Some(CurrentSession {
            actor,
            email: user.email,
            display_name: user.display_name,
            language: Lang::from_tag(&user.language),
            token_hash,
            csrf: row.csrf,
            created_at: row.created_at,
            second_factor,
            elder_mode: user.elder_mode,
        }))
    }

    /// Issues a fresh set of recovery codes for a user, replacing any earlier set, and returns them
    /// to be shown once.
    pub async fn issue_recovery_codes(
        &self,
        user_id: &str,
        by: Option<&Actor>,
        client: &Client,
        now: i64,
    ) -> Result<Vec<String>, AppError> {
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes
            .iter()
            .filter_map(|c| normalise_recovery(c))
            .map(|c| recovery_hash(user_id, &c))
            .collect();
        let record = self.audit_record(
            by,
            "recovery_codes_issued",
            ("account", user_id),
            "ok",
            client,
            now,
        );
        self.store
            .replace_recovery_codes(user_id, &hashes, now, &record)
            .await?;
        Ok(codes)
    }

    /// New recovery codes for the signed-in user, who must have passed the second factor.
    pub async fn renew_recovery_codes(&self, caller: &Caller) -> Result<Vec<String>, AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        self.authorize_own(caller, Action::ManageOwnAccount).await?;
        self.issue_recovery_codes(
            &session.actor.user_id,
            Some(&session.actor),
            &caller.client,
            caller.now,
        )
        .await
    }

    /// Checks a TOTP code, or one of the user's recovery codes, for the session's user; either is
    /// accepted once only.
    pub async fn pass_second_factor(&self, caller: &Caller, code: &str) -> Result<bool, AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let user = self
            .store
            .user_by_id(&session.actor.user_id)
            .await?
            .ok_or_else(|| AppError::NotFound("account".into()))?;
        if let Some(recovery) = normalise_recovery(code) {
            let subject = ("account", session.actor.user_id.as_str());
            let record = self.audit_record(
                Some(&session.actor),
                "second_factor_recovery_code",
                subject,
                "ok",
                &caller.client,
                caller.now,
            );
            let hash = recovery_hash(&session.actor.user_id, &recovery);
            let used = self
                .store
                .use_recovery_code(
                    &session.actor.user_id,
                    &hash,
                    &session.token_hash,
                    caller.now,
                    &record,
                )
                .await?;
            if !used {
                let record = self.audit_record(
                    Some(&session.actor),
                    "second_factor_recovery_code",
                    subject,
                    "failed",
                    &caller.client,
                    caller.now,
                );
                self.store.audit(&record).await?;
            }
            return Ok(used);
        }
        let Some(secret) = user.totp_secret else {
            return Err(AppError::Invalid {
                field: "code",
                reason: Reason::Malformed,
                message: "set up an authenticator app first".into(),
            });
        };
        self.accept_code(caller, &secret, None, code).await
    }

    /// Enrols `secret` for the session's user when `code` proves their app has it, and returns the
    /// user's new recovery codes; `None` when the code was wrong.
    pub async fn enrol_second_factor(
        &self,
        caller: &Caller,
        secret: &str,
        code: &str,
    ) -> Result<Option<Vec<String>>, AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        totp(secret)?;
        if !self.accept_code(caller, secret, Some(secret), code).await? {
            return Ok(None);
        }
        let codes = self
            .issue_recovery_codes(
                &session.actor.user_id,
                Some(&session.actor),
                &caller.client,
                caller.now,
            )
            .await?;
        Ok(Some(codes))
    }

    async fn accept_code(
        &self,
        caller: &Caller,
        secret: &str,
        enrol: Option<&str>,
        code: &str,
    ) -> Result<bool, AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let subject = ("account", session.actor.user_id.as_str());
        let action = if enrol.is_some() {
            "second_factor_enrolled"
        } else {
            "second_factor"
        };
        let accepted = match totp_step(secret, code, caller.now)? {
            Some(step) => {
                let record = self.audit_record(
                    Some(&session.actor),
                    action,
                    subject,
                    "ok",
                    &caller.client,
                    caller.now,
                );
                self.store
                    .pass_second_factor(
                        &session.actor.user_id,
                        &session.token_hash,
                        step,
                        enrol,
                        caller.now,
                        &record,
                    )
                    .await?
            }
            None => false,
        };
        if !accepted {
            let record = self.audit_record(
                Some(&session.actor),
                action,
                subject,
                "failed",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
        }
        Ok(accepted)
    }

    /// Remembers elder mode for the signed-in account.
    pub async fn set_elder_mode(&self, session: &CurrentSession, on: bool) -> Result<(), AppError> {
        if session.elder_mode != on {
            self.store
                .set_elder_mode(&session.actor.user_id, on)
                .await?;
        }
        Ok(())
    }

    pub async fn logout(&self, caller: &Caller) -> Result<(), AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let record = self.audit_record(
            Some(&session.actor),
            "logout",
            ("account", &session.actor.user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .end_session(&session.token_hash, Some(&record))
            .await?)
    }

    pub async fn logout_other_sessions(&self, caller: &Caller) -> Result<u64, AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let record = self.audit_record(
            Some(&session.actor),
            "logout_others",
            ("account", &session.actor.user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .end_other_sessions(&session.actor.user_id, &session.token_hash, &record)
            .await?)
    }

    pub async fn sessions(&self, session: &CurrentSession) -> Result<Vec<SessionRow>, AppError> {
        Ok(self.store.sessions_of(&session.actor.user_id).await?)
    }

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
                if action.is_deciding() && !App::second_factor_is_fresh(session, caller.now) =>
            {
                Err(AppError::FreshSecondFactorRequired)
            }
            Decision::Allow => Ok(()),
            Decision::Deny(reason) => {
                let subject = match resource {
                    Resource::System => ("system", ""),
                    Resource::Person { id } => ("person", *id),
                    Resource::Case { id, .. } => ("case", *id),
                    Resource::Consultation { id, .. } => ("consultation", *id),
                };
                let record = self.audit_record(
                    Some(&session.actor),
                    action.as_str(),
                    subject,
                    "denied",
                    &caller.client,
                    caller.now,
                );
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
    use super::*;

    /// Servers hash with argon2id's recommended cost; a cheap test hash is still verified by the
    /// cost written into it.
    #[tokio::test]
    async fn servers_hash_at_the_standard_cost_and_any_cost_verifies() {
        let passphrase = "violet harbour lantern 1987 tide";
        for (cost, written) in [
            (PasswordCost::Standard, "$argon2id$v=19$m=19456,t=2,p=1$"),
            (PasswordCost::Minimal, "$argon2id$v=19$m=8,t=1,p=1$"),
        ] {
            let hash = hash_password(cost, Password::new(passphrase).expect("ok"))
                .await
                .expect("hash");
            assert!(hash.starts_with(written), "{cost:?}: {hash}");
            assert!(password_matches(hash.clone(), passphrase.into()).await);
            assert!(!password_matches(hash, "violet harbour lantern 1987 tidE".into()).await);
        }
    }

    #[test]
    fn totp_codes_match_their_step_only() {
        let secret = new_totp_secret();
        let now = 1_700_000_000_000;
        let code = totp_code(&secret, now).expect("code");
        assert_eq!(
            totp_step(&secret, &code, now).expect("ok"),
            Some(now / 1000 / 30)
        );
        assert_eq!(
            totp_step(&secret, &code, now + 30_000).expect("ok"),
            Some(now / 1000 / 30)
        );
        assert_eq!(totp_step(&secret, &code, now + 120_000).expect("ok"), None);
        assert_eq!(totp_step(&secret, "12345", now).expect("ok"), None);
        assert_eq!(totp_step(&secret, "abcdef", now).expect("ok"), None);
    }

    #[test]
    fn otpauth_uri_escapes_the_label() {
        let uri = otpauth_uri("ABC", "li@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Qiaoyi%3Ali%40example.com?secret=ABC&issuer=Qiaoyi&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 9);
            assert!(normalise_recovery(code).is_some());
            assert_eq!(
                normalise_recovery(&code.to_uppercase().replace('-', " ")),
                normalise_recovery(code)
            );
        }
        assert_eq!(
            normalise_recovery("123456"),
            None,
            "a TOTP code is not a recovery code"
        );
        assert_eq!(normalise_recovery("abcd-efg0"), None);
    }

    #[test]
    fn dummy_hash_is_a_valid_hash() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}

#[cfg(test)]
mod fresh_tests {
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
