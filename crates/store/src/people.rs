//! People's identity numbers (sealed), look-up by blind index, e-mail confirmation codes, and the
//! audit entries about a person.

use qiaoyi_domain::access::audit::AuditRecord;
use sqlx::Row;

use crate::accounts::{NewUser, insert_user};
use crate::decode::Table;
use crate::outbox::{NewMessage, enqueue};
use crate::{Store, StoreError, audit};

crate::decode::stored_row! {
    /// Sealed identity numbers of one person, with their blind indexes.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct IdentityRow {
        pub resident_id_sealed: Option<String>,
        pub resident_id_index: Option<String>,
        pub passport_sealed: Option<String>,
        pub passport_index: Option<String>,
    }
}

impl crate::decode::Table for IdentityRow {
    const TABLE: &'static str = "person_identity";
    const KEY: &'static str = "user_id";
}

impl Store {
    pub async fn save_identity(
        &self,
        user_id: &str,
        identity: &IdentityRow,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO person_identity (user_id, resident_id_sealed, resident_id_index, passport_sealed, passport_index, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET \
             resident_id_sealed = excluded.resident_id_sealed, resident_id_index = excluded.resident_id_index, \
             passport_sealed = excluded.passport_sealed, passport_index = excluded.passport_index, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(&identity.resident_id_sealed)
        .bind(&identity.resident_id_index)
        .bind(&identity.passport_sealed)
        .bind(&identity.passport_index)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn identity(&self, user_id: &str) -> Result<Option<IdentityRow>, StoreError> {
        let row = sqlx::query(
            "SELECT resident_id_sealed, resident_id_index, passport_sealed, passport_index FROM person_identity WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(IdentityRow::read).transpose()
    }

    /// The person whose resident ID or passport has this blind index.
    pub async fn person_by_index(&self, index: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT user_id FROM person_identity WHERE resident_id_index = $1 OR passport_index = $1")
            .bind(index)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Creates an applicant who must still confirm their address, with the code's hash and the
    /// message that carries the code, in one transaction.
    pub async fn sign_up(
        &self,
        new: &NewUser,
        code_hash: &str,
        expires_at: i64,
        now: i64,
        record: &AuditRecord,
        message: &NewMessage,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        insert_user(&mut tx, new, now).await?;
        sqlx::query(
            "INSERT INTO email_confirmations (user_id, code_hash, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(&new.id)
        .bind(code_hash)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        enqueue(&mut tx, message, now).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a pending code (when the applicant asks for a new one).
    pub async fn renew_confirmation(
        &self,
        user_id: &str,
        code_hash: &str,
        expires_at: i64,
        now: i64,
        message: &NewMessage,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE email_confirmations SET code_hash = $1, expires_at = $2, attempts = 0 WHERE user_id = $3")
            .bind(code_hash)
            .bind(expires_at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        enqueue(&mut tx, message, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a confirmation code. Returns whether it matched; a match confirms the address and
    /// removes the code; a miss counts an attempt. `max_attempts` misses, or expiry, void the code.
    pub async fn confirm_email(
        &self,
        user_id: &str,
        code_hash: &str,
        now: i64,
        max_attempts: i64,
        confirmed_record: &AuditRecord,
        failed_record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT code_hash, expires_at, attempts FROM email_confirmations WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(false) };
        let stored: String = row.try_get("code_hash")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        let attempts: i64 = row.try_get("attempts")?;
        let matched = stored == code_hash && expires_at > now && attempts < max_attempts;
        if matched {
            sqlx::query("UPDATE users SET confirmed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM email_confirmations WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE email_confirmations SET attempts = attempts + 1 WHERE user_id = $1",
            )
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            self.audit_key()?,
            if matched {
                confirmed_record
            } else {
                failed_record
            },
        )
        .await?;
        tx.commit().await?;
        Ok(matched)
    }
}
