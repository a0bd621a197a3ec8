//! Setting a new password without the old one. By e-mail: anyone asks for a link for an address
//! and gets the same answer whether or not an account has it; the link works once, for
//! [`RESET_LINK_VALID_MS`]. By text message: the same ask sends a code to the mobile number on
//! file, if the account has one, for [`SMS_CODE_VALID_MS`]. At a desk: station staff or an officer check a person's identity (in
//! person or by video) and hand her a one-time code, audited and shown on her access log; she
//! types it with her address. Staff accounts are reset by an administrator the same way, who can
//! also reset a lost authenticator. Setting the password ends every session of the account.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::email::Email;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Password, Resource, Role};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;
use qiaoyi_store::{NewPasswordReset, ResetUse, UserRow};
use serde_json::{Map, Value};

use super::login::{LOCK_THRESHOLD, attempt_by, lock_notice, sign_in_key};
use super::passwords::hash_password;
use super::{grants_of, random_hex};
use crate::{App, AppError, Caller};

/// How long a link sent by e-mail works.
pub const RESET_LINK_VALID_MS: i64 = 30 * 60 * 1000;
/// How long a code sent by text message works.
pub const SMS_CODE_VALID_MS: i64 = 15 * 60 * 1000;
/// Wrong codes typed for one account before its codes stop working, from whatever client.
const CODE_ATTEMPTS: i64 = 5;
/// How long a code handed over at a desk works: she may set her password at home.
pub const DESK_CODE_VALID_MS: i64 = 24 * 60 * 60 * 1000;
/// Links (or text-message codes) sent to one account within an hour; more asks are answered the
/// same and send nothing.
const LINKS_PER_HOUR: i64 = 3;
/// A desk code's letters: no 0/O or 1/I to misread aloud or on paper.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// The most characters a reason for resetting an authenticator takes.
const MAX_REASON: usize = 500;

/// Where a person asks a link or code to be sent: her reset, or a code to see a case's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendBy {
    /// A link to the account's e-mail address.
    Email,
    /// A code by text message to the mobile number on file.
    Sms,
}

impl SendBy {
    pub fn parse(text: &str) -> Option<SendBy> {
        match text.trim() {
            "" | "email" => Some(SendBy::Email),
            "sms" => Some(SendBy::Sms),
            _ => None,
        }
    }

    pub(crate) fn channel(self) -> &'static str {
        match self {
            SendBy::Email => "email",
            SendBy::Sms => "sms",
        }
    }
}

/// How the person's identity was checked before a desk code was handed to her.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityCheck {
    InPerson,
    Video,
}

impl IdentityCheck {
    pub fn parse(text: &str) -> Option<IdentityCheck> {
        match text.trim() {
            "in_person" => Some(IdentityCheck::InPerson),
            "video" => Some(IdentityCheck::Video),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdentityCheck::InPerson => "in_person",
            IdentityCheck::Video => "video",
        }
    }
}

/// A desk code as handed over: shown once, never stored in clear.
#[derive(Clone, Debug)]
pub struct IssuedCode {
    /// Ten letters and digits in two groups of five.
    pub code: String,
    pub expires_at: i64,
    pub display_name: String,
}

/// A link's token hash, and a desk code's (bound to its account, so equal codes differ).
fn link_hash(token: &str) -> String {
    sha256_hex(format!("reset-link:{}", token.trim()).as_bytes())
}

fn code_hash(user_id: &str, code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256_hex(format!("reset-code:{user_id}:{normal}").as_bytes())
}

/// Eight digits: easy to type from a text message.
pub(crate) fn new_sms_code() -> String {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf)
        .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
    let n = u64::from_le_bytes(buf) % 100_000_000;
    format!("{n:08}")
}

fn new_desk_code() -> String {
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf)
        .unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
    let chars: String = buf
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// The one answer for a link or code that does not (or no longer) work.
fn lapsed(field: &'static str) -> AppError {
    AppError::refused(
        field,
        Reason::Lapsed,
        "this link or code no longer works (it was used, replaced or is too old): ask for a new one",
    )
}

