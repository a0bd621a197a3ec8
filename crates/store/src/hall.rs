//! A station's service hall: numbers handed out by one counter row per hall and day (so every
//! node gives the next one), each number's way from waiting to a window and to served or not
//! come by conditional UPDATEs on its state (of two staff calling the same number, one changes
//! the row), and the rules an administrator set for the hall.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::hall::{
    CallReason, HallSums, Priority, QueueRules, TakenVia, Ticket, TicketState,
};
use qiaoyi_domain::lang::Lang;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, audit, decode};

/// A number as it is taken; it starts waiting. The store gives it its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHallTicket<'a> {
    pub id: &'a str,
    pub station: &'a str,
    /// The hall's own day, `YYYY-MM-DD`.
    pub day: &'a str,
    /// The group's letter, which with the number makes the label.
    pub letter: char,
    pub group: &'a str,
    pub priority: Option<Priority>,
    pub via: TakenVia,
    pub lang: Lang,
    pub follow_hash: &'a str,
    pub now: i64,
    /// The hour of the hall's day it is taken in (0–23).
    pub hour: u8,
}

/// What the hall figures are summed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HallBy {
    Station,
    Service,
    Hour,
}

/// A call of a waiting number to a window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HallCall<'a> {
    pub id: &'a str,
    pub window: &'a str,
    pub by: &'a str,
    pub reason: CallReason,
    pub now: i64,
}

const COLUMNS: &str = "id, station_code, day, number, label, category_code, priority, taken_via, \
     lang, state, taken_at, first_called_at, called_at, calls, window_name, call_reason, done_at";

fn ticket(r: &AnyRow) -> Result<Ticket, StoreError> {
    let id: String = r.try_get("id")?;
    let table = "hall_tickets";
    let text = |column: &str| r.try_get::<String, _>(column);
    let opt = |column: &str| r.try_get::<Option<String>, _>(column);
    Ok(Ticket {
        station: decode::parsed(table, &id, "station_code", &text("station_code")?)?,
        day: decode::parsed(table, &id, "day", &text("day")?)?,
        number: decode::parsed(
            table,
            &id,
            "number",
            &r.try_get::<i64, _>("number")?.to_string(),
        )?,
        label: text("label")?,
        group: decode::parsed(table, &id, "category_code", &text("category_code")?)?,
        priority: decode::named_or_none(
            table,
            &id,
            "priority",
            &opt("priority")?.unwrap_or_default(),
            Priority::parse,
        )?,
        via: decode::named(
            table,
            &id,
            "taken_via",
            &text("taken_via")?,
            TakenVia::parse,
        )?,
        lang: decode::named(table, &id, "lang", &text("lang")?, Lang::from_tag)?,
        state: decode::named(table, &id, "state", &text("state")?, TicketState::parse)?,
        taken_at: r.try_get("taken_at")?,
        first_called_at: r.try_get("first_called_at")?,
        called_at: r.try_get("called_at")?,
        calls: u32::try_from(r.try_get::<i64, _>("calls")?).unwrap_or(u32::MAX),
        window: opt("window_name")?,
        call_reason: decode::named_or_none(
            table,
            &id,
            "call_reason",
            &opt("call_reason")?.unwrap_or_default(),
            CallReason::parse,
        )?,
        done_at: r.try_get("done_at")?,
        id,
    })
}

