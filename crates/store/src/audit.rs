//! The audit chain's storage. Entries are appended inside the caller's transaction, so an audited
//! write and its entry commit together or not at all.

use qiaoyi_domain::access::audit::{
    AuditRecord, Broken, ChainKey, GENESIS, entry_hash, unkeyed_entry_hash,
};
use sqlx::any::AnyRow;
use sqlx::query::Query;
use sqlx::{Database, Encode, Row, Type};

use crate::decode::Table;
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
         outcome, client, prev_hash, hash, person) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

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
        .bind(entry.person.as_str())
}
pub(crate) const HEAD_SET: &str = "UPDATE audit_head SET hash = $1 WHERE id = 1";

/// Appends `record` (its `seq` is ignored and assigned here) after the chain's head, keyed with
/// `key`.
pub(crate) async fn append(
    tx: &mut crate::WriteTx,
    key: &ChainKey,
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
    let hash = entry_hash(key, &prev, &entry);
    bind_entry(sqlx::query(INSERT_ENTRY), &entry, &prev, &hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(HEAD_SET).bind(&hash).execute(&mut **tx).await?;
    Ok(seq)
}

const COLUMNS: &str = "seq, at, actor, role, station, action, subject_type, subject_id, purpose, outcome, client, prev_hash, hash, person";

/// [`COLUMNS`] of the entry aliased `a`, beside the tables joined to it.
const LISTING_COLUMNS: &str = "a.seq, a.at, a.actor, a.role, a.station, a.action, a.subject_type, a.subject_id, \
     a.purpose, a.outcome, a.client, a.prev_hash, a.hash, a.person";

/// An entry with the words its codes stand for, where there are any (else empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditListing {
    pub record: AuditRecord,
    /// The actor's account name.
    pub actor_name: String,
    /// The number of the case it is about.
    pub case_number: String,
    /// The name of the account it is about.
    pub subject_name: String,
}

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
        person: row.try_get("person")?,
    })
}

crate::decode::stored_row! {
    /// One line of a person's "who read my file": reads (or refused attempts) of one thing by one
    /// reader for one purpose, each within `window_ms` of the one before, counted as one.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AccessGroup {
        pub first_at: i64,
        pub last_at: i64,
        pub count: i64 = "reads",
        pub role: String,
        pub station: String,
        pub action: String,
        pub subject_type: String,
        pub subject_id: String,
        pub purpose: String,
        pub outcome: String,
        /// The reader's name, for reads of her children's records in the care programme (parents
        /// are told who read them); empty otherwise.
        pub reader: String,
    }
}

impl crate::decode::Table for AccessGroup {
    const TABLE: &'static str = "audit";
    const KEY: &'static str = "subject_id";
}

/// The entries about a person by others, each marked where a new line starts: the first of its
/// kind (reader, action, subject, purpose, outcome) or more than `$2` after the one before.
/// `$1` is the person; entries from before `person` was kept named her as their subject, and the
/// records of the children she is a parent of in the care programme count as hers.
const ACCESS_GROUPS: &str = "WITH about AS ( \
       SELECT seq, at, actor, role, station, action, subject_type, subject_id, purpose, outcome, \
         CASE WHEN at - LAG(at) OVER (PARTITION BY actor, action, subject_type, subject_id, purpose, outcome \
           ORDER BY at, seq) <= $2 THEN 0 ELSE 1 END AS starts, \
         CASE WHEN subject_type = 'child' \
           THEN COALESCE((SELECT display_name FROM users u WHERE u.id = audit.actor), '') \
           ELSE '' END AS reader \
       FROM audit \
       WHERE (person = $1 OR (subject_type = 'person' AND subject_id = $1) \
         OR (subject_type = 'child' AND subject_id IN \
           (SELECT child_id FROM care_child_parents WHERE user_id = $1))) \
         AND actor <> $1 \
     ), lines AS ( \
       SELECT *, SUM(starts) OVER (PARTITION BY actor, action, subject_type, subject_id, purpose, outcome \
         ORDER BY at, seq ROWS UNBOUNDED PRECEDING) AS line \
       FROM about \
     ) \
     SELECT MIN(at) AS first_at, MAX(at) AS last_at, COUNT(*) AS reads, MAX(seq) AS last_seq, \
       MAX(role) AS role, MAX(station) AS station, MAX(reader) AS reader, action, subject_type, \
       subject_id, purpose, outcome \
     FROM lines GROUP BY actor, action, subject_type, subject_id, purpose, outcome, line";

