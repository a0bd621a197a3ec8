//! Changing one's own password: the current one proves it is her (a wrong one counts towards the
//! lockout of her address from this client, as at sign-in, so a borrowed session cannot guess it),
//! the new one meets the rules and differs from the current one; every other session ends in the
//! same transaction, and she is told by e-mail.

use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Password};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::notify::Notice;

use super::login::{LOCK_THRESHOLD, attempt_by, lock_notice, sign_in_key};
use super::passwords::{hash_password, password_matches};
use crate::{App, AppError, Caller};

impl App {
    /// Replaces the signed-in person's password; returns how many other sessions ended.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> Result<u64, AppError> {
        let me = self.authorize_own(caller, Action::ManageOwnAccount).await?;
        let session = caller.session().ok_or(AppError::Unauthenticated)?;
        let user = self
            .store
            .user_by_id(me)
            .await?
            .ok_or_else(|| AppError::NotFound("account".into()))?;
        let account_key = sign_in_key(&user.email);
        let attempt = attempt_by(&account_key, caller);
        self.refuse_if_locked_out(
            &attempt,
            "current_password",
            "too many wrong passwords from here; try again in 15 minutes",
        )
        .await?;
        let audit = |action: AuditEvent, outcome: &str| {
            self.audit_record(
                Some(&session.actor),
                action,
                (AuditSubject::Account, me),
                outcome,
                &caller.client,
                caller.now,
            )
        };
        if !password_matches(user.password_hash.clone(), current.to_owned()).await {
            let lock = lock_notice(&user.id, &user.email, user.language);
            self.store
                .password_failed(
                    &attempt,
                    LOCK_THRESHOLD,
                    &audit(AuditEvent::PasswordChange, "failed"),
                    Some((&audit(AuditEvent::AccountLocked, "ok"), &lock)),
                )
                .await?;
            return Err(AppError::refused(
                "current_password",
                Reason::Mismatch,
                "the current password is not right",
            ));
        }
        if new == current {
            return Err(AppError::refused(
                "new_password",
                Reason::Duplicate,
                "choose a new password, not the current one",
            ));
        }
        let password = Password::for_person(new, &[&user.display_name, &user.email])
            .map_err(|p| AppError::refused("new_password", p.reason(), p.advice()))?;
        let hash = hash_password(self.password_cost, password).await?;
        let messages = self
            .messages_to(&user, Notice::PasswordChanged, &self.sign_in_link(&user))
            .await?;
        Ok(self
            .store
            .change_password(
                &user.id,
                &hash,
                &session.token_hash,
                &audit(AuditEvent::PasswordChanged, "ok"),
                &messages,
            )
            .await?)
    }
}
