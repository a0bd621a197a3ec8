//! Video-check slots: published in a batch, booked by one conditional UPDATE (exactly one of two
//! concurrent bookings wins; one booking per case), cancelled back to open, marked as no-show,
//! and the bookings whose reminder is due.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::video::{Slot, SlotState};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::outbox::enqueue;
use crate::{NewMessage, Store, StoreError, audit, decode};

/// Who books which slot for which case, and the zone she reads times in.
#[derive(Clone, Copy, Debug)]
pub struct Booking<'a> {
    pub slot_id: &'a str,
    pub case_id: &'a str,
    pub booked_by: &'a str,
    pub time_zone: &'a str,
}

const COLUMNS: &str = "s.id, s.officer_id, COALESCE(u.display_name, '') AS officer_name, s.starts_at, s.minutes, \
     s.state, s.case_id, c.number AS case_number, s.booked_by, s.booked_at, s.booker_time_zone";
const FROM: &str =
    "video_slots s JOIN users u ON u.id = s.officer_id LEFT JOIN cases c ON c.id = s.case_id";

/// Books an open slot that has not started, for booking and moving alike: ($1 case, $2 booked by,
/// $3 now, $4 zone, $5 slot).
pub(crate) const TAKE_SLOT: &str = "UPDATE video_slots SET state = 'booked', case_id = $1, booked_by = $2, \
     booked_at = $3, booker_time_zone = $4 WHERE id = $5 AND state = 'open' AND starts_at > $3";

fn slot(r: &AnyRow) -> Result<Slot, StoreError> {
    let id: String = r.try_get("id")?;
    let state: String = r.try_get("state")?;
    Ok(Slot {
        state: decode::named("video_slots", &id, "state", &state, SlotState::parse)?,
        id,
        officer_id: r.try_get("officer_id")?,
        officer_name: r.try_get("officer_name")?,
        starts_at: r.try_get("starts_at")?,
        minutes: r.try_get("minutes")?,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        booked_by: r.try_get("booked_by")?,
        booked_at: r.try_get("booked_at")?,
        booker_time_zone: r.try_get("booker_time_zone")?,
    })
}

fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Store {
    /// Publishes slots `(id, starts_at)` for an officer. A time she has a slot at already is a
    /// conflict, and nothing is written.
    pub async fn publish_slots(
        &self,
        officer_id: &str,
        slots: &[(String, i64)],
        minutes: i64,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for (id, starts_at) in slots {
            let inserted = sqlx::query(
                "INSERT INTO video_slots (id, officer_id, starts_at, minutes, state, created_at) \
                 VALUES ($1, $2, $3, $4, 'open', $5)",
            )
            .bind(id)
            .bind(officer_id)
            .bind(starts_at)
            .bind(minutes)
            .bind(now)
            .execute(&mut *tx)
            .await;
            if let Err(e) = inserted {
                return Err(if unique_violation(&e) {
                    StoreError::conflict("you have a slot at one of these times already".into())
                } else {
                    e.into()
                });
            }
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn slot(&self, id: &str) -> Result<Option<Slot>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(slot).transpose()
    }

    /// Open slots starting after `after`, soonest first, at most `limit`.
    pub async fn open_slots(&self, after: i64, limit: i64) -> Result<Vec<Slot>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE s.state = 'open' AND s.starts_at > $1 \
             ORDER BY s.starts_at, s.id LIMIT $2"
        )))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(slot).collect()
    }

    /// An officer's slots from `after` on, soonest first.
    pub async fn officer_slots(
        &self,
        officer_id: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Slot>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE s.officer_id = $1 AND s.starts_at > $2 \
             AND s.state <> 'cancelled' ORDER BY s.starts_at, s.id LIMIT $3"
        )))
        .bind(officer_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(slot).collect()
    }

    /// A case's booked slot, if any.
    pub async fn booked_slot_of_case(&self, case_id: &str) -> Result<Option<Slot>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE s.case_id = $1 AND s.state = 'booked'"
        )))
        .bind(case_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(slot).transpose()
    }

    /// Books an open slot for a case, with the applicant's notice: `false` when someone booked
    /// it first (or it started), and nothing is written. A case with a booking already is a
    /// conflict.
    pub async fn book_slot(
        &self,
        booking: &Booking<'_>,
        now: i64,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<bool, StoreError> {
        let Booking {
            slot_id,
            case_id,
            booked_by,
            time_zone,
        } = *booking;
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(TAKE_SLOT)
            .bind(case_id)
            .bind(booked_by)
            .bind(now)
            .bind(time_zone)
            .bind(slot_id)
            .execute(&mut *tx)
            .await;
        let changed = match changed {
            Ok(done) => done.rows_affected(),
            Err(e) if unique_violation(&e) => {
                return tx.fail(StoreError::conflict(
                    "this case has a video check booked already; cancel it to choose another time"
                        .into(),
                )).await;
            }
            Err(e) => return Err(e.into()),
        };
        if changed != 1 {
            return Ok(false);
        }
        for message in messages {
            enqueue(&mut tx, message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives a booked slot back (it opens again for others), or, with `to` no-show or cancelled,
    /// closes it. `false` when it was not in `from` any more.
    pub async fn change_slot(
        &self,
        slot_id: &str,
        from: SlotState,
        to: SlotState,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let sql = if to == SlotState::Open {
            "UPDATE video_slots SET state = 'open', case_id = NULL, booked_by = NULL, booked_at = NULL, \
             booker_time_zone = '' WHERE id = $1 AND state = $2"
        } else {
            "UPDATE video_slots SET state = $3 WHERE id = $1 AND state = $2"
        };
        let mut query = sqlx::query(sql).bind(slot_id).bind(from.as_str());
        if to != SlotState::Open {
            query = query.bind(to.as_str());
        }
        let changed = query.execute(&mut *tx).await?.rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Booked slots starting in `(now, until]`: those whose reminder may be due.
    pub async fn slots_to_remind(&self, now: i64, until: i64) -> Result<Vec<Slot>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE s.state = 'booked' AND s.starts_at > $1 AND s.starts_at <= $2 \
             ORDER BY s.starts_at, s.id"
        )))
        .bind(now)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(slot).collect()
    }
}