impl App {
    /// Sends a link to set a new password to `email` (or a code by text message to the mobile
    /// number on file) if an account in use has it. The answer is the same whatever the address
    /// (only a malformed one is refused), so nobody learns who has an account here; at most
    /// [`LINKS_PER_HOUR`] go to one account an hour.
    pub async fn request_password_reset(
        &self,
        caller: &Caller,
        email: &str,
        by: SendBy,
    ) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|message| AppError::Invalid {
            field: "email",
            reason: Reason::Malformed,
            message: message.into(),
        })?;
        let user = self
            .store
            .user_by_email(email.as_str())
            .await?
            .filter(|u| u.disabled_at.is_none() && u.confirmed_at.is_some());
        let Some(user) = user else {
            let record = self.audit_record(
                None,
                AuditEvent::PasswordResetRequested,
                (AuditSubject::Account, ""),
                "failed",
                &caller.client,
                caller.now,
            );
            self.store.audit(&record).await?;
            return Ok(());
        };
        let audit = |outcome: &str| {
            self.audit_record(
                None,
                AuditEvent::PasswordResetRequested,
                (AuditSubject::Account, &user.id),
                outcome,
                &caller.client,
                caller.now,
            )
        };
        let sent = self
            .store
            .password_resets_since(&user.id, by.channel(), caller.now - 60 * 60 * 1000)
            .await?;
        if sent >= LINKS_PER_HOUR {
            self.store.audit(&audit("denied")).await?;
            return Ok(());
        }
        if by == SendBy::Sms {
            return self.send_reset_code(caller, &user, audit("ok")).await;
        }
        let token = random_hex(32);
        let mut params = Map::new();
        params.insert(
            "link".into(),
            Value::from(format!(
                "{}/password/reset/{token}?lang={}",
                self.public_url(),
                user.language.tag()
            )),
        );
        params.insert("minutes".into(), Value::from(RESET_LINK_VALID_MS / 60_000));
        let messages = self
            .messages_to(&user, Notice::PasswordReset, &params)
            .await?;
        let hash = link_hash(&token);
        self.store
            .insert_password_reset(
                &NewPasswordReset {
                    token_hash: &hash,
                    user_id: &user.id,
                    channel: "email",
                    issued_by: None,
                    created_at: caller.now,
                    expires_at: caller.now + RESET_LINK_VALID_MS,
                },
                &audit("ok"),
                // The link goes to the address only, whatever else she chose to be told by.
                messages.iter().find(|m| m.channel == "email"),
            )
            .await?;
        Ok(())
    }

    /// Sends a code by text message to the account's mobile number on file; nothing (with the
    /// same answer) when it has none.
    async fn send_reset_code(
        &self,
        caller: &Caller,
        user: &UserRow,
        mut record: qiaoyi_domain::access::audit::AuditRecord,
    ) -> Result<(), AppError> {
        let settings = self.store.notification_settings(&user.id).await?;
        let Some(number) = settings.sms_number.filter(|n| !n.is_empty()) else {
            record.outcome = "failed".into();
            record.purpose = "no mobile number on file".into();
            self.store.audit(&record).await?;
            return Ok(());
        };
        let code = new_sms_code();
        let message = qiaoyi_store::NewMessage {
            id: format!("m-{}", random_hex(12)),
            channel: "sms".into(),
            recipient: number,
            language: user.language.tag().to_owned(),
            template: Notice::PasswordResetCode.template().into(),
            params: serde_json::json!({ "code": code, "minutes": SMS_CODE_VALID_MS / 60_000 })
                .to_string(),
            user_id: Some(user.id.clone()),
            dedupe_key: None,
        };
        record.purpose = "sms".into();
        let hash = code_hash(&user.id, &code);
        self.store
            .insert_password_reset(
                &NewPasswordReset {
                    token_hash: &hash,
                    user_id: &user.id,
                    channel: "sms",
                    issued_by: None,
                    created_at: caller.now,
                    expires_at: caller.now + SMS_CODE_VALID_MS,
                },
                &record,
                Some(&message),
            )
            .await?;
        Ok(())
    }

    /// Whether a reset link still works, for the page that asks for the new password.
    pub async fn reset_link_works(&self, token: &str, now: i64) -> Result<bool, AppError> {
        Ok(self
            .store
            .usable_password_reset(&link_hash(token), now)
            .await?
            .is_some_and(|r| r.channel == "email"))
    }

    /// Sets a new password with a link's token: once, within its time.
    pub async fn reset_password_with_link(
        &self,
        caller: &Caller,
        token: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let hash = link_hash(token);
        let reset = self
            .store
            .usable_password_reset(&hash, caller.now)
            .await?
            .filter(|r| r.channel == "email")
            .ok_or_else(|| lapsed("token"))?;
        let user = self
            .store
            .user_by_id(&reset.user_id)
            .await?
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(|| lapsed("token"))?;
        self.set_password_by_reset(caller, &user, &hash, new, "email")
            .await
    }

    /// Sets a new password with a code (sent by text message or handed over at a desk) and the
    /// account's address. A wrong code counts towards the address's lockout from this client, as
    /// a wrong password does, and against the account's codes, which stop working at the
    /// [`CODE_ATTEMPTS`]th.
    pub async fn reset_password_with_code(
        &self,
        caller: &Caller,
        email: &str,
        code: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let address = email.trim().to_lowercase();
        let account_key = sign_in_key(&address);
        let attempt = attempt_by(&account_key, caller);
        self.refuse_if_locked_out(
            &attempt,
            "code",
            "too many wrong codes from here; try again in 15 minutes",
        )
        .await?;
        let user = self
            .store
            .user_by_email(&address)
            .await?
            .filter(|u| u.disabled_at.is_none());
        let hash = user
            .as_ref()
            .map(|u| code_hash(&u.id, code))
            .unwrap_or_default();
        let usable = match &user {
            Some(_) => self
                .store
                .usable_password_reset(&hash, caller.now)
                .await?
                .filter(|r| r.channel == "desk" || r.channel == "sms"),
            None => None,
        };
        if let (Some(user), None) = (&user, &usable) {
            self.store
                .reset_code_failed(&user.id, caller.now, CODE_ATTEMPTS)
                .await?;
        }
        let (Some(user), Some(reset)) = (user, usable) else {
            let failed = self.audit_record(
                None,
                AuditEvent::PasswordReset,
                (AuditSubject::Account, ""),
                "failed",
                &caller.client,
                caller.now,
            );
            let lock = self
                .store
                .user_by_email(&address)
                .await?
                .map(|u| lock_notice(&u.id, &u.email, u.language));
            let locked = self.audit_record(
                None,
                AuditEvent::AccountLocked,
                (AuditSubject::Account, ""),
                "ok",
                &caller.client,
                caller.now,
            );
            self.store
                .password_failed(
                    &attempt,
                    LOCK_THRESHOLD,
                    &failed,
                    lock.as_ref().map(|m| (&locked, m)),
                )
                .await?;
            return Err(AppError::refused(
                "code",
                Reason::Mismatch,
                "the address or the code is not right, or the code no longer works: check both, or ask for a new code",
            ));
        };
        self.set_password_by_reset(caller, &user, &hash, new, &reset.channel)
            .await
    }

    async fn set_password_by_reset(
        &self,
        caller: &Caller,
        user: &UserRow,
        token_hash: &str,
        new: &str,
        channel: &str,
    ) -> Result<(), AppError> {
        let password = Password::for_person(new, &[&user.display_name, &user.email])
            .map_err(|p| AppError::refused("new_password", p.reason(), p.advice()))?;
        let hash = hash_password(self.password_cost, password).await?;
        let params = self.sign_in_link(user);
        let messages = self
            .messages_to(user, Notice::PasswordChanged, &params)
            .await?;
        let mut record = self.audit_record(
            None,
            AuditEvent::PasswordReset,
            (AuditSubject::Account, &user.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = channel.into();
        let used = self
            .store
            .use_password_reset(&ResetUse {
                token_hash,
                user_id: &user.id,
                password_hash: &hash,
                now: caller.now,
                record: &record,
                messages: &messages,
            })
            .await?;
        if used {
            Ok(())
        } else {
            Err(lapsed(if channel == "email" { "token" } else { "code" }))
        }
    }

    /// Hands the account with address `email` a one-time code to set a new password, after its
    /// owner's identity was checked as `check` says: station staff and officers for people's
    /// accounts, administrators for staff accounts. Audited, and shown on her access log.
    pub async fn issue_reset_code(
        &self,
        caller: &Caller,
        email: &str,
        check: &str,
    ) -> Result<IssuedCode, AppError> {
        let check = IdentityCheck::parse(check).ok_or_else(|| AppError::Invalid {
            field: "check",
            reason: Reason::Malformed,
            message: "say how her identity was checked: in_person or video".into(),
        })?;
        // Only staff reach this at all; which accounts they may help is decided below.
        let session = caller.session().ok_or(AppError::Unauthenticated)?;
        if !session.actor.is_staff() {
            self.authorize(caller, Action::ResetPassword, &Resource::System)
                .await?;
        }
        let user = self
            .store
            .user_by_email(&email.trim().to_lowercase())
            .await?
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(|| AppError::Invalid {
                field: "email",
                reason: Reason::Malformed,
                message: "no account in use has this address: check it with her".into(),
            })?;
        let staff = grants_of(&user).iter().any(|g| g.role() != Role::Applicant);
        self.authorize(
            caller,
            Action::ResetPassword,
            &Resource::Account {
                id: &user.id,
                staff,
            },
        )
        .await?;
        let code = new_desk_code();
        let hash = code_hash(&user.id, &code);
        let expires_at = caller.now + DESK_CODE_VALID_MS;
        let mut record = self.audit_record(
            Some(&session.actor),
            AuditEvent::PasswordResetCodeIssued,
            (AuditSubject::Account, &user.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = check.as_str().into();
        record.person = user.id.clone();
        self.store
            .insert_password_reset(
                &NewPasswordReset {
                    token_hash: &hash,
                    user_id: &user.id,
                    channel: "desk",
                    issued_by: Some(&session.actor.user_id),
                    created_at: caller.now,
                    expires_at,
                },
                &record,
                None,
            )
            .await?;
        Ok(IssuedCode {
            code,
            expires_at,
            display_name: user.display_name,
        })
    }

    /// Resets the authenticator of an account whose owner lost hers (administrators, never their
    /// own), with the reason: she sets up a new one at her next sign-in, every session of hers
    /// ends, and she is told by e-mail.
    pub async fn reset_second_factor(
        &self,
        caller: &Caller,
        account_id: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let user = self
            .store
            .user_by_id(account_id)
            .await?
            .ok_or_else(|| AppError::NotFound("this account".into()))?;
        let staff = grants_of(&user).iter().any(|g| g.role() != Role::Applicant);
        self.authorize(
            caller,
            Action::ResetSecondFactor,
            &Resource::Account {
                id: &user.id,
                staff,
            },
        )
        .await?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            return Err(AppError::Invalid {
                field: "reason",
                reason: if reason.is_empty() {
                    Reason::Malformed
                } else {
                    Reason::TooLong
                },
                message: format!(
                    "say why, in at most {MAX_REASON} characters (e.g. how you checked it was her)"
                ),
            });
        }
        let session = caller.session().ok_or(AppError::Unauthenticated)?;
        let mut record = self.audit_record(
            Some(&session.actor),
            AuditEvent::SecondFactorReset,
            (AuditSubject::Account, &user.id),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = reason.into();
        record.person = user.id.clone();
        let params = self.sign_in_link(&user);
        let messages = self
            .messages_to(&user, Notice::SecondFactorReset, &params)
            .await?;
        self.store
            .reset_second_factor(&user.id, &record, &messages)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desk_codes_are_ten_unambiguous_characters_and_read_back_however_typed() {
        for _ in 0..100 {
            let code = new_desk_code();
            assert_eq!(code.len(), 11);
            assert!(
                code.chars()
                    .filter(|c| *c != '-')
                    .all(|c| CODE_ALPHABET.contains(&(c as u8)))
            );
            let typed = code.to_lowercase().replace('-', " ");
            assert_eq!(code_hash("u-1", &typed), code_hash("u-1", &code));
        }
        assert_ne!(
            code_hash("u-1", "ABCDE-FGHJK"),
            code_hash("u-2", "ABCDE-FGHJK")
        );
        assert_ne!(link_hash("abc"), code_hash("", "abc"));
        for _ in 0..100 {
            let code = new_sms_code();
            assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