impl Store {
    /// Takes the hall's next number for the day and keeps the ticket, in one transaction.
    pub async fn take_hall_number(&self, new: &NewHallTicket<'_>) -> Result<Ticket, StoreError> {
        let mut tx = self.write_tx().await?;
        let number: i64 = sqlx::query(
            "INSERT INTO hall_counters (station_code, day, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (station_code, day) DO UPDATE SET last_number = hall_counters.last_number + 1 \
             RETURNING last_number",
        )
        .bind(new.station)
        .bind(new.day)
        .fetch_one(&mut *tx)
        .await?
        .try_get("last_number")?;
        let label = qiaoyi_domain::hall::label(new.letter, u32::try_from(number).unwrap_or(0));
        sqlx::query(
            "INSERT INTO hall_tickets (id, station_code, day, number, label, category_code, priority, \
             taken_via, lang, follow_hash, taken_at, hour) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new.id)
        .bind(new.station)
        .bind(new.day)
        .bind(number)
        .bind(&label)
        .bind(new.group)
        .bind(new.priority.map(Priority::as_str))
        .bind(new.via.as_str())
        .bind(new.lang.tag())
        .bind(new.follow_hash)
        .bind(new.now)
        .bind(i64::from(new.hour))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.hall_ticket(new.id)
            .await?
            .ok_or_else(|| StoreError::CorruptRow {
                table: "hall_tickets",
                key: new.id.to_owned(),
                reason: "the ticket just taken is not there".into(),
            })
    }

    pub async fn hall_ticket(&self, id: &str) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM hall_tickets WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(ticket)
            .transpose()
    }

