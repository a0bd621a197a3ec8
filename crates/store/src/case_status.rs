//! Codes to see a case's status without signing in, kept as hashes bound to their case: each is
//! recorded with the message carrying it and its audit entry, works once, and stops working when
//! replaced, when too old, or when too many wrong codes were typed for its case.

use qiaoyi_domain::access::audit::AuditRecord;

use crate::outbox::{NewMessage, enqueue};
use crate::{Store, StoreError, audit};

/// A code to record: `channel` is `email` or `sms`, as it was sent.
#[derive(Clone, Debug)]
pub struct NewStatusCode<'a> {
    pub code_hash: &'a str,
    pub case_id: &'a str,
    pub channel: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// Records a code, ending the unused ones of the same case, with the message carrying it to
    /// the applicant and its audit entry.
    pub async fn insert_status_code(
        &self,
        code: &NewStatusCode<'_>,
        message: &NewMessage,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        // Replaced, not deleted: the rows still count towards the limit on codes an hour.
        sqlx::query(
            "UPDATE case_status_codes SET expires_at = $2 \
             WHERE case_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(code.case_id)
        .bind(code.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO case_status_codes (code_hash, case_id, channel, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code.code_hash)
        .bind(code.case_id)
        .bind(code.channel)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(&mut *tx)
        .await?;
        enqueue(&mut tx, message, code.created_at).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many codes were sent for a case since `since`, used or not.
    pub async fn status_codes_since(&self, case_id: &str, since: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_status_codes WHERE case_id = $1 AND created_at >= $2",
        )
        .bind(case_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Uses the case's code with this hash if it still works at `now`, with the audit entry of the
    /// read; `false`, with nothing written, when there is none.
    pub async fn use_status_code(
        &self,
        case_id: &str,
        code_hash: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let used = sqlx::query(
            "UPDATE case_status_codes SET used_at = $3 \
             WHERE code_hash = $1 AND case_id = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(code_hash)
        .bind(case_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Counts a wrong code typed for a case against its usable codes, with the audit entry of the
    /// refusal; at `limit` wrong ones they stop working.
    pub async fn status_code_failed(
        &self,
        case_id: &str,
        now: i64,
        limit: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE case_status_codes SET attempts = attempts + 1, \
             expires_at = CASE WHEN attempts + 1 >= $3 THEN $2 ELSE expires_at END \
             WHERE case_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(case_id)
        .bind(now)
        .bind(limit)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
