//! Mandates (代办): written with the message that asks the principal to confirm, confirmed or
//! revoked by one conditional UPDATE each with its audit entry, wrong confirmation codes counted
//! (the code replaced after too many).

use jiff::civil::Date;
use qiaoyi_domain::access::Role;
use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::cases::{MediaType, Relation};
use qiaoyi_domain::catalog::ItemCode;
use qiaoyi_domain::fees::LedgerEntry;
use qiaoyi_domain::mandates::{MandateDocument, MandateState};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::catalog::Page;
use crate::decode::{Table, Text};
use crate::outbox::enqueue;
use crate::{NewMessage, Store, StoreError, audit, decode};

crate::decode::stored_row! {
    /// A mandate as stored, its role, relation, items, period and state read into the domain's types.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct MandateRow {
        pub id: String,
        pub principal_id: String,
        pub agent_id: String,
        pub agent_role: Role as Text,
        pub relation: Relation as Text,
        /// Kept as their codes separated by spaces.
        pub items: Vec<ItemCode> as Text,
        pub valid_from: Date as Text,
        pub valid_to: Date as Text,
        pub evidence: String,
        pub state: MandateState as Text,
        pub code_sealed: String,
        pub wrong_attempts: i64,
        /// Codes sent for the request, the first included.
        pub codes_sent: i64,
        pub created_at: i64,
        pub confirmed_at: Option<i64>,
        pub confirmed_how: Option<String>,
        pub revoked_at: Option<i64>,
        pub revoked_by: Option<String>,
        pub revoke_reason: String,
    }
}

impl crate::decode::Table for MandateRow {
    const TABLE: &'static str = "mandates";
}

/// What a wrong confirmation code changes on the mandate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongCodeWrite<'a> {
    /// Nothing but the audit entry: the try was counted when it was taken.
    Counted,
    /// A newly sealed code replaces the old one, with a fresh count of tries.
    Replaced { code_sealed: &'a str },
    /// The request lapses: revoked at `now` with no one as the revoker.
    Lapsed { now: i64 },
}

crate::decode::stored_row! {
    /// A mandate with the e-mail addresses and names of both parties, for lists and pages.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct MandateListing {
        pub mandate: MandateRow as Flatten,
        pub principal_email: String,
        pub principal_name: String,
        pub agent_email: String,
        pub agent_name: String,
    }
}

const COLUMNS: &str = "m.id, m.principal_id, m.agent_id, m.agent_role, m.relation, m.items, m.valid_from, m.valid_to, \
     m.evidence, m.state, m.code_sealed, m.wrong_attempts, m.codes_sent, m.created_at, m.confirmed_at, m.confirmed_how, \
     m.revoked_at, m.revoked_by, m.revoke_reason, \
     p.email AS principal_email, p.display_name AS principal_name, a.email AS agent_email, a.display_name AS agent_name";
const FROM: &str =
    "mandates m JOIN users p ON p.id = m.principal_id JOIN users a ON a.id = m.agent_id";

impl Table for MandateListing {
    const TABLE: &'static str = "mandates";
}

impl Store {
    /// Writes a new (pending) mandate with its audit entry and the message asking the principal to
    /// confirm it.
    pub async fn create_mandate(
        &self,
        m: &MandateRow,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO mandates (id, principal_id, agent_id, agent_role, relation, items, valid_from, valid_to, \
             evidence, state, code_sealed, wrong_attempts, codes_sent, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, 0, 1, $11)",
        )
        .bind(&m.id)
        .bind(&m.principal_id)
        .bind(&m.agent_id)
        .bind(m.agent_role.to_text())
        .bind(m.relation.to_text())
        .bind(m.items.to_text())
        .bind(m.valid_from.to_text())
        .bind(m.valid_to.to_text())
        .bind(&m.evidence)
        .bind(&m.code_sealed)
        .bind(m.created_at)
        .execute(&mut *tx)
        .await?;
        for message in messages {
            enqueue(&mut tx, message, m.created_at).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn mandate(&self, id: &str) -> Result<Option<MandateListing>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE m.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(MandateListing::read).transpose()
    }

