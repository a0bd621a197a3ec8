//! The baseline `qiaoyi bench` compares intake with: the rows of one case submission written
//! straight to SQLite. One connection and no pool, no HTTP, no sessions, no checks; the same
//! durability as the store (WAL, `synchronous = FULL`), the same schema and indexes, the same
//! statements and the same transactions: the draft, one per uploaded file, the submit step with its
//! fee charge and its notice. Whatever intake does beyond this is the price of the product around the rows.

use std::path::Path;
use std::time::Duration;

use jiff::civil::Date;
use qiaoyi_domain::access::audit::{AuditRecord, ChainKey, entry_hash, sha256_hex};
use qiaoyi_domain::cases::{Channel, Relation};
use qiaoyi_domain::catalog::{Delivery, Workflow};
use qiaoyi_domain::fees::{EntryKind, Method, postings};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Row};

use crate::{
    DatabaseUrl, NewCase, NewLedgerEntry, NewMessage, Store, StoreError, audit, cases, ledger,
    outbox,
};

/// What one submission writes, as intake writes it.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Files uploaded before submitting (one per required material).
    pub files: usize,
    /// The size of each file.
    pub file_size: usize,
}

const APPLICANT: &str = "00000000000000000000000000000001";
/// EE-01's fee, charged at submission.
const FEE_FEN: i64 = 12_000;

pub struct RawIntake {
    conn: SqliteConnection,
    written: u64,
    audit_key: ChainKey,
}

impl RawIntake {
    /// Creates the database at `path` with the store's migrations and opens one plain connection
    /// to it; audit entries are keyed with `audit_key`.
    pub async fn create(path: &Path, audit_key: ChainKey) -> Result<RawIntake, StoreError> {
        let store = Store::connect(&DatabaseUrl::sqlite_at(path)).await?;
        store.migrate().await?;
        store.close().await;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        // The applicant every case refers to, as the demo has one.
        let applicant = crate::NewUser {
            id: APPLICANT.into(),
            email: "applicant@qiaoyi.example".into(),
            display_name: "季美华".into(),
            password_hash: String::new(),
            language: qiaoyi_domain::lang::Lang::Zh,
            confirmed_at: None,
            totp_secret: None,
            grants: Vec::new(),
        };
        crate::accounts::bind_user(sqlx::query(crate::accounts::INSERT_USER), &applicant, 0)
            .execute(&mut conn)
            .await?;
        Ok(RawIntake {
            conn,
            written: 0,
            audit_key,
        })
    }

    /// Writes one whole submission.
    pub async fn submit_one(&mut self, shape: &Shape, now: i64) -> Result<(), StoreError> {
        self.written += 1;
        let n = self.written;
        let case_id = format!("{n:032x}");
        let user = APPLICANT;

        let mut tx = self.conn.begin().await?;
        let sequence: i64 = sqlx::query_scalar(cases::NEXT_NUMBER)
            .bind("QT")
            .bind(2026_i64)
            .fetch_one(&mut *tx)
            .await?;
        let draft = NewCase {
            id: case_id.clone(),
            number_prefix: "QT".into(),
            year: 2026,
            item_code: "EE-01".into(),
            category: "exit-entry".into(),
            workflow: Workflow::Standard,
            applicant_id: Some(user.into()),
            filed_by: user.into(),
            station: None,
            channel: Channel::Online,
            person_name: "季美华".into(),
            person_name_latin: "JI MEIHUA".into(),
            person_birth_date: Date::constant(1950, 4, 2),
            relation: Relation::Myself,
            delivery: Delivery::Courier,
            person_id: None,
            mandate_id: None,
        };
        let number = format!("QT-2026-{sequence:06}");
        cases::bind_new_case(sqlx::query(cases::INSERT_CASE), &draft, &number, now)
            .execute(&mut *tx)
            .await?;
        cases::bind_event(
            sqlx::query(cases::INSERT_EVENT),
            &cases::NewEvent::created(&draft, "applicant", now),
        )
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &self.audit_key,
            &record(user, "case.create", &case_id, now),
        )
        .await?;
        tx.commit().await?;

