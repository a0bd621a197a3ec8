//! Cases, their timeline, their files and the working-day calendars. Every step of a case is one
//! transaction: the state change (guarded by the version the caller read), its event and its audit
//! entry commit together or not at all.

use jiff::civil::Date;
use qiaoyi_domain::access::Role;
use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::cases::{
    CaseEvent, CaseFile, CaseState, Channel, EventKind, MediaType, Relation,
};
use qiaoyi_domain::catalog::{Delivery, StationCode, Workflow};
use qiaoyi_domain::fees::EntryKind;
use sqlx::any::AnyRow;
use sqlx::query::Query;
use sqlx::{Database, Encode, Row, Type};

use crate::catalog::clamp_i64;
use crate::decode::{Table, Text};
use crate::outbox::{NewMessage, enqueue};
use crate::{Page, Store, StoreError, audit, decode};

crate::decode::stored_row! {
    /// A case as stored, its states, codes and dates read into the domain's types.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct CaseRow {
        pub id: String,
        pub number: String,
        pub item_code: String,
        pub category: String,
        pub workflow: Workflow as Text,
        pub applicant_id: Option<String>,
        pub filed_by: String,
        pub station: Option<StationCode> as Text,
        pub channel: Channel as Text,
        pub state: CaseState as Text,
        pub version: i64,
        pub person_name: String,
        pub person_name_latin: String,
        pub person_birth_date: Date as Text,
        pub relation: Relation as Text,
        pub delivery: Delivery as Text,
        pub created_at: i64,
        pub updated_at: i64,
        pub submitted_at: Option<i64>,
        pub accepted_at: Option<i64>,
        pub deadline: Option<Date> as Text,
        /// The deadline counts days of a year without its official calendar.
        pub deadline_provisional: bool as Flag,
        pub reason: String,
        pub person_id: Option<String>,
        pub mandate_id: Option<String>,
        /// An approved green-channel request's due day: the case heads the queues.
        pub green_due: Option<Date> as Text,
        /// The green-channel due day counts days of a year without its official calendar.
        pub green_due_provisional: bool as Flag,
    }
}

impl crate::decode::Table for CaseRow {
    const TABLE: &'static str = "cases";
}

/// What [`Store::glance_facts`] reads: (case, material index) for each material with a file, and
/// (case, kind, amount in fen) for each fee entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GlanceFacts {
    pub uploaded: Vec<(String, i64)>,
    pub fees: Vec<(String, EntryKind, i64)>,
}

impl CaseRow {
    /// Filed by `user`, or filed for her by someone else: hers to be told about.
    pub fn is_hers(&self, user: &str) -> bool {
        self.filed_by == user || self.applicant_id.as_deref() == Some(user)
    }
}

/// A new case: everything but its number, which is given out in the same transaction.
#[derive(Clone, Debug)]
pub struct NewCase {
    pub id: String,
    pub number_prefix: String,
    pub year: i64,
    pub item_code: String,
    pub category: String,
    pub workflow: Workflow,
    pub applicant_id: Option<String>,
    pub filed_by: String,
    pub station: Option<StationCode>,
    pub channel: Channel,
    pub person_name: String,
    pub person_name_latin: String,
    pub person_birth_date: Date,
    pub relation: Relation,
    pub delivery: Delivery,
    /// The person on file the case is for, when chosen from the filer's list.
    pub person_id: Option<String>,
    /// The mandate under which an agent filed it for the applicant (代办).
    pub mandate_id: Option<String>,
}

/// One step to write: from the state and version the caller read, to the new state.
#[derive(Clone, Debug)]
pub struct CaseStep {
    pub case_id: String,
    pub expected_version: i64,
    pub step: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_id: String,
    pub role: String,
    pub note: String,
    /// Set on acceptance.
    pub deadline: Option<String>,
    /// Whether that deadline is provisional (set with it on acceptance).
    pub deadline_provisional: bool,
    /// Replaces the reason shown to the applicant when the step carries one.
    pub reason: Option<String>,
    /// The item's fee, charged when the case is submitted.
    pub charge: Option<crate::NewLedgerEntry>,
    /// The electronic certificate the step issues.
    pub certificate: Option<qiaoyi_domain::certificates::IssuedCertificate>,
    /// Dispatch: what was sent how, and the handover code.
    pub handover: Option<crate::HandoverRow>,
    /// Delivery: the handover confirmed by the applicant's code or a signature at the door.
    pub confirms_handover: Option<crate::HandoverProof>,
    /// Closing: the case's figures for the statistics.
    pub outcome: Option<qiaoyi_domain::stats::CaseOutcome>,
}