    /// The ticket her phone follows, by the hash of the secret in its address.
    pub async fn hall_ticket_followed(&self, hash: &str) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM hall_tickets WHERE follow_hash = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(ticket)
            .transpose()
    }

    /// Every number of a hall's day, in the order they were taken.
    pub async fn hall_day(&self, station: &str, day: &str) -> Result<Vec<Ticket>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM hall_tickets WHERE station_code = $1 AND day = $2 ORDER BY number"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(station)
            .bind(day)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(ticket)
            .collect()
    }

    /// Calls a waiting number to a window; false when it is no longer waiting (someone else
    /// called it first, or she gave it back).
    pub async fn call_hall_ticket(&self, call: &HallCall<'_>) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE hall_tickets SET state = 'called', calls = 1, first_called_at = COALESCE(first_called_at, $2), \
             called_at = $2, window_name = $3, called_by = $4, call_reason = $5 \
             WHERE id = $1 AND state = 'waiting'",
        )
        .bind(call.id)
        .bind(call.now)
        .bind(call.window)
        .bind(call.by)
        .bind(call.reason.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Calls a called number again, while it has been called fewer than `max_calls` times.
    pub async fn recall_hall_ticket(
        &self,
        id: &str,
        window: &str,
        max_calls: u32,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.move_hall_ticket(
            "UPDATE hall_tickets SET calls = calls + 1, called_at = $2, window_name = $3 \
             WHERE id = $1 AND state = 'called' AND calls < $4",
            id,
            now,
            Some(window),
            Some(i64::from(max_calls)),
        )
        .await
    }

    /// Ends a called number as served or not come.
    pub async fn finish_hall_ticket(
        &self,
        id: &str,
        state: TicketState,
        now: i64,
    ) -> Result<bool, StoreError> {
        let sql = match state {
            TicketState::Served => {
                "UPDATE hall_tickets SET state = 'served', done_at = $2 WHERE id = $1 AND state = 'called'"
            }
            TicketState::NoShow => {
                "UPDATE hall_tickets SET state = 'no_show', done_at = $2 WHERE id = $1 AND state = 'called'"
            }
            _ => return Ok(false),
        };
        self.move_hall_ticket(sql, id, now, None, None).await
    }

    /// Sends a called number back to wait in another group, keeping its place (when it was
    /// taken) and its label.
    pub async fn transfer_hall_ticket(&self, id: &str, group: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE hall_tickets SET state = 'waiting', category_code = $2, called_at = NULL, \
             calls = 0, window_name = NULL WHERE id = $1 AND state = 'called'",
        )
        .bind(id)
        .bind(group)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// She gives back a number still waiting.
    pub async fn give_back_hall_ticket(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        self.move_hall_ticket(
            "UPDATE hall_tickets SET state = 'given_back', done_at = $2 WHERE id = $1 AND state = 'waiting'",
            id,
            now,
            None,
            None,
        )
        .await
    }

    async fn move_hall_ticket(
        &self,
        sql: &'static str,
        id: &str,
        now: i64,
        window: Option<&str>,
        max: Option<i64>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut query = sqlx::query(sql).bind(id).bind(now);
        if let Some(window) = window {
            query = query.bind(window);
        }
        if let Some(max) = max {
            query = query.bind(max);
        }
        let changed = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The halls' numbers of the days `from` to `to` (`YYYY-MM-DD`, each hall's own days), summed
    /// by hall, service or hour; only one station's and one service's when given.
    pub async fn hall_sums(
        &self,
        from: &str,
        to: &str,
        station: Option<&str>,
        service: Option<&str>,
        by: HallBy,
    ) -> Result<Vec<HallSums>, StoreError> {
        let key = match by {
            HallBy::Station => "station_code",
            HallBy::Service => "category_code",
            HallBy::Hour => "COALESCE(CAST(hour AS TEXT), '')",
        };
        let sql = format!(
            "SELECT {key} AS k, COUNT(*) AS taken, \
             CAST(SUM(CASE WHEN state = 'served' THEN 1 ELSE 0 END) AS BIGINT) AS served, \
             CAST(SUM(CASE WHEN state = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows, \
             CAST(SUM(CASE WHEN state = 'given_back' THEN 1 ELSE 0 END) AS BIGINT) AS given_back, \
             CAST(SUM(CASE WHEN call_reason IS NOT NULL AND call_reason NOT IN ('turn', 'after-priority-run') \
                 THEN 1 ELSE 0 END) AS BIGINT) AS priority_calls, \
             CAST(SUM(CASE WHEN first_called_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS called, \
             CAST(SUM(CASE WHEN first_called_at IS NOT NULL THEN first_called_at - taken_at ELSE 0 END) AS BIGINT) AS wait_ms, \
             CAST(SUM(CASE WHEN state = 'served' THEN done_at - called_at ELSE 0 END) AS BIGINT) AS service_ms \
             FROM hall_tickets WHERE day >= $1 AND day <= $2 \
             AND ($3 = '' OR station_code = $3) AND ($4 = '' OR category_code = $4) \
             GROUP BY {key} ORDER BY {key}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(station.unwrap_or_default())
            .bind(service.unwrap_or_default())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let n = |column: &str| -> Result<i64, StoreError> {
                    Ok(r.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
                };
                let key: String = r.try_get::<Option<String>, _>("k")?.unwrap_or_default();
                Ok(HallSums {
                    key: match by {
                        HallBy::Hour if !key.is_empty() => format!("{key:0>2}"),
                        _ => key,
                    },
                    taken: n("taken")?,
                    served: n("served")?,
                    no_shows: n("no_shows")?,
                    given_back: n("given_back")?,
                    priority_calls: n("priority_calls")?,
                    called: n("called")?,
                    wait_ms: n("wait_ms")?,
                    service_ms: n("service_ms")?,
                })
            })
            .collect()
    }

    /// The rules a hall calls by, if an administrator set them.
    pub async fn hall_rules(&self, station: &str) -> Result<Option<QueueRules>, StoreError> {
        let row = sqlx::query(
            "SELECT honoured, priority_run, no_show_after FROM hall_rules WHERE station_code = $1",
        )
        .bind(station)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let table = "hall_rules";
        let honoured: String = r.try_get("honoured")?;
        let honoured = honoured
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| decode::named(table, station, "honoured", p, Priority::parse))
            .collect::<Result<Vec<_>, _>>()?;
        let small = |column: &str| -> Result<u8, StoreError> {
            decode::parsed(
                table,
                station,
                column,
                &r.try_get::<i64, _>(column)?.to_string(),
            )
        };
        Ok(Some(QueueRules {
            honoured,
            priority_run: small("priority_run")?,
            no_show_after: small("no_show_after")?,
        }))
    }

    /// Keeps a hall's rules with the administrator's audit entry.
    pub async fn save_hall_rules(
        &self,
        station: &str,
        rules: &QueueRules,
        now: i64,
        by: &str,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let honoured: Vec<&str> = rules.honoured.iter().map(|p| p.as_str()).collect();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO hall_rules (station_code, honoured, priority_run, no_show_after, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (station_code) DO UPDATE SET \
             honoured = excluded.honoured, priority_run = excluded.priority_run, \
             no_show_after = excluded.no_show_after, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(station)
        .bind(honoured.join(","))
        .bind(i64::from(rules.priority_run))
        .bind(i64::from(rules.no_show_after))
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }
}
