//! The audit chain's storage. Entries are appended inside the caller's transaction, so an audited
//! write and its entry commit together or not at all.

use qiaoyi_domain::access::audit::{AuditRecord, entry_hash};
use sqlx::any::AnyRow;
use sqlx::query::Query;
use sqlx::{Any, Database, Encode, Row, Transaction, Type};

use crate::{Page, Store, StoreError};

/// Filters of the auditor's log viewer; empty strings and `None` match everything.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Leave out this actor's own entries ("who read my file" is about others).
    pub not_actor: String,
}

// The statements that append to the chain, shared with the raw baseline of `qiaoyi bench`.
pub(crate) const HEAD_NEXT: &str =
    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";
/// An entry, its values bound by [`bind_entry`].
pub(crate) const INSERT_ENTRY: &str = "INSERT INTO audit (seq, at, actor, role, station, action, subject_type, subject_id, purpose, \
         outcome, client, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Binds `entry` (its `seq` given out), chained after `prev` with its own `hash`, to
/// [`INSERT_ENTRY`].
pub(crate) fn bind_entry<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    entry: &AuditRecord,
    prev: &str,
    hash: &str,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(entry.actor.as_str())
        .bind(entry.role.as_str())
        .bind(entry.station.as_str())
        .bind(entry.action.as_str())
        .bind(entry.subject_type.as_str())
        .bind(entry.subject_id.as_str())
        .bind(entry.purpose.as_str())
        .bind(entry.outcome.as_str())
        .bind(entry.client.as_str())
        .bind(prev)
        .bind(hash)
}
pub(crate) const HEAD_SET: &str = "UPDATE audit_head SET hash = $1 WHERE id = 1";

/// Appends `record` (its `seq` is ignored and assigned here) after the chain's head.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    record: &AuditRecord,
) -> Result<i64, StoreError> {
    // Taking the head row with an UPDATE locks it until commit on PostgreSQL; SQLite's write
    // transaction is already exclusive.
    let head = sqlx::query(HEAD_NEXT).fetch_one(&mut **tx).await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let entry = AuditRecord {
        seq,
        ..record.clone()
    };
    let hash = entry_hash(&prev, &entry);
    bind_entry(sqlx::query(INSERT_ENTRY), &entry, &prev, &hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(HEAD_SET).bind(&hash).execute(&mut **tx).await?;
    Ok(seq)
}

const COLUMNS: &str = "seq, at, actor, role, station, action, subject_type, subject_id, purpose, outcome, client, prev_hash, hash";

fn record(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at")?,
        actor: row.try_get("actor")?,
        role: row.try_get("role")?,
        station: row.try_get("station")?,
        action: row.try_get("action")?,
        subject_type: row.try_get("subject_type")?,
        subject_id: row.try_get("subject_id")?,
        purpose: row.try_get("purpose")?,
        outcome: row.try_get("outcome")?,
        client: row.try_get("client")?,
    })
}

impl Store {
    /// Records an event that writes nothing else: a read of sensitive data, a denial.
    pub async fn audit(&self, record: &AuditRecord) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = append(&mut tx, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Entries after `after_seq` in order, with their stored hashes, for verification in batches.
    pub async fn audit_chain(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<(AuditRecord, String, String)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    record(row)?,
                    row.try_get("prev_hash")?,
                    row.try_get("hash")?,
                ))
            })
            .collect()
    }

    /// Newest first, filtered, one page.
    pub async fn audit_search(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Page<AuditRecord>, StoreError> {
        let condition = "($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR subject_type = $3) \
                         AND ($4 = '' OR subject_id = $4) AND at >= $5 AND at <= $6 \
                         AND ($7 = '' OR actor <> $7)";
        let from = filter.from_ms.unwrap_or(i64::MIN);
        let to = filter.to_ms.unwrap_or(i64::MAX);
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit WHERE {condition}"
        )))
        .bind(&filter.actor)
        .bind(&filter.action)
        .bind(&filter.subject_type)
        .bind(&filter.subject_id)
        .bind(from)
        .bind(to)
        .bind(&filter.not_actor)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit WHERE {condition} ORDER BY seq DESC LIMIT $8 OFFSET $9"
        )))
        .bind(&filter.actor)
        .bind(&filter.action)
        .bind(&filter.subject_type)
        .bind(&filter.subject_id)
        .bind(from)
        .bind(to)
        .bind(&filter.not_actor)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows.iter().map(record).collect::<Result<_, _>>()?,
        })
    }
}