/// A year's calendar file to import, with what it changes.
#[derive(Clone, Copy, Debug)]
pub struct CalendarImport<'a> {
    pub year: i64,
    /// The notice it comes from.
    pub source: &'a str,
    /// The file's text.
    pub body: &'a str,
    /// The deadlines it moves.
    pub changes: &'a [DeadlineChange],
    /// The notices telling applicants.
    pub messages: &'a [NewMessage],
}

/// A deadline a newly imported calendar moves.
#[derive(Clone, Debug)]
pub struct DeadlineChange {
    pub case_id: String,
    /// The deadline and whether it is still provisional, when it changes.
    pub deadline: Option<(String, bool)>,
    /// The green channel's due day and whether it is still provisional, when it changes.
    pub green_due: Option<(String, bool)>,
    /// The timeline's note, e.g. `2027-01-07 → 2027-01-08`.
    pub note: String,
    /// The case's audit entry; its actor also signs the timeline's event.
    pub record: AuditRecord,
}

/// Which cases a list shows.
#[derive(Clone, Debug)]
pub enum CaseScope<'a> {
    /// The cases of one account, and those it filed for others.
    Applicant(&'a str),
    /// The cases one station filed.
    Station(&'a str),
    /// Cases with the bureau in these categories (all categories when empty), by deadline.
    Queue(&'a [String]),
}

const CASE_COLUMNS: &str = "id, number, item_code, category, workflow, applicant_id, filed_by, station, channel, state, version, \
     person_name, person_name_latin, person_birth_date, relation, delivery, created_at, updated_at, submitted_at, \
     accepted_at, deadline, deadline_provisional, reason, person_id, mandate_id, green_due, green_due_provisional";

/// The states in an officer's queue (see `CaseState::is_with_bureau`).
const QUEUE_STATES: &str = "'submitted', 'accepted', 'identity_verified', 'under_review', 'approved', 'in_production', 'ready', 'dispatched', 'delivered'";

fn file_row(row: &AnyRow) -> Result<CaseFile, StoreError> {
    let id: String = row.try_get("id")?;
    let media_type: String = row.try_get("media_type")?;
    Ok(CaseFile {
        media_type: decode::named(
            "case_files",
            &id,
            "media_type",
            &media_type,
            MediaType::parse,
        )?,
        id,
        case_id: row.try_get("case_id")?,
        material: row.try_get("material")?,
        file_name: row.try_get("file_name")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

// The statements that write a case, shared with the raw baseline of `qiaoyi bench`.
/// The next number of a prefix and year.
pub(crate) const NEXT_NUMBER: &str = "INSERT INTO case_sequences (prefix, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (prefix, year) DO UPDATE SET last = case_sequences.last + 1 RETURNING last";
/// A new draft, its values bound by [`bind_new_case`]: together the one definition of the columns
/// a case is written with.
pub(crate) const INSERT_CASE: &str = "INSERT INTO cases (id, number, item_code, category, workflow, applicant_id, filed_by, station, channel, state, \
             version, person_name, person_name_latin, person_birth_date, relation, delivery, created_at, updated_at, person_id, mandate_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', 1, $10, $11, $12, $13, $14, $15, $15, $16, $17)";

/// Binds `new`, numbered `number` and made at `now`, to [`INSERT_CASE`], on the store's pool and on
/// the baseline's plain SQLite connection alike.
pub(crate) fn bind_new_case<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    new: &NewCase,
    number: &str,
    now: i64,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t str>: Encode<'t, DB> + Type<DB>,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    Option<String>: for<'t> Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(new.id.as_str())
        .bind(number)
        .bind(new.item_code.as_str())
        .bind(new.category.as_str())
        .bind(new.workflow.to_text())
        .bind(new.applicant_id.as_deref())
        .bind(new.filed_by.as_str())
        .bind(new.station.as_ref().map(Text::to_text))
        .bind(new.channel.to_text())
        .bind(new.person_name.as_str())
        .bind(new.person_name_latin.as_str())
        .bind(new.person_birth_date.to_text())
        .bind(new.relation.to_text())
        .bind(new.delivery.to_text())
        .bind(now)
        .bind(new.person_id.as_deref())
        .bind(new.mandate_id.as_deref())
}

/// One event of a case's timeline, as [`INSERT_EVENT`] writes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NewEvent<'a> {
    pub case_id: &'a str,
    /// The case's version the event leads to: 1 for the draft's creation.
    pub seq: i64,
    pub at: i64,
    pub actor_id: &'a str,
    /// The role the actor acted in; empty when the calendar, not a person, moved the case.
    pub role: &'a str,
    pub step: &'a str,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub note: &'a str,
}

impl<'a> NewEvent<'a> {
    /// A draft's first event: made at `now` by its filer acting as `role`.
    pub(crate) fn created(new: &'a NewCase, role: &'a str, now: i64) -> NewEvent<'a> {
        NewEvent {
            case_id: &new.id,
            seq: 1,
            at: now,
            actor_id: &new.filed_by,
            role,
            step: "create",
            from_state: "",
            to_state: "draft",
            note: "",
        }
    }
}

/// An event of a case, its values bound by [`bind_event`].
pub(crate) const INSERT_EVENT: &str = "INSERT INTO case_events (case_id, seq, at, actor_id, role, step, from_state, to_state, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Binds `event` to [`INSERT_EVENT`].
pub(crate) fn bind_event<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    event: &NewEvent<'q>,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(event.case_id)
        .bind(event.seq)
        .bind(event.at)
        .bind(event.actor_id)
        .bind(event.role)
        .bind(event.step)
        .bind(event.from_state)
        .bind(event.to_state)
        .bind(event.note)
}

/// A step, only from the version and state the writer read.
pub(crate) const STEP_CASE: &str = "UPDATE cases SET state = $1, version = version + 1, updated_at = $2, \
             submitted_at = CASE WHEN $3 = 1 THEN $2 ELSE submitted_at END, \
             accepted_at = CASE WHEN $4 = 1 THEN $2 ELSE accepted_at END, \
             deadline = COALESCE($5, deadline), reason = COALESCE($6, reason), \
             deadline_provisional = CASE WHEN $4 = 1 THEN $10 ELSE deadline_provisional END \
             WHERE id = $7 AND version = $8 AND state = $9";
/// A file's content, kept once.
pub(crate) const INSERT_BLOB: &str =
    "INSERT INTO case_file_blobs (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING";
/// A file of a case, its values bound by [`bind_file`].
pub(crate) const INSERT_FILE: &str = "INSERT INTO case_files (id, case_id, material, file_name, media_type, size, sha256, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Binds `file` to [`INSERT_FILE`].
pub(crate) fn bind_file<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    file: &CaseFile,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(file.id.as_str())
        .bind(file.case_id.as_str())
        .bind(file.material)
        .bind(file.file_name.as_str())
        .bind(file.media_type.as_str())
        .bind(file.size)
        .bind(file.sha256.as_str())
        .bind(file.uploaded_by.as_str())
        .bind(file.uploaded_at)
}