crate::decode::stored_row! {
    /// The end of the chain as stored beside it: the last entry's sequence number and hash.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AuditHead {
        pub seq: i64,
        pub hash: String,
    }
}

impl crate::decode::Table for AuditHead {
    const TABLE: &'static str = "audit_head";
    const KEY: &'static str = "seq";
}

/// What [`Store::key_audit_chain`] found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainKeying {
    /// Keyed with this key already (or empty until now and now recorded as keyed with it).
    Keyed,
    /// An older chain, hashed without a key, was whole and is now keyed: this many entries.
    Rekeyed { entries: u64 },
    /// The chain is keyed with another key: the database belongs with another field key.
    OtherKey,
    /// The older chain was already broken here; nothing was changed.
    Broken(Broken),
}

impl Store {
    /// The same store, appending to the audit chain keyed with `key`.
    pub fn with_audit_key(mut self, key: ChainKey) -> Store {
        self.audit_key = Some(key);
        self
    }

    pub(crate) fn audit_key(&self) -> Result<&ChainKey, StoreError> {
        self.audit_key.as_ref().ok_or(StoreError::NoAuditKey)
    }

    /// Makes sure the chain is keyed with this store's key. A chain written before entries were
    /// keyed is checked with its plain hashes and, when whole, every entry is re-hashed under the
    /// key and `keyed` appended, all in one transaction; a broken one is left as it is (the
    /// evidence) unless its break is the entry `over_break`, which an operator accepted.
    pub async fn key_audit_chain(
        &self,
        over_break: Option<i64>,
        keyed: &AuditRecord,
    ) -> Result<ChainKeying, StoreError> {
        let key = self.audit_key()?;
        let mut tx = self.write_tx().await?;
        // Taking the head with an UPDATE holds it until commit, as appends do.
        let head = sqlx::query(
            "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash, key_proof",
        )
        .fetch_one(&mut *tx)
        .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        let proof: Option<String> = head.try_get("key_proof")?;
        match proof.as_deref() {
            Some(p) if p == key.proof() => return Ok(ChainKeying::Keyed),
            // Empty when the chain was created keyed: its first key is recorded.
            Some("") => {
                sqlx::query("UPDATE audit_head SET key_proof = $1 WHERE id = 1")
                    .bind(key.proof())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(ChainKeying::Keyed);
            }
            Some(_) => return Ok(ChainKeying::OtherKey),
            None => {}
        }
        let mut old_prev = GENESIS.to_owned();
        let mut new_prev = GENESIS.to_owned();
        let mut next_seq = 1;
        let mut entries = 0u64;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM audit WHERE seq >= $1 ORDER BY seq LIMIT 10000"
            )))
            .bind(next_seq)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let entry = record(row)?;
                let prev: String = row.try_get("prev_hash")?;
                let hash: String = row.try_get("hash")?;
                let reason = if entry.seq != next_seq {
                    Some("an entry is missing before this one")
                } else if prev != old_prev {
                    Some("its previous-hash does not match the entry before it")
                } else if unkeyed_entry_hash(&prev, &entry) != hash {
                    Some("its content does not match its hash")
                } else {
                    None
                };
                if let Some(reason) = reason
                    && over_break != Some(entry.seq)
                {
                    return Ok(ChainKeying::Broken(Broken {
                        seq: entry.seq,
                        reason,
                    }));
                }
                let rekeyed = entry_hash(key, &new_prev, &entry);
                sqlx::query("UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3")
                    .bind(&new_prev)
                    .bind(&rekeyed)
                    .bind(entry.seq)
                    .execute(&mut *tx)
                    .await?;
                old_prev = hash;
                new_prev = rekeyed;
                next_seq = entry.seq + 1;
                entries += 1;
            }
        }
        if (head_seq != next_seq - 1 || head_hash != old_prev) && over_break != Some(next_seq) {
            return Ok(ChainKeying::Broken(Broken {
                seq: next_seq,
                reason: "the chain ends before its stored head: entries were removed from its end",
            }));
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, key_proof = $3 WHERE id = 1")
            .bind(next_seq - 1)
            .bind(&new_prev)
            .bind(key.proof())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, key, keyed).await?;
        tx.commit().await?;
        Ok(ChainKeying::Rekeyed { entries })
    }

    /// The chain's head as stored.
    pub async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        AuditHead::read(&row)
    }

    /// Records an event that writes nothing else: a read of sensitive data, a denial.
    pub async fn audit(&self, record: &AuditRecord) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Entries after `after_seq` up to `upto_seq` in order, with their stored hashes, for
    /// verification in batches.
    pub async fn audit_chain(
        &self,
        after_seq: i64,
        upto_seq: i64,
        limit: i64,
    ) -> Result<Vec<(AuditRecord, String, String)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"
        )))
        .bind(after_seq)
        .bind(upto_seq)
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

    /// A person's "who read my file", newest line first, one page of lines.
    pub async fn access_log(
        &self,
        person: &str,
        window_ms: i64,
        offset: u64,
        limit: u64,
    ) -> Result<Page<AccessGroup>, StoreError> {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM ({ACCESS_GROUPS}) AS grouped"
        )))
        .bind(person)
        .bind(window_ms)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACCESS_GROUPS} ORDER BY last_at DESC, last_seq DESC LIMIT $3 OFFSET $4"
        )))
        .bind(person)
        .bind(window_ms)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(AccessGroup::read)
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items,
        })
    }

    /// Newest first, filtered, one page: [`Store::audit_listing`]'s entries without the names.
    pub async fn audit_search(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Page<AuditRecord>, StoreError> {
        let listing = self.audit_listing(filter, offset, limit).await?;
        Ok(Page {
            total: listing.total,
            offset: listing.offset,
            items: listing.items.into_iter().map(|l| l.record).collect(),
        })
    }

    /// The auditor's view: newest first, filtered, one page, with what the entries' codes stand
    /// for (the actor's name, the case's number, the account's name), and filters that take them
    /// too: the actor by id, e-mail address or name, the record by id or case number.
    pub async fn audit_listing(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Page<AuditListing>, StoreError> {
        let joins = "FROM audit a LEFT JOIN users u ON u.id = a.actor \
                     LEFT JOIN cases c ON a.subject_type = 'case' AND c.id = a.subject_id \
                     LEFT JOIN users su ON a.subject_type IN ('account', 'user') AND su.id = a.subject_id";
        let condition = "($1 = '' OR a.actor = $1 OR lower(u.email) = lower($1) OR u.display_name = $1) \
                         AND ($2 = '' OR a.action = $2) AND ($3 = '' OR a.subject_type = $3) \
                         AND ($4 = '' OR a.subject_id = $4 OR c.number = $4) AND a.at >= $5 AND a.at <= $6 \
                         AND ($7 = '' OR a.actor <> $7)";
        let from = filter.from_ms.unwrap_or(i64::MIN);
        let to = filter.to_ms.unwrap_or(i64::MAX);
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) {joins} WHERE {condition}"
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
            "SELECT {LISTING_COLUMNS}, COALESCE(u.display_name, '') AS actor_name, \
             COALESCE(c.number, '') AS case_number, COALESCE(su.display_name, '') AS subject_name \
             {joins} WHERE {condition} ORDER BY a.seq DESC LIMIT $8 OFFSET $9"
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
        let items = rows
            .iter()
            .map(|row| {
                Ok(AuditListing {
                    record: record(row)?,
                    actor_name: row.try_get("actor_name")?,
                    case_number: row.try_get("case_number")?,
                    subject_name: row.try_get("subject_name")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items,
        })
    }
}
