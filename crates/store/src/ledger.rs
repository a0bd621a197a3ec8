//! The fee ledger's storage. An entry, its postings and its audit entry commit together; the rule
//! that forbids overpaying or over-refunding is checked inside the same write transaction, against
//! the case's fees as they are at that moment, so two cashiers cannot both take the last yuan.

use qiaoyi_domain::access::Role;
use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::fees::{
    CaseFees, EntryKind, LedgerEntry, Method, Posting, ProviderRef, RecordedEntry, StoredEntry,
    check_entry,
};
use sqlx::any::AnyRow;
use sqlx::query::Query;
use sqlx::{Database, Encode, Row, Type};

use crate::cases::NEXT_NUMBER;
use crate::{Store, StoreError, audit, decode};

/// An entry to write. Its postings come from `qiaoyi_domain::fees::postings`.
#[derive(Clone, Debug)]
pub struct NewLedgerEntry {
    pub id: String,
    pub case_id: String,
    pub kind: EntryKind,
    pub amount_fen: i64,
    pub method: Option<String>,
    pub reference: String,
    pub payer_name: String,
    pub on_behalf: bool,
    pub payer_relation: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_role: String,
    pub postings: Vec<Posting>,
    /// The year of the receipt number (Beijing), for payments and refunds.
    pub receipt_year: i64,
    /// An online payment: the provider it went through.
    pub provider: Option<ProviderRef>,
    /// A payment by an agent for the applicant (代缴) under a mandate.
    pub mandate_id: Option<String>,
}

const COLUMNS: &str = "e.seq, e.id, e.case_id, e.kind, e.amount_fen, e.method, e.reference, e.payer_name, e.on_behalf, \
     e.payer_relation, e.note, e.recorded_by, e.recorded_role, e.recorded_at, e.receipt_number, \
     e.mandate_id, r.provider AS provider, r.confirmed AS provider_confirmed";
/// Entries with their provider, if any.
const ENTRIES: &str = "ledger_entries e LEFT JOIN ledger_provider_refs r ON r.entry_id = e.id";

/// An entry, its values bound by [`bind_entry`] (shared with the raw baseline of `qiaoyi bench`).
pub(crate) const INSERT_ENTRY: &str = "INSERT INTO ledger_entries (seq, id, case_id, kind, amount_fen, method, reference, payer_name, \
     on_behalf, payer_relation, note, recorded_by, recorded_role, recorded_at, receipt_number, mandate_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

/// Binds `entry`, numbered `seq` and recorded at `now` with its receipt number, to [`INSERT_ENTRY`].
pub(crate) fn bind_entry<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    seq: i64,
    entry: &NewLedgerEntry,
    now: i64,
    receipt: Option<&str>,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t str>: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(seq)
        .bind(entry.id.as_str())
        .bind(entry.case_id.as_str())
        .bind(entry.kind.as_str())
        .bind(entry.amount_fen)
        .bind(entry.method.as_deref())
        .bind(entry.reference.as_str())
        .bind(entry.payer_name.as_str())
        .bind(i64::from(entry.on_behalf))
        .bind(entry.payer_relation.as_str())
        .bind(entry.note.as_str())
        .bind(entry.recorded_by.as_str())
        .bind(entry.recorded_role.as_str())
        .bind(now)
        .bind(receipt)
        .bind(entry.mandate_id.as_deref())
}

/// A posting of an entry, its values bound by [`bind_posting`].
pub(crate) const INSERT_POSTING: &str =
    "INSERT INTO ledger_postings (entry_id, line, account, amount_fen) VALUES ($1, $2, $3, $4)";

/// Binds the `line`th posting of the entry `entry_id` to [`INSERT_POSTING`].
pub(crate) fn bind_posting<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    entry_id: &str,
    line: usize,
    posting: &Posting,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(entry_id)
        .bind(line as i64)
        .bind(posting.account.as_str())
        .bind(posting.amount_fen)
}
/// Entries are numbered in the order they commit, from one row of `case_sequences`, so that
/// `ledger check` replays them in that order.
pub(crate) const ENTRY_SEQUENCE: (&str, i64) = ("ledger", 0);