    /// The mandates `user_id` granted or holds, newest first.
    pub async fn mandates_of(
        &self,
        user_id: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Page<MandateListing>, StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mandates WHERE principal_id = $1 OR agent_id = $1",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE m.principal_id = $1 OR m.agent_id = $1 \
             ORDER BY m.created_at DESC, m.id LIMIT $2 OFFSET $3"
        )))
        .bind(user_id)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows
                .iter()
                .map(MandateListing::read)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Confirms a pending mandate. `Conflict` when it is no longer pending (confirmed or revoked
    /// meanwhile), and nothing is written.
    pub async fn confirm_mandate(
        &self,
        id: &str,
        how: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE mandates SET state = 'confirmed', confirmed_at = $1, confirmed_how = $2 \
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(now)
        .bind(how)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this mandate is no longer waiting for confirmation".into(),
                ))
                .await;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes one try at a pending mandate's confirmation code before the code is compared, so that
    /// guesses sent in parallel each use one up: the count of tries on the current code after this
    /// one, with the codes sent so far. `None` when the mandate is no longer pending or its code
    /// has no tries left (a new one is being sent).
    pub async fn take_mandate_code_try(
        &self,
        id: &str,
        tries_per_code: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "UPDATE mandates SET wrong_attempts = wrong_attempts + 1 \
             WHERE id = $1 AND state = 'pending' AND wrong_attempts < $2 \
             RETURNING wrong_attempts, codes_sent",
        )
        .bind(id)
        .bind(tries_per_code)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|r| Ok((r.try_get("wrong_attempts")?, r.try_get("codes_sent")?)))
            .transpose()
    }

    /// Records a wrong confirmation code (its try was taken by [`Store::take_mandate_code_try`])
    /// with its audit entry, and what it led to, with the messages that tell the principal.
    pub async fn mandate_code_refused(
        &self,
        id: &str,
        outcome: &WrongCodeWrite<'_>,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        match outcome {
            WrongCodeWrite::Counted => {}
            WrongCodeWrite::Replaced { code_sealed } => {
                sqlx::query(
                    "UPDATE mandates SET code_sealed = $1, wrong_attempts = 0, codes_sent = codes_sent + 1 \
                     WHERE id = $2 AND state = 'pending'",
                )
                .bind(code_sealed)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            WrongCodeWrite::Lapsed { now } => {
                sqlx::query(
                    "UPDATE mandates SET state = 'revoked', revoked_at = $1, revoked_by = NULL \
                     WHERE id = $2 AND state = 'pending'",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        for message in messages {
            enqueue(&mut tx, message, record.at_ms).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes a mandate that is not revoked yet; `Conflict` otherwise.
    pub async fn revoke_mandate(
        &self,
        id: &str,
        by: &str,
        reason: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE mandates SET state = 'revoked', revoked_at = $1, revoked_by = $2, revoke_reason = $3 \
             WHERE id = $4 AND state <> 'revoked'",
        )
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this mandate was already revoked".into(),
                ))
                .await;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cases filed under a mandate, newest first (at most `limit`).
    pub async fn cases_under_mandate(
        &self,
        mandate_id: &str,
        limit: u64,
    ) -> Result<Vec<crate::CaseRow>, StoreError> {
        crate::cases::by_mandate(&self.pool, mandate_id, limit).await
    }

    /// The payments made under a mandate, newest first (at most `limit`).
    pub async fn entries_under_mandate(
        &self,
        mandate_id: &str,
        limit: u64,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        crate::ledger::by_mandate(&self.pool, mandate_id, limit).await
    }
}

fn document(r: &AnyRow) -> Result<MandateDocument, StoreError> {
    let id: String = r.try_get("id")?;
    let media_type: String = r.try_get("media_type")?;
    Ok(MandateDocument {
        media_type: decode::named(
            "mandate_documents",
            &id,
            "media_type",
            &media_type,
            MediaType::parse,
        )?,
        id,
        mandate_id: r.try_get("mandate_id")?,
        file_name: r.try_get("file_name")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    /// Adds a document to a mandate (its bytes kept once) with its audit entry.
    pub async fn add_mandate_document(
        &self,
        d: &MandateDocument,
        content: &[u8],
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(crate::cases::INSERT_BLOB)
            .bind(&d.sha256)
            .bind(content)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO mandate_documents (id, mandate_id, file_name, media_type, size, sha256, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.id)
        .bind(&d.mandate_id)
        .bind(&d.file_name)
        .bind(d.media_type.as_str())
        .bind(d.size)
        .bind(&d.sha256)
        .bind(&d.uploaded_by)
        .bind(d.uploaded_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A mandate's documents, oldest first.
    pub async fn mandate_documents(
        &self,
        mandate_id: &str,
    ) -> Result<Vec<MandateDocument>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM mandate_documents WHERE mandate_id = $1 ORDER BY uploaded_at, id",
        )
        .bind(mandate_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(document).collect()
    }

    /// One document of a mandate with its bytes.
    pub async fn mandate_document(
        &self,
        mandate_id: &str,
        id: &str,
    ) -> Result<Option<(MandateDocument, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT d.*, b.content FROM mandate_documents d JOIN case_file_blobs b ON b.sha256 = d.sha256 \
             WHERE d.mandate_id = $1 AND d.id = $2",
        )
        .bind(mandate_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((document(&r)?, r.try_get("content")?)))
            .transpose()
    }
}
