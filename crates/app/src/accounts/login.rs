//! Signing in: the same work and the same answers for an unknown address as for a wrong password,
//! lockout after repeated failures for the typed address from one client (the account's owner told
//! by e-mail; her own sign-ins from elsewhere go on), a disabled or unconfirmed account told so only
//! after the right password, a client failing on many addresses slowed down (password spraying),
//! and a new session that says what the second factor still needs.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::email::Email;
use qiaoyi_domain::access::{Actor, AuditEvent, AuditSubject, spraying};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewMessage, PasswordAttempt, SessionRow, UserRow};

use super::passwords::{DUMMY_HASH, password_matches};
use super::{SecondFactor, grants_of, random_hex};
use crate::{App, AppError, Caller};

/// Wrong passwords for one typed address from one client within [`LOCK_WINDOW_MS`] that lock it for
/// that client; also wrong second-factor codes on an account within the window that lock it.
pub const LOCK_THRESHOLD: i64 = 5;

pub const LOCK_WINDOW_MS: i64 = 15 * 60 * 1000;

pub const LOCK_DURATION_MS: i64 = 15 * 60 * 1000;

/// The e-mail telling an account's owner that it is locked, and for how long; the same whether
/// wrong passwords or wrong second-factor codes locked it.
pub(super) fn lock_notice(user_id: &str, email: &str, language: Lang) -> NewMessage {
    NewMessage {
        id: format!("m-{}", random_hex(12)),
        channel: "email".into(),
        recipient: email.to_owned(),
        language: language.tag().to_owned(),
        template: Notice::AccountLocked.template().into(),
        params: serde_json::json!({ "minutes": LOCK_DURATION_MS / 60_000 }).to_string(),
        user_id: Some(user_id.to_owned()),
        dedupe_key: None,
    }
}

/// A try at `account_key` from `caller`'s client now, as the lockout counts it.
pub(super) fn attempt_by<'a>(account_key: &'a str, caller: &'a Caller) -> PasswordAttempt<'a> {
    PasswordAttempt {
        account_key,
        client: &caller.client.address,
        now: caller.now,
        window_start: caller.now - LOCK_WINDOW_MS,
        window_ms: LOCK_WINDOW_MS,
    }
}

impl App {
    /// Refuses `field` with `message` when wrong passwords or codes for the address from this
    /// client have reached the lockout.
    pub(super) async fn refuse_if_locked_out(
        &self,
        attempt: &PasswordAttempt<'_>,
        field: &'static str,
        message: &'static str,
    ) -> Result<(), AppError> {
        if self
            .store
            .password_lockout(attempt, LOCK_THRESHOLD)
            .await?
            .is_some()
        {
            return Err(AppError::refused(
                field,
                qiaoyi_domain::failure::Reason::AttemptsExhausted,
                message,
            ));
        }
        Ok(())
    }

    /// A message's `link` parameter: the sign-in page in the account's language.
    pub(super) fn sign_in_link(
        &self,
        user: &UserRow,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut params = serde_json::Map::new();
        params.insert(
            "link".into(),
            format!("{}/login?lang={}", self.public_url(), user.language.tag()).into(),
        );
        params
    }
}

