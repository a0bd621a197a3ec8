//! The second factor: TOTP secrets and codes (a code accepted within one step of now, and each step
//! once), enrolment, recovery codes (hashed, each used once), and links for authenticator apps.

use qiaoyi_domain::access::audit::sha256_hex;
use qiaoyi_domain::access::{Action, Actor, AuditEvent, AuditSubject};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::lang::Lang;
use qiaoyi_store::{SecondFactorFailure, SecondFactorLimits};
use totp_rs::{Algorithm, TOTP};

use super::login::{LOCK_DURATION_MS, LOCK_THRESHOLD, LOCK_WINDOW_MS, lock_notice};
use super::{Client, constant_time_eq};
use crate::{App, AppError, Caller};

const TOTP_STEP_SECONDS: i64 = 30;

/// What a TOTP secret is sealed to: the account, so a sealed secret copied to another row does not
/// open.
pub(crate) fn totp_context(user_id: &str) -> String {
    format!("totp-secret:{user_id}")
}

/// Whether a stored secret is the base32 text itself rather than the vault's hex: secrets written
/// before they were sealed.
fn stored_in_clear(stored: &str) -> bool {
    stored
        .chars()
        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c) || c == '=')
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

/// Wrong codes after which a half-signed-in session ends and the password is asked again.
pub const CODES_PER_SESSION: i64 = 5;

fn attempts_exhausted() -> AppError {
    AppError::Invalid {
        field: "code",
        reason: Reason::AttemptsExhausted,
        message: "too many wrong codes: this sign-in has ended; sign in again with your password"
            .into(),
    }
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

impl App {
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
            AuditEvent::RecoveryCodesIssued,
            (AuditSubject::Account, user_id),
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

    /// Seals every TOTP secret still stored in clear (written before secrets were sealed), so that
    /// neither the database nor a backup of it holds a usable second factor. Run at start-up;
    /// returns how many were sealed.
    pub async fn seal_clear_totp_secrets(&self) -> Result<usize, AppError> {
        let mut sealed = 0;
        for (user_id, stored) in self.store.totp_secrets().await? {
            if stored_in_clear(&stored) {
                let value = self.vault.seal(&totp_context(&user_id), &stored);
                self.store.replace_totp_secret(&user_id, &value).await?;
                sealed += 1;
            }
        }
        Ok(sealed)
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
        // Locked meanwhile (by wrong passwords elsewhere): no code is tried until it opens.
        if user.locked_until > caller.now {
            return Err(attempts_exhausted());
        }
        if let Some(recovery) = normalise_recovery(code) {
            let subject = (AuditSubject::Account, session.actor.user_id.as_str());
            let record = self.audit_record(
                Some(&session.actor),
                AuditEvent::SecondFactorRecoveryCode,
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
                self.wrong_code(caller, AuditEvent::SecondFactorRecoveryCode)
                    .await?;
            }
            return Ok(used);
        }
        let Some(sealed) = user.totp_secret else {
            return Err(AppError::Invalid {
                field: "code",
                reason: Reason::Malformed,
                message: "set up an authenticator app first".into(),
            });
        };
        let secret = self
            .vault
            .open(&totp_context(&user.id), &sealed)
            .map_err(|_| {
                AppError::Internal("a TOTP secret does not open with the field key".into())
            })?;
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
        let sealed = self
            .vault
            .seal(&totp_context(&session.actor.user_id), secret);
        if !self
            .accept_code(caller, secret, Some(&sealed), code)
            .await?
        {
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
        let subject = (AuditSubject::Account, session.actor.user_id.as_str());
        let action = if enrol.is_some() {
            AuditEvent::SecondFactorEnrolled
        } else {
            AuditEvent::SecondFactor
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
            if enrol.is_some() {
                // A wrong code while enrolling guesses nothing: the secret is the one just shown.
                let record = self.audit_record(
                    Some(&session.actor),
                    action,
                    subject,
                    "failed",
                    &caller.client,
                    caller.now,
                );
                self.store.audit(&record).await?;
            } else {
                self.wrong_code(caller, action).await?;
            }
        }
        Ok(accepted)
    }

    /// Counts a wrong code against the session and the account (audited as `action` failed).
    /// Guessing stops at [`CODES_PER_SESSION`] on one session, which then ends, and at
    /// [`LOCK_THRESHOLD`] on the account within the lockout window, which locks it as wrong
    /// passwords do; either answers that attempts are exhausted.
    async fn wrong_code(&self, caller: &Caller, action: AuditEvent) -> Result<(), AppError> {
        let Some(session) = caller.session() else {
            return Err(AppError::Unauthenticated);
        };
        let user_id = session.actor.user_id.as_str();
        let record = self.audit_record(
            Some(&session.actor),
            action,
            (AuditSubject::Account, user_id),
            "failed",
            &caller.client,
            caller.now,
        );
        let lock_record = self.audit_record(
            Some(&session.actor),
            AuditEvent::AccountLocked,
            (AuditSubject::Account, user_id),
            "ok",
            &caller.client,
            caller.now,
        );
        let language = session.language.unwrap_or(Lang::Zh);
        let message = lock_notice(user_id, &session.email, language);
        let limits = SecondFactorLimits {
            per_session: CODES_PER_SESSION,
            per_account: LOCK_THRESHOLD,
            window_start: caller.now - LOCK_WINDOW_MS,
            lock_until: caller.now + LOCK_DURATION_MS,
        };
        let outcome = self
            .store
            .second_factor_failed(
                user_id,
                &session.token_hash,
                caller.now,
                &limits,
                &record,
                &lock_record,
                &message,
            )
            .await?;
        match outcome {
            SecondFactorFailure::TryAgain => Ok(()),
            SecondFactorFailure::SessionEnded | SecondFactorFailure::AccountLocked => {
                Err(attempts_exhausted())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
