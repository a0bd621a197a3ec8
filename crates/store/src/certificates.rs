//! Signing keys and electronic certificates. A certificate is written in the transaction of the
//! case step that issues it; revocation is one conditional update with its audit entry.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::certificates::IssuedCertificate;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::decode::Table;
use crate::{Store, StoreError, audit, decode};

crate::decode::stored_row! {
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SigningKeyRow {
        pub key_id: String,
        pub public_hex: String,
        pub secret_sealed: String,
        pub created_at: i64,
        pub retired_at: Option<i64>,
    }
}

impl crate::decode::Table for SigningKeyRow {
    const TABLE: &'static str = "signing_keys";
    const KEY: &'static str = "key_id";
}

fn certificate_row(row: &AnyRow) -> Result<IssuedCertificate, StoreError> {
    let id: String = row.try_get("id")?;
    let revoked_on: Option<String> = row.try_get("revoked_on")?;
    Ok(IssuedCertificate {
        revoked_on: decode::parsed_opt("certificates", &id, "revoked_on", revoked_on.as_deref())?,
        id,
        case_id: row.try_get("case_id")?,
        payload: row.try_get("payload")?,
        signature: row.try_get("signature")?,
        key_id: row.try_get("key_id")?,
        issued_at: row.try_get("issued_at")?,
        revoke_reason: row.try_get("revoke_reason")?,
    })
}

const CERTIFICATE_COLUMNS: &str =
    "id, case_id, payload, signature, key_id, issued_at, revoked_on, revoke_reason";

pub(crate) async fn insert_certificate(
    tx: &mut crate::WriteTx,
    certificate: &IssuedCertificate,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO certificates (id, case_id, payload, signature, key_id, issued_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&certificate.id)
    .bind(&certificate.case_id)
    .bind(&certificate.payload)
    .bind(&certificate.signature)
    .bind(&certificate.key_id)
    .bind(certificate.issued_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Every key, newest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, public_hex, secret_sealed, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, key_id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(SigningKeyRow::read).collect()
    }

    /// Adds a key and retires every other, with the audit entry: from now on it signs.
    pub async fn rotate_signing_key(
        &self,
        key: &SigningKeyRow,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(key.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO signing_keys (key_id, public_hex, secret_sealed, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&key.key_id)
        .bind(&key.public_hex)
        .bind(&key.secret_sealed)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn certificate(&self, id: &str) -> Result<Option<IssuedCertificate>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(certificate_row).transpose()
    }

    pub async fn certificate_of_case(
        &self,
        case_id: &str,
    ) -> Result<Option<IssuedCertificate>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE case_id = $1"
        )))
        .bind(case_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(certificate_row).transpose()
    }

    /// Revokes a certificate not yet revoked. `Conflict` when it already is.
    pub async fn revoke_certificate(
        &self,
        id: &str,
        on: &str,
        reason: &str,
        by: &str,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE certificates SET revoked_on = $1, revoke_reason = $2, revoked_by = $3 WHERE id = $4 AND revoked_on IS NULL",
        )
        .bind(on)
        .bind(reason)
        .bind(by)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this certificate is already revoked".into(),
                ))
                .await;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
