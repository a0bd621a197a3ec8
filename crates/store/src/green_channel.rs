//! Green-channel requests: written with their evidence and the duty leaders' notices, decided once
//! by a conditional UPDATE (an approval also gives the case its due day, which heads the queues),
//! escalated once, and their figures for the statistics.

use qiaoyi_domain::access::Role;
use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::cases::MediaType;
use qiaoyi_domain::green_channel::{Evidence, GreenRequest, GreenStats, Ground, RequestState};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::INSERT_BLOB;
use crate::outbox::enqueue;
use crate::{NewMessage, Store, StoreError, audit, decode};

/// A request as it is made; it starts `requested`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGreenRequest {
    pub id: String,
    pub case_id: String,
    pub ground: Ground,
    pub statement: String,
    pub requested_by: String,
    pub requested_role: Option<Role>,
    pub requested_at: i64,
}

/// A decision as the duty leader takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreenDecision {
    pub request_id: String,
    pub case_id: String,
    /// `approved` or `refused`.
    pub state: String,
    pub decided_by: String,
    pub days: Option<i64>,
    pub due_on: Option<String>,
    /// The due day counts days of a year without its official calendar.
    pub due_provisional: bool,
    pub reason: String,
}

const COLUMNS: &str = "g.id, g.case_id, g.ground, g.statement, g.requested_by, g.requested_role, g.requested_at, \
     g.state, g.escalated_at, g.decided_by, g.decided_at, g.days, g.due_on, g.reason, \
     c.number AS case_number, c.item_code, c.person_name, \
     COALESCE(r.display_name, '') AS requested_by_name, COALESCE(d.display_name, '') AS decided_by_name, \
     (SELECT COUNT(*) FROM green_channel_evidence e WHERE e.request_id = g.id) AS evidence";
const FROM: &str = "green_channel_requests g JOIN cases c ON c.id = g.case_id \
     LEFT JOIN users r ON r.id = g.requested_by LEFT JOIN users d ON d.id = g.decided_by";

