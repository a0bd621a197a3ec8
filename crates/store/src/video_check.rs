//! The participants of a case's video identity check and what the officer recorded of each. A
//! record is also a case event (the case's version moves on, its state does not) and an audit
//! entry, written in one transaction.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::video_check::{Document, Participant, Role, Verdict};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, audit, decode};

/// What the officer recorded of one participant, with the case event that tells it.
#[derive(Clone, Debug)]
pub struct VerdictWrite<'a> {
    pub participant_id: &'a str,
    pub case_id: &'a str,
    pub slot_id: &'a str,
    pub verdict: &'a str,
    pub matched: Option<bool>,
    /// The digest of the document number to keep: unchanged, or keyed where an old unkeyed one
    /// was just matched by the number shown.
    pub document_digest: &'a str,
    pub note: &'a str,
    pub officer_id: &'a str,
    pub role: &'a str,
    /// The event's note in the case's timeline.
    pub event_note: &'a str,
}

const COLUMNS: &str = "id, case_id, role, name, user_id, document_type, document_digest, verdict, \
     document_matched, note, slot_id, recorded_by, recorded_at, added_by, created_at";

fn participant(r: &AnyRow) -> Result<Participant, StoreError> {
    let matched: Option<i64> = r.try_get("document_matched")?;
    let id: String = r.try_get("id")?;
    let text = |column: &str| r.try_get::<String, _>(column);
    let table = "video_participants";
    Ok(Participant {
        case_id: r.try_get("case_id")?,
        role: decode::named(table, &id, "role", &text("role")?, Role::parse)?,
        name: r.try_get("name")?,
        user_id: r.try_get("user_id")?,
        document_type: decode::named(
            table,
            &id,
            "document_type",
            &text("document_type")?,
            Document::parse,
        )?,
        document_digest: r.try_get("document_digest")?,
        verdict: decode::named(table, &id, "verdict", &text("verdict")?, Verdict::parse)?,
        id,
        document_matched: matched.map(|m| m == 1),
        note: r.try_get("note")?,
        slot_id: r.try_get("slot_id")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        added_by: r.try_get("added_by")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Adds a participant (its `verdict` is pending) with its audit entry.
    pub async fn add_participant(
        &self,
        row: &Participant,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO video_participants (id, case_id, role, name, user_id, document_type, document_digest, \
             verdict, note, added_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', '', $8, $9)",
        )
        .bind(&row.id)
        .bind(&row.case_id)
        .bind(row.role.as_str())
        .bind(&row.name)
        .bind(&row.user_id)
        .bind(row.document_type.as_str())
        .bind(&row.document_digest)
        .bind(&row.added_by)
        .bind(row.created_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A case's participants, in the order they were added.
    pub async fn participants_of_case(
        &self,
        case_id: &str,
    ) -> Result<Vec<Participant>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM video_participants WHERE case_id = $1 ORDER BY created_at, id"
        )))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(participant).collect()
    }

    pub async fn participant(&self, id: &str) -> Result<Option<Participant>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM video_participants WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(participant).transpose()
    }

    /// Whether `user_id` takes part in the check of `case_id` on her own device.
    pub async fn is_participant(&self, case_id: &str, user_id: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM video_participants WHERE case_id = $1 AND user_id = $2",
        )
        .bind(case_id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Takes a participant off a case while nothing has been recorded of her: `false` when she was
    /// recorded meanwhile, and nothing is written.
    pub async fn remove_participant(
        &self,
        id: &str,
        case_id: &str,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query(
            "DELETE FROM video_participants WHERE id = $1 AND case_id = $2 AND verdict = 'pending'",
        )
        .bind(id)
        .bind(case_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a verdict: the participant's row, a `video_check` event in the case's timeline
    /// (the case's version moves on, its state stays) and the audit entry.
    pub async fn record_verdict(
        &self,
        write: &VerdictWrite<'_>,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE video_participants SET verdict = $1, document_matched = $2, note = $3, slot_id = $4, \
             recorded_by = $5, recorded_at = $6, document_digest = $9 WHERE id = $7 AND case_id = $8",
        )
        .bind(write.verdict)
        .bind(write.matched.map(i64::from))
        .bind(write.note)
        .bind(write.slot_id)
        .bind(write.officer_id)
        .bind(now)
        .bind(write.participant_id)
        .bind(write.case_id)
        .bind(write.document_digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this participant was taken off the check meanwhile; reload the page".into(),
                ))
                .await;
        }
        let moved = sqlx::query(
            "UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2 RETURNING version, state",
        )
        .bind(now)
        .bind(write.case_id)
        .fetch_one(&mut *tx)
        .await?;
        let version: i64 = moved.try_get("version")?;
        let state: String = moved.try_get("state")?;
        let event = crate::cases::NewEvent {
            case_id: write.case_id,
            seq: version,
            at: now,
            actor_id: write.officer_id,
            role: write.role,
            step: "video_check",
            from_state: &state,
            to_state: &state,
            note: write.event_note,
        };
        crate::cases::bind_event(sqlx::query(crate::cases::INSERT_EVENT), &event)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a case's booking from one slot to another in one transaction: `false` when the new
    /// slot was taken first (or has started), and the old booking stays.
    pub async fn move_booking(
        &self,
        from_slot: &str,
        booking: &crate::Booking<'_>,
        now: i64,
        record: &AuditRecord,
        messages: &[crate::NewMessage],
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let released = sqlx::query(
            "UPDATE video_slots SET state = 'open', case_id = NULL, booked_by = NULL, booked_at = NULL, \
             booker_time_zone = '' WHERE id = $1 AND state = 'booked' AND case_id = $2",
        )
        .bind(from_slot)
        .bind(booking.case_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if released != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this booking changed meanwhile; reload the page".into(),
                ))
                .await;
        }
        let taken = sqlx::query(crate::video::TAKE_SLOT)
            .bind(booking.case_id)
            .bind(booking.booked_by)
            .bind(now)
            .bind(booking.time_zone)
            .bind(booking.slot_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            // Dropping the transaction rolls the release back: the old booking stays.
            return Ok(false);
        }
        for message in messages {
            crate::outbox::enqueue(&mut tx, message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }
}
