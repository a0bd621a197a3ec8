//! Signing in: the same work for an unknown address as for a wrong password, lockout after repeated
//! failures (the account's owner told by e-mail), a disabled or unconfirmed account told so only
//! after the right password, and a new session that says what the second factor still needs.

use qiaoyi_domain::access::Actor;
use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::email::Email;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewMessage, SessionRow};

use super::passwords::{DUMMY_HASH, password_matches};
use super::{SecondFactor, grants_of, random_hex};
use crate::{App, AppError, Caller};

/// Failed logins within [`LOCK_WINDOW_MS`] that lock an account.
pub const LOCK_THRESHOLD: i64 = 5;

pub const LOCK_WINDOW_MS: i64 = 15 * 60 * 1000;

pub const LOCK_DURATION_MS: i64 = 15 * 60 * 1000;

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

impl App {
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
}