fn entry_row(row: &AnyRow) -> Result<LedgerEntry, StoreError> {
    let id: String = row.try_get("id")?;
    let table = "ledger_entries";
    let kind: String = row.try_get("kind")?;
    let method: Option<String> = row.try_get("method")?;
    let role: String = row.try_get("recorded_role")?;
    Ok(LedgerEntry {
        seq: row.try_get("seq")?,
        case_id: row.try_get("case_id")?,
        kind: decode::named(table, &id, "kind", &kind, EntryKind::parse)?,
        amount_fen: row.try_get("amount_fen")?,
        method: decode::named_or_none(
            table,
            &id,
            "method",
            method.as_deref().unwrap_or_default(),
            Method::parse,
        )?,
        reference: row.try_get("reference")?,
        payer_name: row.try_get("payer_name")?,
        on_behalf: row.try_get::<i64, _>("on_behalf")? != 0,
        payer_relation: row.try_get("payer_relation")?,
        note: row.try_get("note")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_role: decode::named_or_none(table, &id, "recorded_role", &role, Role::parse)?,
        recorded_at: row.try_get("recorded_at")?,
        receipt_number: row.try_get("receipt_number")?,
        mandate_id: row.try_get("mandate_id")?,
        provider: match row.try_get::<Option<String>, _>("provider")? {
            Some(code) => Some(ProviderRef {
                code,
                confirmed: row
                    .try_get::<Option<i64>, _>("provider_confirmed")?
                    .is_some_and(|c| c != 0),
            }),
            None => None,
        },
        id,
    })
}

/// The case's fees, read inside a write transaction after taking the case's row, so that no other
/// writer changes them before this one commits (SQLite's write transaction is exclusive already).
async fn locked_fees(tx: &mut crate::WriteTx, case_id: &str) -> Result<CaseFees, StoreError> {
    let found = sqlx::query("UPDATE cases SET version = version WHERE id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if found != 1 {
        return Err(StoreError::conflict(format!(
            "case {case_id} does not exist"
        )));
    }
    let rows = sqlx::query(
        "SELECT kind, CAST(SUM(amount_fen) AS BIGINT) AS total FROM ledger_entries WHERE case_id = $1 GROUP BY kind",
    )
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut fees = CaseFees::default();
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let total: i64 = row.try_get("total")?;
        let kind = EntryKind::parse(&kind).ok_or_else(|| StoreError::CorruptRow {
            table: "ledger_entries",
            key: case_id.to_owned(),
            reason: format!("unknown kind {kind:?}"),
        })?;
        fees.apply(kind, total);
    }
    Ok(fees)
}

/// Writes `entry` if the case's fees allow it. Returns the receipt number given out, if any.
pub(crate) async fn write_entry(
    tx: &mut crate::WriteTx,
    entry: &NewLedgerEntry,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let fees = locked_fees(tx, &entry.case_id).await?;
    check_entry(&fees, entry.kind, entry.amount_fen).map_err(StoreError::Ledger)?;
    let seq: i64 = sqlx::query_scalar(NEXT_NUMBER)
        .bind(ENTRY_SEQUENCE.0)
        .bind(ENTRY_SEQUENCE.1)
        .fetch_one(&mut **tx)
        .await?;
    let receipt = if entry.kind.moves_money() {
        let n: i64 = sqlx::query_scalar(NEXT_NUMBER)
            .bind("R")
            .bind(entry.receipt_year)
            .fetch_one(&mut **tx)
            .await?;
        Some(format!("R-{}-{n:06}", entry.receipt_year))
    } else {
        None
    };
    bind_entry(
        sqlx::query(INSERT_ENTRY),
        seq,
        entry,
        now,
        receipt.as_deref(),
    )
    .execute(&mut **tx)
    .await?;
    if let Some(p) = &entry.provider {
        sqlx::query(
            "INSERT INTO ledger_provider_refs (entry_id, provider, confirmed) VALUES ($1, $2, $3)",
        )
        .bind(&entry.id)
        .bind(&p.code)
        .bind(i64::from(p.confirmed))
        .execute(&mut **tx)
        .await?;
    }
    for (line, posting) in entry.postings.iter().enumerate() {
        bind_posting(sqlx::query(INSERT_POSTING), &entry.id, line, posting)
            .execute(&mut **tx)
            .await?;
    }
    Ok(receipt)
}

