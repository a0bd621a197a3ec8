//! Dispatch and handover records. The record is written by the dispatch step's transaction and
//! confirmed by the deliver step's; a wrong code is counted (and the code replaced after too many)
//! with its audit entry.

use qiaoyi_domain::access::audit::AuditRecord;

use crate::decode::Table;
use crate::{Store, StoreError, audit};

crate::decode::stored_row! {
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct HandoverRow {
        pub case_id: String,
        pub carrier: String,
        pub tracking: String,
        pub visit_date: Option<String>,
        pub code_sealed: String,
        pub wrong_attempts: i64,
        pub dispatched_at: i64,
        pub confirmed_at: Option<i64>,
        /// A home delivery confirmed by signature: its strokes (checked text) and the signer's name.
        pub signature: Option<String>,
        pub signed_by_name: String,
    }
}

impl crate::decode::Table for HandoverRow {
    const TABLE: &'static str = "case_handovers";
    const KEY: &'static str = "case_id";
}

/// How a handover was confirmed: the applicant's code, or a signature at the door.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandoverProof {
    Code,
    Signature { strokes: String, signer: String },
}

pub(crate) async fn insert(tx: &mut crate::WriteTx, h: &HandoverRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_handovers (case_id, carrier, tracking, visit_date, code_sealed, wrong_attempts, dispatched_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(&h.case_id)
    .bind(&h.carrier)
    .bind(&h.tracking)
    .bind(&h.visit_date)
    .bind(&h.code_sealed)
    .bind(h.dispatched_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn confirm(
    tx: &mut crate::WriteTx,
    case_id: &str,
    by: &str,
    proof: &HandoverProof,
    now: i64,
) -> Result<(), StoreError> {
    let (signature, signer) = match proof {
        HandoverProof::Code => (None, ""),
        HandoverProof::Signature { strokes, signer } => (Some(strokes.as_str()), signer.as_str()),
    };
    let changed = sqlx::query(
        "UPDATE case_handovers SET confirmed_at = $1, confirmed_by = $2, signature = $3, signed_by_name = $4 \
         WHERE case_id = $5 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(signature)
    .bind(signer)
    .bind(case_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::conflict(
            "this handover was already confirmed".into(),
        ));
    }
    Ok(())
}

impl Store {
    pub async fn handover(&self, case_id: &str) -> Result<Option<HandoverRow>, StoreError> {
        let row = sqlx::query(
            "SELECT case_id, carrier, tracking, visit_date, code_sealed, wrong_attempts, dispatched_at, confirmed_at, \
             signature, signed_by_name FROM case_handovers WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(HandoverRow::read).transpose()
    }

    /// Counts a wrong code with its audit entry; with `replacement`, the code is replaced and the
    /// count starts again.
    pub async fn handover_refused(
        &self,
        case_id: &str,
        replacement: Option<&str>,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        match replacement {
            Some(sealed) => sqlx::query(
                "UPDATE case_handovers SET code_sealed = $1, wrong_attempts = 0 WHERE case_id = $2",
            )
            .bind(sealed)
            .bind(case_id)
            .execute(&mut *tx)
            .await?,
            None => sqlx::query(
                "UPDATE case_handovers SET wrong_attempts = wrong_attempts + 1 WHERE case_id = $1",
            )
            .bind(case_id)
            .execute(&mut *tx)
            .await?,
        };
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