fn listing(r: &AnyRow) -> Result<GreenRequest, StoreError> {
    let id: String = r.try_get("id")?;
    let text = |column: &str| r.try_get::<String, _>(column);
    let table = "green_channel_requests";
    Ok(GreenRequest {
        case_id: r.try_get("case_id")?,
        ground: decode::named(table, &id, "ground", &text("ground")?, Ground::parse)?,
        statement: r.try_get("statement")?,
        requested_by: r.try_get("requested_by")?,
        requested_role: decode::named_or_none(
            table,
            &id,
            "requested_role",
            &text("requested_role")?,
            Role::parse,
        )?,
        requested_at: r.try_get("requested_at")?,
        state: decode::named(table, &id, "state", &text("state")?, RequestState::parse)?,
        escalated_at: r.try_get("escalated_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        days: r.try_get("days")?,
        due_on: decode::parsed_opt(
            table,
            &id,
            "due_on",
            r.try_get::<Option<String>, _>("due_on")?.as_deref(),
        )?,
        reason: r.try_get("reason")?,
        case_number: r.try_get("case_number")?,
        item_code: r.try_get("item_code")?,
        person_name: r.try_get("person_name")?,
        requested_by_name: r.try_get("requested_by_name")?,
        decided_by_name: r.try_get("decided_by_name")?,
        evidence: r.try_get("evidence")?,
        id,
    })
}

fn evidence_row(r: &AnyRow) -> Result<Evidence, StoreError> {
    let request_id: String = r.try_get("request_id")?;
    let seq: i64 = r.try_get("seq")?;
    let media_type: String = r.try_get("media_type")?;
    Ok(Evidence {
        media_type: decode::named(
            "green_channel_evidence",
            &format!("{request_id}#{seq}"),
            "media_type",
            &media_type,
            MediaType::parse,
        )?,
        request_id,
        seq,
        file_name: r.try_get("file_name")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

async fn insert_evidence(
    tx: &mut crate::WriteTx,
    file: &Evidence,
    content: &[u8],
) -> Result<i64, StoreError> {
    sqlx::query(INSERT_BLOB)
        .bind(&file.sha256)
        .bind(content)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM green_channel_evidence WHERE request_id = $1",
    )
    .bind(&file.request_id)
    .fetch_one(&mut **tx)
    .await?;
    let seq: i64 = row.try_get("seq")?;
    sqlx::query(
        "INSERT INTO green_channel_evidence (request_id, seq, file_name, media_type, size, sha256, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&file.request_id)
    .bind(seq)
    .bind(&file.file_name)
    .bind(file.media_type.as_str())
    .bind(file.size)
    .bind(&file.sha256)
    .bind(&file.uploaded_by)
    .bind(file.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

impl Store {
    /// Writes a request with its first evidence (if any), the duty leaders' notices and the audit
    /// entry. A case with an open request already is a conflict, and nothing is written.
    pub async fn create_green_request(
        &self,
        row: &NewGreenRequest,
        evidence: Option<(&Evidence, &[u8])>,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO green_channel_requests (id, case_id, ground, statement, requested_by, requested_role, requested_at, state, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', '')",
        )
        .bind(&row.id)
        .bind(&row.case_id)
        .bind(row.ground.as_str())
        .bind(&row.statement)
        .bind(&row.requested_by)
        .bind(row.requested_role.map(|r| r.as_str()).unwrap_or_default())
        .bind(row.requested_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return tx
                    .fail(StoreError::conflict(
                        "this case already has a green-channel request waiting for a decision"
                            .into(),
                    ))
                    .await;
            }
            Err(e) => return Err(e.into()),
        }
        if let Some((file, content)) = evidence {
            insert_evidence(&mut tx, file, content).await?;
        }
        for message in messages {
            enqueue(&mut tx, message, row.requested_at).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds evidence to a request; returns its number.
    pub async fn add_green_evidence(
        &self,
        file: &Evidence,
        content: &[u8],
        record: &AuditRecord,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let seq = insert_evidence(&mut tx, file, content).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    pub async fn green_request(&self, id: &str) -> Result<Option<GreenRequest>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE g.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(listing).transpose()
    }

    /// A case's requests, newest first.
    pub async fn green_requests_of_case(
        &self,
        case_id: &str,
    ) -> Result<Vec<GreenRequest>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE g.case_id = $1 ORDER BY g.requested_at DESC, g.id"
        )))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(listing).collect()
    }

    /// Requests in `state`: waiting ones oldest first (the board), decided ones newest first; at
    /// most `limit`.
    pub async fn green_requests(
        &self,
        state: &str,
        limit: i64,
    ) -> Result<Vec<GreenRequest>, StoreError> {
        let order = if state == "requested" {
            "g.requested_at, g.id"
        } else {
            "g.decided_at DESC, g.id"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE g.state = $1 ORDER BY {order} LIMIT $2"
        )))
        .bind(state)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(listing).collect()
    }

    pub async fn green_evidence_list(&self, request_id: &str) -> Result<Vec<Evidence>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM green_channel_evidence WHERE request_id = $1 ORDER BY seq")
                .bind(request_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(evidence_row).collect()
    }

    /// One piece of evidence and its bytes.
    pub async fn green_evidence(
        &self,
        request_id: &str,
        seq: i64,
    ) -> Result<Option<(Evidence, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT e.*, b.content FROM green_channel_evidence e JOIN case_file_blobs b ON b.sha256 = e.sha256 \
             WHERE e.request_id = $1 AND e.seq = $2",
        )
        .bind(request_id)
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((evidence_row(&r)?, r.try_get("content")?))),
            None => Ok(None),
        }
    }

    /// Decides a waiting request, once: someone who decided first makes this a conflict. An
    /// approval gives the case its due day in the same transaction.
    pub async fn decide_green(
        &self,
        decision: &GreenDecision,
        now: i64,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE green_channel_requests SET state = $1, decided_by = $2, decided_at = $3, days = $4, due_on = $5, reason = $6 \
             WHERE id = $7 AND state = 'requested'",
        )
        .bind(&decision.state)
        .bind(&decision.decided_by)
        .bind(now)
        .bind(decision.days)
        .bind(&decision.due_on)
        .bind(&decision.reason)
        .bind(&decision.request_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return tx
                .fail(StoreError::conflict(
                    "this request was decided by someone else first; reload the board".into(),
                ))
                .await;
        }
        if decision.state == "approved" {
            sqlx::query(
                "UPDATE cases SET green_due = $1, green_due_provisional = $2 WHERE id = $3",
            )
            .bind(&decision.due_on)
            .bind(i64::from(decision.due_provisional))
            .bind(&decision.case_id)
            .execute(&mut *tx)
            .await?;
        }
        for message in messages {
            enqueue(&mut tx, message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Each case with a green-channel due day, with when its approved request was decided and the
    /// working days granted: what a new calendar counts the due day again from. One query for all.
    pub async fn approved_green_channels(&self) -> Result<Vec<(String, i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.case_id, g.decided_at, g.days FROM green_channel_requests g \
             JOIN cases c ON c.id = g.case_id \
             WHERE g.state = 'approved' AND c.green_due IS NOT NULL \
             AND g.decided_at IS NOT NULL AND g.days IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("case_id")?,
                    r.try_get("decided_at")?,
                    r.try_get("days")?,
                ))
            })
            .collect()
    }

    /// Waiting requests made at or before `requested_before` that have not escalated yet.
    pub async fn green_requests_to_escalate(
        &self,
        requested_before: i64,
    ) -> Result<Vec<GreenRequest>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE g.state = 'requested' AND g.escalated_at IS NULL \
             AND g.requested_at <= $1 ORDER BY g.requested_at, g.id"
        )))
        .bind(requested_before)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(listing).collect()
    }

    /// Marks a request escalated and queues the notices, once: another node that got there first
    /// makes this return `false`, and nothing is queued twice.
    pub async fn escalate_green(
        &self,
        request_id: &str,
        now: i64,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE green_channel_requests SET escalated_at = $1 WHERE id = $2 AND state = 'requested' AND escalated_at IS NULL",
        )
        .bind(now)
        .bind(request_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
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

    /// Figures over requests made in `[from_ms, to_ms)`.
    pub async fn green_stats(&self, from_ms: i64, to_ms: i64) -> Result<GreenStats, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS requests, \
             CAST(COALESCE(SUM(CASE WHEN state = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS approved, \
             CAST(COALESCE(SUM(CASE WHEN state = 'refused' THEN 1 ELSE 0 END), 0) AS BIGINT) AS refused, \
             CAST(COALESCE(SUM(CASE WHEN decided_at IS NULL THEN 0 ELSE decided_at - requested_at END), 0) AS BIGINT) AS decision_ms \
             FROM green_channel_requests WHERE requested_at >= $1 AND requested_at < $2",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await?;
        let done = sqlx::query(
            "SELECT COUNT(*) AS completed, CAST(COALESCE(SUM(e.at - g.decided_at), 0) AS BIGINT) AS completion_ms \
             FROM green_channel_requests g JOIN case_events e ON e.case_id = g.case_id AND e.step = 'close' \
             WHERE g.state = 'approved' AND g.requested_at >= $1 AND g.requested_at < $2",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(GreenStats {
            requests: row.try_get("requests")?,
            approved: row.try_get("approved")?,
            refused: row.try_get("refused")?,
            decision_ms: row.try_get("decision_ms")?,
            completed: done.try_get("completed")?,
            completion_ms: done.try_get("completion_ms")?,
        })
    }
}