impl Store {
    /// Records one entry with its postings and audit entry. A rule broken at the moment of writing
    /// is `StoreError::Ledger` and nothing is written. `messages` (a principal told of a payment
    /// made for her) are queued in the same transaction.
    pub async fn record_ledger_entry(
        &self,
        entry: &NewLedgerEntry,
        now: i64,
        record: &AuditRecord,
        messages: &[crate::NewMessage],
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.write_tx().await?;
        let receipt = write_entry(&mut tx, entry, now).await?;
        for message in messages {
            crate::outbox::enqueue(&mut tx, message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// A case's entries in the order they were written.
    pub async fn ledger_entries(&self, case_id: &str) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {ENTRIES} WHERE e.case_id = $1 ORDER BY e.seq"
        )))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_row).collect()
    }

    /// The payments, refunds and write-offs `user_id` recorded, newest first, with the case's
    /// number and the person it is for.
    pub async fn ledger_entries_recorded_by(
        &self,
        user_id: &str,
        offset: u64,
        limit: u64,
    ) -> Result<crate::Page<RecordedEntry>, StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ledger_entries WHERE recorded_by = $1 AND kind <> 'charge'",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, c.number AS case_number, c.person_name AS person_name \
             FROM {ENTRIES} JOIN cases c ON c.id = e.case_id \
             WHERE e.recorded_by = $1 AND e.kind <> 'charge' ORDER BY e.seq DESC LIMIT $2 OFFSET $3"
        )))
        .bind(user_id)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(RecordedEntry {
                    entry: entry_row(r)?,
                    case_number: r.try_get("case_number")?,
                    person_name: r.try_get("person_name")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(crate::Page {
            total: u64::try_from(total).unwrap_or(0),
            offset,
            items,
        })
    }

    pub async fn ledger_entry(&self, id: &str) -> Result<Option<LedgerEntry>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {ENTRIES} WHERE e.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(entry_row).transpose()
    }

    /// The highest entry number written, 0 for an empty ledger.
    pub async fn ledger_last_seq(&self) -> Result<i64, StoreError> {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM ledger_entries")
            .fetch_one(&self.pool)
            .await?;
        Ok(last.unwrap_or(0))
    }

    /// Entries numbered `from..=to` with their postings, for `ledger check` in batches.
    pub async fn ledger_batch(&self, from: i64, to: i64) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, e.case_id, e.kind, e.amount_fen, e.method, p.account, p.amount_fen AS posting \
             FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id \
             WHERE e.seq >= $1 AND e.seq <= $2 ORDER BY e.seq, p.line",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut entries: Vec<StoredEntry> = Vec::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            if entries.last().is_none_or(|e| e.id != id) {
                entries.push(StoredEntry {
                    id,
                    case_id: row.try_get("case_id")?,
                    kind: row.try_get("kind")?,
                    amount_fen: row.try_get("amount_fen")?,
                    method: row.try_get("method")?,
                    postings: Vec::new(),
                });
            }
            let account: Option<String> = row.try_get("account")?;
            let amount: Option<i64> = row.try_get("posting")?;
            if let (Some(account), Some(amount_fen), Some(entry)) =
                (account, amount, entries.last_mut())
            {
                entry.postings.push(Posting {
                    account,
                    amount_fen,
                });
            }
        }
        Ok(entries)
    }
}

/// The entries recorded under a mandate, newest first.
pub(crate) async fn by_mandate(
    pool: &sqlx::AnyPool,
    mandate_id: &str,
    limit: u64,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {ENTRIES} WHERE e.mandate_id = $1 ORDER BY e.seq DESC LIMIT $2"
    )))
    .bind(mandate_id)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    rows.iter().map(entry_row).collect()
}