        for material in 0..shape.files {
            let content = file_content(n, material, shape.file_size);
            let sha256 = sha256_hex(&content);
            let mut tx = self.conn.begin().await?;
            sqlx::query(cases::INSERT_BLOB)
                .bind(&sha256)
                .bind(content)
                .execute(&mut *tx)
                .await?;
            let file = qiaoyi_domain::cases::CaseFile {
                id: format!("{n:024x}{material:08x}"),
                case_id: case_id.clone(),
                material: i64::try_from(material).unwrap_or(i64::MAX),
                file_name: "scan.pdf".into(),
                media_type: qiaoyi_domain::cases::MediaType::Pdf,
                size: i64::try_from(shape.file_size).unwrap_or(i64::MAX),
                sha256,
                uploaded_by: user.into(),
                uploaded_at: now,
            };
            cases::bind_file(sqlx::query(cases::INSERT_FILE), &file)
                .execute(&mut *tx)
                .await?;
            append(
                &mut tx,
                &self.audit_key,
                &record(user, "case.upload", &case_id, now),
            )
            .await?;
            tx.commit().await?;
        }

        let mut tx = self.conn.begin().await?;
        let changed = sqlx::query(cases::STEP_CASE)
            .bind("submitted")
            .bind(now)
            .bind(1_i64)
            .bind(0_i64)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(&case_id)
            .bind(1_i64)
            .bind("draft")
            .bind(0_i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Err(StoreError::conflict(format!(
                "the raw baseline could not submit its own case {case_id}"
            )));
        }
        let submitted = cases::NewEvent {
            case_id: &case_id,
            seq: 2,
            at: now,
            actor_id: user,
            role: "applicant",
            step: "submit",
            from_state: "draft",
            to_state: "submitted",
            note: "",
        };
        cases::bind_event(sqlx::query(cases::INSERT_EVENT), &submitted)
            .execute(&mut *tx)
            .await?;
        // The fee falls due at submission: the entry and its two postings.
        let entry_seq: i64 = sqlx::query_scalar(cases::NEXT_NUMBER)
            .bind(ledger::ENTRY_SEQUENCE.0)
            .bind(ledger::ENTRY_SEQUENCE.1)
            .fetch_one(&mut *tx)
            .await?;
        let charge = NewLedgerEntry {
            id: format!("{n:031x}f"),
            case_id: case_id.clone(),
            kind: EntryKind::Charge,
            amount_fen: FEE_FEN,
            method: None,
            reference: String::new(),
            payer_name: String::new(),
            on_behalf: false,
            payer_relation: String::new(),
            note: String::new(),
            recorded_by: user.into(),
            recorded_role: "applicant".into(),
            postings: postings(EntryKind::Charge, &case_id, FEE_FEN, Method::CashWindow),
            receipt_year: 2026,
            provider: None,
            mandate_id: None,
        };
        ledger::bind_entry(
            sqlx::query(ledger::INSERT_ENTRY),
            entry_seq,
            &charge,
            now,
            None,
        )
        .execute(&mut *tx)
        .await?;
        for (line, posting) in charge.postings.iter().enumerate() {
            ledger::bind_posting(
                sqlx::query(ledger::INSERT_POSTING),
                &charge.id,
                line,
                posting,
            )
            .execute(&mut *tx)
            .await?;
        }
        let notice = NewMessage {
            id: format!("{n:031x}m"),
            channel: "email".into(),
            recipient: "applicant@qiaoyi.example".into(),
            language: "zh-CN".into(),
            template: "case-submitted".into(),
            params: format!(
                r#"{{"number":"{number}","item":"护照换发","link":"http://127.0.0.1/cases/{case_id}?lang=zh-CN","name":"季美华"}}"#
            ),
            user_id: Some(user.into()),
            dedupe_key: None,
        };
        outbox::bind_message(sqlx::query(outbox::ENQUEUE), &notice, now)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &self.audit_key,
            &record(user, "case.submit", &case_id, now),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// The audit append of `audit::append`, on the plain connection.
async fn append(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    key: &ChainKey,
    record: &AuditRecord,
) -> Result<(), StoreError> {
    let head = sqlx::query(audit::HEAD_NEXT).fetch_one(&mut **tx).await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let entry = AuditRecord {
        seq,
        ..record.clone()
    };
    let hash = entry_hash(key, &prev, &entry);
    audit::bind_entry(sqlx::query(audit::INSERT_ENTRY), &entry, &prev, &hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(audit::HEAD_SET)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn record(user: &str, action: &str, case_id: &str, now: i64) -> AuditRecord {
    AuditRecord {
        seq: 0,
        at_ms: now,
        actor: user.to_owned(),
        role: "applicant".into(),
        station: String::new(),
        action: action.into(),
        subject_type: "case".into(),
        subject_id: case_id.into(),
        purpose: String::new(),
        outcome: "ok".into(),
        client: "127.0.0.1".into(),
        person: String::new(),
    }
}

/// A PDF of `size` bytes, different for every submission and material, as real scans are.
pub fn file_content(submission: u64, material: usize, size: usize) -> Vec<u8> {
    let mut content = format!("%PDF-1.7\n%{submission:016x}{material:08x}\n").into_bytes();
    let tail = b"%%EOF\n";
    content.resize(size.saturating_sub(tail.len()).max(content.len()), b' ');
    content.extend_from_slice(tail);
    content
}

/// Closed cases' figures written straight into `case_outcomes` for the statistics benchmark:
/// `count` cases spread over 120 months from 2017-01, 27 station values (one of them "online or
/// at the bureau"), 45 items in 5 categories, a tenth refused, processing times of 0–44 days. One
/// plain connection without foreign keys (the cases themselves are not needed to sum figures), in
/// batches of a million rows; `progress` hears the rows written so far.
pub async fn generate_outcomes(
    path: &Path,
    count: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), StoreError> {
    const STATIONS: &str = "IT-ROMIT-MILIT-PRAIT-TRNES-MADES-BCNES-VLCPT-LISPT-OPOFR-PARNL-AMSAT-VIEDE-FRABE-BRUHU-BUDGR-ATHCZ-PRGCH-ZRHGB-LONRO-BUHRS-BEGBR-SAOAR-BUEUS-NYCAE-DXBZA-JNB";
    let options = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(false);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let batch: u64 = 1_000_000;
    let mut start = 0;
    while start < count {
        let end = (start + batch).min(count);
        let sql = format!(
            "WITH RECURSIVE seq(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < {end}) \
             INSERT INTO case_outcomes ({}) \
             SELECT 'b-' || i, \
             printf('%04d-%02d', 2017 + (i % 120) / 12, (i % 120) % 12 + 1), \
             printf('%04d-%02d-15', 2017 + (i % 120) / 12, (i % 120) % 12 + 1), \
             CASE WHEN i % 27 = 26 THEN '' ELSE substr('{STATIONS}', (i % 27) * 6 + 1, 6) END, \
             printf('B%d-%02d', i % 5, i % 9 + 1), printf('bench-%d', i % 5), \
             CASE WHEN i % 10 = 0 THEN 'refused' ELSE 'delivered' END, \
             (i * 7) % 45, CASE WHEN i % 13 = 0 THEN 0 ELSE 1 END, 'IT', \
             CASE WHEN i % 10 = 0 THEN NULL ELSE 1 END, \
             CASE WHEN i % 10 = 0 THEN 0 ELSE 1130000 END, CASE WHEN i % 10 = 0 THEN 0 ELSE 9 END \
             FROM seq",
            crate::stats::OUTCOME_COLUMNS
        );
        let mut tx = conn.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        start = end;
        progress(start);
    }
    conn.close().await?;
    Ok(())
}

/// PostgreSQL's counterpart of [`generate_outcomes`]: the same rows by `generate_series`, with
/// foreign keys set aside for the bulk load (`session_replication_role`, which needs a
/// superuser: run it on a throwaway database).
impl Store {
    pub async fn generate_outcomes_postgres(
        &self,
        count: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        const STATIONS: &str = "IT-ROMIT-MILIT-PRAIT-TRNES-MADES-BCNES-VLCPT-LISPT-OPOFR-PARNL-AMSAT-VIEDE-FRABE-BRUHU-BUDGR-ATHCZ-PRGCH-ZRHGB-LONRO-BUHRS-BEGBR-SAOAR-BUEUS-NYCAE-DXBZA-JNB";
        let batch: u64 = 1_000_000;
        let mut start = 0;
        while start < count {
            let end = (start + batch).min(count);
            let month = "to_char(make_date((2017 + (i % 120) / 12)::int, ((i % 120) % 12 + 1)::int, 1), 'YYYY-MM')";
            let sql = format!(
                "INSERT INTO case_outcomes ({}) \
                 SELECT 'b-' || i, {month}, {month} || '-15', \
                 CASE WHEN i % 27 = 26 THEN '' ELSE substr('{STATIONS}', ((i % 27) * 6 + 1)::int, 6) END, \
                 'B' || (i % 5) || '-' || lpad((i % 9 + 1)::text, 2, '0'), 'bench-' || (i % 5), \
                 CASE WHEN i % 10 = 0 THEN 'refused' ELSE 'delivered' END, \
                 (i * 7) % 45, CASE WHEN i % 13 = 0 THEN 0 ELSE 1 END, 'IT', \
                 CASE WHEN i % 10 = 0 THEN NULL ELSE 1 END, \
                 CASE WHEN i % 10 = 0 THEN 0 ELSE 1130000 END, CASE WHEN i % 10 = 0 THEN 0 ELSE 9 END \
                 FROM generate_series({start}::bigint, {end}::bigint - 1) AS i",
                crate::stats::OUTCOME_COLUMNS
            );
            let mut tx = self.write_tx().await?;
            sqlx::query("SET LOCAL session_replication_role = replica")
                .execute(&mut *tx)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            start = end;
            progress(start);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_baseline_writes_what_intake_writes_per_submission() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("raw.db");
        let key = ChainKey::new([3; 32]);
        let mut raw = RawIntake::create(&path, key.clone()).await.expect("create");
        let shape = Shape {
            files: 2,
            file_size: 4096,
        };
        raw.submit_one(&shape, 1).await.expect("one");
        raw.submit_one(&shape, 2).await.expect("two");
        raw.close().await.expect("close");
        let store = Store::connect(&DatabaseUrl::sqlite_at(&path))
            .await
            .expect("open");
        let counts: std::collections::BTreeMap<String, i64> = store
            .table_counts()
            .await
            .expect("counts")
            .into_iter()
            .collect();
        assert_eq!(counts["cases"], 2);
        assert_eq!(counts["case_events"], 4);
        assert_eq!(counts["case_files"], 4);
        assert_eq!(counts["case_file_blobs"], 4);
        assert_eq!(counts["outbox"], 2);
        assert_eq!(counts["ledger_entries"], 2);
        assert_eq!(counts["ledger_postings"], 4);
        assert_eq!(counts["audit"], 8);
        let mut verifier = qiaoyi_domain::access::audit::Verifier::new(key, None);
        for (record, prev, hash) in store.audit_chain(0, i64::MAX, 100).await.expect("chain") {
            verifier.check(&record, &prev, &hash).expect("whole chain");
        }
        let head = store.audit_head().await.expect("head");
        assert_eq!(verifier.finish(head.seq, &head.hash), Ok(8));
    }

    #[test]
    fn files_are_the_size_asked_and_start_as_a_pdf() {
        let f = file_content(7, 1, 4096);
        assert_eq!(f.len(), 4096);
        assert!(f.starts_with(b"%PDF-"));
        assert_ne!(f, file_content(7, 2, 4096));
        assert!(file_content(1, 0, 3).starts_with(b"%PDF-"));
    }
}
