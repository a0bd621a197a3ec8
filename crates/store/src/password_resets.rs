//! Setting a new password without the old one: reset links sent by e-mail and codes handed over
//! at a desk, kept as hashes; using one sets the password, ends every session and unlocks the
//! account, in one transaction with its audit entry.

use qiaoyi_domain::access::audit::AuditRecord;

use crate::accounts::end_sessions_but;
use crate::decode::Table;
use crate::outbox::{NewMessage, enqueue};
use crate::{Store, StoreError, audit};

/// A reset to record: `channel` is `email` (a link), `sms` (a code sent by text message) or `desk`
/// (a code handed over by `issued_by`).
#[derive(Clone, Debug)]
pub struct NewPasswordReset<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub channel: &'a str,
    pub issued_by: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: i64,
}

crate::decode::stored_row! {
    /// A reset still usable: not used, not replaced, not expired.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct PasswordResetRow {
        pub user_id: String,
        pub channel: String,
        pub expires_at: i64,
    }
}

impl crate::decode::Table for PasswordResetRow {
    const TABLE: &'static str = "password_resets";
    const KEY: &'static str = "user_id";
}

/// Using a reset: the new password's hash, the audit entry and the messages telling her.
#[derive(Clone, Copy, Debug)]
pub struct ResetUse<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
    pub record: &'a AuditRecord,
    pub messages: &'a [NewMessage],
}

impl Store {
    /// Records a reset, ending the unused ones of the same account and channel, with its audit
    /// entry and the message carrying the link (none for a desk code, which is handed over).
    pub async fn insert_password_reset(
        &self,
        reset: &NewPasswordReset<'_>,
        record: &AuditRecord,
        message: Option<&NewMessage>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        // Replaced, not deleted: the rows still count towards the limit on links an hour.
        sqlx::query(
            "UPDATE password_resets SET expires_at = $3 \
             WHERE user_id = $1 AND channel = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(reset.user_id)
        .bind(reset.channel)
        .bind(reset.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, channel, issued_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(reset.token_hash)
        .bind(reset.user_id)
        .bind(reset.channel)
        .bind(reset.issued_by)
        .bind(reset.created_at)
        .bind(reset.expires_at)
        .execute(&mut *tx)
        .await?;
        if let Some(message) = message {
            enqueue(&mut tx, message, reset.created_at).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many resets of `channel` an account was sent since `since` (used or not): the limit
    /// on links asked for one address.
    pub async fn password_resets_since(
        &self,
        user_id: &str,
        channel: &str,
        since: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND channel = $2 AND created_at >= $3",
        )
        .bind(user_id)
        .bind(channel)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The reset with this hash if it is still usable at `now`.
    pub async fn usable_password_reset(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<PasswordResetRow>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, channel, expires_at FROM password_resets \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(PasswordResetRow::read).transpose()
    }

    /// Counts a wrong code typed for an account against its usable codes (sent by text message or
    /// handed over at a desk); at `limit` wrong ones they stop working.
    pub async fn reset_code_failed(
        &self,
        user_id: &str,
        now: i64,
        limit: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE password_resets SET attempts = attempts + 1, \
             expires_at = CASE WHEN attempts + 1 >= $3 THEN $2 ELSE expires_at END \
             WHERE user_id = $1 AND channel IN ('sms', 'desk') AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user_id)
        .bind(now)
        .bind(limit)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a reset: marks it used (only if it still is usable), sets the password, unlocks the
    /// account and ends all its sessions, with the audit entry and messages. `false`, with
    /// nothing written, when the reset was used or expired meanwhile.
    pub async fn use_password_reset(&self, reset: &ResetUse<'_>) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let used = sqlx::query(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(reset.now)
        .bind(reset.token_hash)
        .bind(reset.user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET password_hash = $1, locked_until = 0 WHERE id = $2")
            .bind(reset.password_hash)
            .bind(reset.user_id)
            .execute(&mut *tx)
            .await?;
        end_sessions_but(&mut tx, reset.user_id, "").await?;
        for message in reset.messages {
            enqueue(&mut tx, message, reset.now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, reset.record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Resets an account's second factor: its authenticator secret and recovery codes are gone
    /// and all its sessions end, so its next sign-in sets up a new one; with the audit entry and
    /// the message telling her.
    pub async fn reset_second_factor(
        &self,
        user_id: &str,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_last_step = 0 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        end_sessions_but(&mut tx, user_id, "").await?;
        for message in messages {
            enqueue(&mut tx, message, record.at_ms).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