impl Store {
    /// Creates a draft case with the next number of its prefix and year, its first event and the
    /// audit entry, and queues the messages `messages` makes with that number (a principal told of
    /// a case filed for her). Returns the number given out.
    pub async fn create_case(
        &self,
        new: &NewCase,
        now: i64,
        record: &AuditRecord,
        messages: &(dyn Fn(&str) -> Vec<NewMessage> + Sync),
    ) -> Result<String, StoreError> {
        let mut tx = self.write_tx().await?;
        let sequence: i64 = sqlx::query_scalar(NEXT_NUMBER)
            .bind(&new.number_prefix)
            .bind(new.year)
            .fetch_one(&mut *tx)
            .await?;
        let number = format!("{}-{}-{:06}", new.number_prefix, new.year, sequence);
        bind_new_case(sqlx::query(INSERT_CASE), new, &number, now)
            .execute(&mut *tx)
            .await?;
        bind_event(
            sqlx::query(INSERT_EVENT),
            &NewEvent::created(new, &record.role, now),
        )
        .execute(&mut *tx)
        .await?;
        for message in messages(&number) {
            enqueue(&mut tx, &message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(number)
    }

    pub async fn case_by_id(&self, id: &str) -> Result<Option<CaseRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(CaseRow::read).transpose()
    }

    pub async fn case_by_number(&self, number: &str) -> Result<Option<CaseRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
        )))
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(CaseRow::read).transpose()
    }

    /// Writes one step if the case is still at the version and state the caller read. Returns
    /// `Conflict` (and writes nothing) when someone else moved it first.
    pub async fn step_case(
        &self,
        step: &CaseStep,
        now: i64,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let submitted = matches!(step.step.as_str(), "submit" | "resubmit");
        let accepted = step.step == "accept";
        let changed = sqlx::query(STEP_CASE)
            .bind(&step.to_state)
            .bind(now)
            .bind(i64::from(submitted))
            .bind(i64::from(accepted))
            .bind(&step.deadline)
            .bind(&step.reason)
            .bind(&step.case_id)
            .bind(step.expected_version)
            .bind(&step.from_state)
            .bind(i64::from(step.deadline_provisional))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "someone else changed this case first; reload it and try again".into(),
                ))
                .await;
        }
        let event = NewEvent {
            case_id: &step.case_id,
            seq: step.expected_version + 1,
            at: now,
            actor_id: &step.actor_id,
            role: &step.role,
            step: &step.step,
            from_state: &step.from_state,
            to_state: &step.to_state,
            note: &step.note,
        };
        bind_event(sqlx::query(INSERT_EVENT), &event)
            .execute(&mut *tx)
            .await?;
        if let Some(charge) = &step.charge {
            crate::ledger::write_entry(&mut tx, charge, now).await?;
        }
        if let Some(certificate) = &step.certificate {
            crate::certificates::insert_certificate(&mut tx, certificate).await?;
        }
        if let Some(handover) = &step.handover {
            crate::handover::insert(&mut tx, handover).await?;
        }
        if let Some(proof) = &step.confirms_handover {
            crate::handover::confirm(&mut tx, &step.case_id, &step.actor_id, proof, now).await?;
        }
        if let Some(outcome) = &step.outcome {
            crate::stats::record_outcome(&mut tx, outcome).await?;
        }
        for message in messages {
            enqueue(&mut tx, message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The timeline of a case, oldest first.
    pub async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, role, step, from_state, to_state, note FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq")?;
                let key = format!("{case_id}#{seq}");
                let text = |column: &str| r.try_get::<String, _>(column);
                Ok(CaseEvent {
                    seq,
                    at: r.try_get("at")?,
                    actor_id: r.try_get("actor_id")?,
                    role: decode::named_or_none(
                        "case_events",
                        &key,
                        "role",
                        &text("role")?,
                        Role::parse,
                    )?,
                    kind: decode::named(
                        "case_events",
                        &key,
                        "step",
                        &text("step")?,
                        EventKind::parse,
                    )?,
                    from_state: decode::named_or_none(
                        "case_events",
                        &key,
                        "from_state",
                        &text("from_state")?,
                        CaseState::parse,
                    )?,
                    to_state: decode::named(
                        "case_events",
                        &key,
                        "to_state",
                        &text("to_state")?,
                        CaseState::parse,
                    )?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// One page of cases in `scope`: newest first for applicants and stations, earliest deadline
    /// first (cases without one last) for the bureau's queue.
    pub async fn cases(
        &self,
        scope: &CaseScope<'_>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<CaseRow>, StoreError> {
        let (filter, order, binds): (String, &str, Vec<&str>) = match scope {
            CaseScope::Applicant(id) => (
                "(applicant_id = $1 OR filed_by = $1)".into(),
                "created_at DESC, id",
                vec![id],
            ),
            CaseScope::Station(code) => ("station = $1".into(), "created_at DESC, id", vec![code]),
            CaseScope::Queue(categories) => {
                let mut filter = format!("state IN ({QUEUE_STATES})");
                if !categories.is_empty() {
                    let marks: Vec<String> =
                        (1..=categories.len()).map(|i| format!("${i}")).collect();
                    filter.push_str(&format!(" AND category IN ({})", marks.join(", ")));
                }
                (
                    filter,
                    // Green-channel cases first, soonest due first.
                    "green_due IS NULL, green_due, deadline IS NULL, deadline, submitted_at, id",
                    categories.iter().map(String::as_str).collect(),
                )
            }
        };
        let n = binds.len();
        let count_sql = format!("SELECT COUNT(*) FROM cases WHERE {filter}");
        let list_sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {filter} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        // Only fixed text and numbered placeholders are formatted in; values are bound.
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        for b in &binds {
            count = count.bind(*b);
            list = list.bind(*b);
        }
        let total = count.fetch_one(&self.pool).await?;
        let rows = list
            .bind(clamp_i64(limit))
            .bind(clamp_i64(offset))
            .fetch_all(&self.pool)
            .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows.iter().map(CaseRow::read).collect::<Result<_, _>>()?,
        })
    }

    /// Stores an uploaded file for a case; the same content is kept once. `messages` are queued
    /// in the same transaction.
    pub async fn add_case_file(
        &self,
        file: &CaseFile,
        content: &[u8],
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for message in messages {
            enqueue(&mut tx, message, file.uploaded_at).await?;
        }
        sqlx::query(INSERT_BLOB)
            .bind(&file.sha256)
            .bind(content.to_vec())
            .execute(&mut *tx)
            .await?;
        bind_file(sqlx::query(INSERT_FILE), file)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn case_files(&self, case_id: &str) -> Result<Vec<CaseFile>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, case_id, material, file_name, media_type, size, sha256, uploaded_by, uploaded_at \
             FROM case_files WHERE case_id = $1 ORDER BY material, uploaded_at, id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(file_row).collect()
    }

    /// A file's record and bytes, with the audit entry of the read written first.
    pub async fn read_case_file(
        &self,
        case_id: &str,
        file_id: &str,
        record: &AuditRecord,
    ) -> Result<Option<(CaseFile, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT f.id, f.case_id, f.material, f.file_name, f.media_type, f.size, f.sha256, f.uploaded_by, \
             f.uploaded_at, b.content FROM case_files f JOIN case_file_blobs b ON b.sha256 = f.sha256 \
             WHERE f.id = $1 AND f.case_id = $2",
        )
        .bind(file_id)
        .bind(case_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let file = file_row(&row)?;
        let content: Vec<u8> = row.try_get("content")?;
        self.audit(record).await?;
        Ok(Some((file, content)))
    }

    /// The cases under way (see `CaseState::is_under_way`) for one service and one person, named
    /// and born as given, oldest first and at most `limit` of them: the possible duplicates of an
    /// application.
    pub async fn cases_under_way_like(
        &self,
        item_code: &str,
        person_name: &str,
        birth_date: Date,
        limit: u64,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let states = CaseState::under_way()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE item_code = $1 AND person_name = $2 \
             AND person_birth_date = $3 AND state IN ({states}) ORDER BY created_at, id LIMIT $4"
        )))
        .bind(item_code)
        .bind(person_name)
        .bind(birth_date.to_text())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(CaseRow::read).collect()
    }

    /// What the case lists show of each of `ids` at a glance: which materials have a file, and
    /// the fee entries.
    pub async fn glance_facts(&self, ids: &[&str]) -> Result<GlanceFacts, StoreError> {
        let mut facts = GlanceFacts::default();
        if ids.is_empty() {
            return Ok(facts);
        }
        // Only numbered placeholders are formatted in; the ids are bound.
        let marks = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut files = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT case_id, material FROM case_files WHERE case_id IN ({marks})"
        )));
        for id in ids {
            files = files.bind(*id);
        }
        for row in files.fetch_all(&self.pool).await? {
            facts
                .uploaded
                .push((row.try_get("case_id")?, row.try_get("material")?));
        }
        let mut entries = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, case_id, kind, amount_fen FROM ledger_entries WHERE case_id IN ({marks})"
        )));
        for id in ids {
            entries = entries.bind(*id);
        }
        for row in entries.fetch_all(&self.pool).await? {
            let id: String = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            facts.fees.push((
                row.try_get("case_id")?,
                decode::named("ledger_entries", &id, "kind", &kind, EntryKind::parse)?,
                row.try_get("amount_fen")?,
            ));
        }
        Ok(facts)
    }

    /// The cases with the bureau that have a deadline or a green-channel due day: those a new
    /// calendar may move.
    pub async fn cases_with_deadline(&self) -> Result<Vec<CaseRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE (deadline IS NOT NULL OR green_due IS NOT NULL) \
             AND state IN ({QUEUE_STATES}) ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(CaseRow::read).collect()
    }

    /// Makes `body` the calendar of `year`, replacing an earlier import of that year, and in the
    /// same transaction moves the deadlines it changes: each with an event in the case's timeline,
    /// its audit entry, and the messages telling applicants.
    pub async fn import_calendar_year(
        &self,
        import: &CalendarImport<'_>,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for change in import.changes {
            // A case closed meanwhile keeps what it had; the others move whatever step they took.
            let moved = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE cases SET version = version + 1, updated_at = $1 \
                 WHERE id = $2 AND state IN ({QUEUE_STATES}) RETURNING version, state"
            )))
            .bind(now)
            .bind(&change.case_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(moved) = moved else { continue };
            let version: i64 = moved.try_get("version")?;
            let state: String = moved.try_get("state")?;
            if let Some((deadline, provisional)) = &change.deadline {
                sqlx::query(
                    "UPDATE cases SET deadline = $1, deadline_provisional = $2 WHERE id = $3",
                )
                .bind(deadline)
                .bind(i64::from(*provisional))
                .bind(&change.case_id)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((due, provisional)) = &change.green_due {
                sqlx::query(
                    "UPDATE cases SET green_due = $1, green_due_provisional = $2 WHERE id = $3",
                )
                .bind(due)
                .bind(i64::from(*provisional))
                .bind(&change.case_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE green_channel_requests SET due_on = $1 WHERE case_id = $2 AND state = 'approved'",
                )
                .bind(due)
                .bind(&change.case_id)
                .execute(&mut *tx)
                .await?;
            }
            let event = NewEvent {
                case_id: &change.case_id,
                seq: version,
                at: now,
                actor_id: &change.record.actor,
                // The calendar moved it, not a role's decision on the case.
                role: "",
                step: "deadline_recounted",
                from_state: &state,
                to_state: &state,
                note: &change.note,
            };
            bind_event(sqlx::query(INSERT_EVENT), &event)
                .execute(&mut *tx)
                .await?;
            audit::append(&mut tx, self.audit_key()?, &change.record).await?;
        }
        for message in import.messages {
            enqueue(&mut tx, message, now).await?;
        }
        sqlx::query(
            "INSERT INTO calendar_years (year, source, body, imported_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET source = excluded.source, body = excluded.body, imported_at = excluded.imported_at",
        )
        .bind(import.year)
        .bind(import.source)
        .bind(import.body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The years that have an imported calendar, in order (without reading their files).
    pub async fn calendar_year_numbers(&self) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT year FROM calendar_years ORDER BY year")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Every imported calendar year as (year, file text), in order.
    pub async fn calendar_years(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query("SELECT year, body FROM calendar_years ORDER BY year")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("year")?, r.try_get("body")?)))
            .collect()
    }
}

/// The cases filed under a mandate, newest first.
pub(crate) async fn by_mandate(
    pool: &sqlx::AnyPool,
    mandate_id: &str,
    limit: u64,
) -> Result<Vec<CaseRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE mandate_id = $1 ORDER BY created_at DESC, id LIMIT $2"
    )))
    .bind(mandate_id)
    .bind(clamp_i64(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(CaseRow::read).collect()
}
