//! Applicants sign themselves up; a one-time code sent through the outbox proves the e-mail address
//! is theirs before they can sign in.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{AuditEvent, AuditSubject, Email, Grant, Password};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewMessage, NewUser};

use crate::accounts::random_hex;
use crate::{App, AppError, Caller};

/// How long a confirmation code is valid.
pub const CODE_VALID_MS: i64 = 30 * 60 * 1000;
/// Wrong codes before a code stops working.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

/// A six-digit code, uniformly drawn.
fn new_code() -> String {
    let mut buf = [0u8; 4];
    getrandom::fill(&mut buf)
        .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
    format!("{:06}", u32::from_le_bytes(buf) % 1_000_000)
}

/// The code's hash, bound to the account so equal codes of two accounts differ.
fn code_hash(user_id: &str, code: &str) -> String {
    sha256_hex(format!("{user_id}:{}", code.trim()).as_bytes())
}

fn confirmation_message(user_id: &str, email: &str, language: Lang, code: &str) -> NewMessage {
    NewMessage {
        id: format!("m-{}", random_hex(12)),
        channel: "email".into(),
        recipient: email.to_owned(),
        language: language.tag().to_owned(),
        template: Notice::ConfirmEmail.template().into(),
        params: serde_json::json!({ "code": code, "minutes": CODE_VALID_MS / 60_000 }).to_string(),
        user_id: Some(user_id.to_owned()),
        dedupe_key: None,
    }
}

impl App {
    /// Creates an unconfirmed applicant account and queues the confirmation code. Returns the
    /// e-mail address as it will be used to sign in.
    pub async fn sign_up(
        &self,
        caller: &Caller,
        email: &str,
        name: &str,
        password: &str,
        language: Lang,
    ) -> Result<String, AppError> {
        let email = Email::parse(email).map_err(|m| AppError::Invalid {
            field: "email",
            reason: Reason::Malformed,
            message: m.into(),
        })?;
        let name = qiaoyi_domain::text::without_invisible(name);
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::Invalid {
                field: "name",
                reason: Reason::Malformed,
                message: "give your name, in 1 to 100 characters".into(),
            });
        }
        let password = Password::for_person(password, &[name, email.as_str()]).map_err(|p| {
            AppError::Invalid {
                field: "password",
                reason: p.reason(),
                message: p.advice(),
            }
        })?;
        let id = format!("u-{}", random_hex(12));
        let code = new_code();
        let new = NewUser {
            id: id.clone(),
            email: email.to_string(),
            display_name: name.to_owned(),
            password_hash: crate::accounts::hash_password(self.password_cost, password).await?,
            language,
            confirmed_at: None,
            totp_secret: None,
            grants: vec![(Grant::Applicant.role().as_str().to_owned(), String::new())],
        };
        let record = self.audit_record(
            None,
            AuditEvent::SignUp,
            (AuditSubject::Account, &id),
            "ok",
            &caller.client,
            caller.now,
        );
        let message = confirmation_message(&id, email.as_str(), language, &code);
        self.store
            .sign_up(
                &new,
                &code_hash(&id, &code),
                caller.now + CODE_VALID_MS,
                caller.now,
                &record,
                &message,
            )
            .await?;
        Ok(email.to_string())
    }

    /// Confirms an address with its code. Any failure looks the same, so the page cannot be used to
    /// learn which addresses have accounts.
    pub async fn confirm_email(
        &self,
        caller: &Caller,
        email: &str,
        code: &str,
    ) -> Result<bool, AppError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(false);
        };
        let Some(user) = self.store.user_by_email(email.as_str()).await? else {
            return Ok(false);
        };
        if user.confirmed_at.is_some() {
            return Ok(false);
        }
        let hash = code_hash(&user.id, code);
        let ok = self.audit_record(
            None,
            AuditEvent::ConfirmEmail,
            (AuditSubject::Account, &user.id),
            "ok",
            &caller.client,
            caller.now,
        );
        let failed = self.audit_record(
            None,
            AuditEvent::ConfirmEmail,
            (AuditSubject::Account, &user.id),
            "failed",
            &caller.client,
            caller.now,
        );
        Ok(self
            .store
            .confirm_email(&user.id, &hash, caller.now, MAX_CODE_ATTEMPTS, &ok, &failed)
            .await?)
    }

    /// Sends a fresh code to an unconfirmed address; silently does nothing otherwise.
    pub async fn resend_confirmation(&self, email: &str, now: i64) -> Result<(), AppError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let Some(user) = self.store.user_by_email(email.as_str()).await? else {
            return Ok(());
        };
        if user.confirmed_at.is_some() {
            return Ok(());
        }
        let code = new_code();
        let language = user.language;
        let message = confirmation_message(&user.id, &user.email, language, &code);
        Ok(self
            .store
            .renew_confirmation(
                &user.id,
                &code_hash(&user.id, &code),
                now + CODE_VALID_MS,
                now,
                &message,
            )
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn code_hashes_differ_per_account() {
        assert_ne!(code_hash("u-1", "123456"), code_hash("u-2", "123456"));
        assert_eq!(code_hash("u-1", " 123456 "), code_hash("u-1", "123456"));
    }
}