/// The key wrong passwords for a typed address are counted under (hashed, whether or not an
/// account has the address); changing a password counts under the same key.
pub(super) fn sign_in_key(address: &str) -> String {
    sha256_hex(format!("sign-in:{address}").as_bytes())
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
    /// This client failed on too many different addresses lately (password spraying): it may try
    /// again at `until_ms`. Asked before any password is checked, so it says nothing of accounts.
    Throttled {
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
        let typed = Email::parse(email).ok();
        // Counted by what was typed, so an address without an account locks exactly as one with an
        // account does, and by client, so a stranger's guesses do not lock the owner out.
        let account_key = sign_in_key(
            &typed
                .as_ref()
                .map_or_else(|| email.trim().to_lowercase(), |e| e.as_str().to_owned()),
        );
        let attempt = attempt_by(&account_key, caller);
        let user = match &typed {
            Some(email) => self.store.user_by_email(email.as_str()).await?,
            None => None,
        };
        let actor = user.as_ref().map(|user| Actor {
            user_id: user.id.clone(),
            grants: grants_of(user),
        });
        let subject = (
            AuditSubject::Account,
            user.as_ref().map_or("", |u| u.id.as_str()),
        );
        let (failed_addresses, last_failure_at) = self
            .store
            .password_failures_of_client(&caller.client.address, attempt.window_start)
            .await?;
        if let Some(until_ms) = spraying::wait_until(failed_addresses, last_failure_at, caller.now)
        {
            let record = self.audit_record(
                actor.as_ref(),
                AuditEvent::LoginThrottled,
                subject,
                "denied",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(LoginOutcome::Throttled { until_ms });
        }
        if let Some(until_ms) = self
            .store
            .password_lockout(&attempt, LOCK_THRESHOLD)
            .await?
        {
            let record = self.audit_record(
                actor.as_ref(),
                AuditEvent::Login,
                subject,
                "denied",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(LoginOutcome::Locked { until_ms });
        }
        // A wrong address takes as long as a wrong password.
        let hash = user
            .as_ref()
            .map_or_else(|| DUMMY_HASH.to_owned(), |u| u.password_hash.clone());
        let matches = password_matches(hash, password.to_owned()).await;
        if !matches {
            return self
                .wrong_password(caller, &attempt, user.as_ref(), actor.as_ref())
                .await;
        }
        // The dummy hash matches no password, so a match has an account behind it.
        let (Some(user), Some(actor)) = (user, actor) else {
            return self.wrong_password(caller, &attempt, None, None).await;
        };
        // Locked after wrong second-factor codes: only someone with the password learns it.
        if user.locked_until > caller.now {
            let record = self.audit_record(
                Some(&actor),
                AuditEvent::Login,
                (AuditSubject::Account, &user.id),
                "denied",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(LoginOutcome::Locked {
                until_ms: user.locked_until,
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
                AuditEvent::Login,
                (AuditSubject::Account, &user.id),
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
            AuditEvent::Login,
            (AuditSubject::Account, &user.id),
            "ok",
            &caller.client,
            caller.now,
        );
        self.store
            .start_session(&session, &attempt, &record)
            .await?;
        Ok(LoginOutcome::SignedIn {
            token,
            second_factor,
        })
    }

    /// Counts a wrong password (or an address without an account) and answers: refused, or
    /// locked when this makes [`LOCK_THRESHOLD`] in the window, when an account's owner is told.
    async fn wrong_password(
        &self,
        caller: &Caller,
        attempt: &PasswordAttempt<'_>,
        owner: Option<&UserRow>,
        actor: Option<&Actor>,
    ) -> Result<LoginOutcome, AppError> {
        let user_id = owner.map_or("", |u| u.id.as_str());
        let record = self.audit_record(
            actor,
            AuditEvent::Login,
            (AuditSubject::Account, user_id),
            "failed",
            &caller.client,
            caller.now,
        );
        let lock_record = self.audit_record(
            actor,
            AuditEvent::AccountLocked,
            (AuditSubject::Account, user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        let message = owner.map(|user| lock_notice(&user.id, &user.email, user.language));
        let locked = self
            .store
            .password_failed(
                attempt,
                LOCK_THRESHOLD,
                &record,
                message.as_ref().map(|m| (&lock_record, m)),
            )
            .await?;
        if !locked {
            return Ok(LoginOutcome::Refused);
        }
        let until_ms = self
            .store
            .password_lockout(attempt, LOCK_THRESHOLD)
            .await?
            .unwrap_or(caller.now + LOCK_DURATION_MS);
        Ok(LoginOutcome::Locked { until_ms })
    }
}
