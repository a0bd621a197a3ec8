//! Public evaluations (好差评): one per thing rated (a unique key on what it is about, so a form
//! sent twice keeps one), a poor rating's follow-up written in the same transaction with the
//! audit entry, closing the follow-up once by a conditional UPDATE, and the counts the figures
//! are made of.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::evaluation::{Evaluation, FollowUp, Level, Rating, Subject, Why};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{ConflictKind, Store, StoreError, audit, decode};

/// A rating as it is kept.
#[derive(Clone, Debug)]
pub struct NewEvaluation<'a> {
    pub id: &'a str,
    pub subject: Subject,
    pub subject_id: &'a str,
    pub station: Option<&'a str>,
    pub service: &'a str,
    pub label: &'a str,
    pub rating: &'a Rating,
    /// `web` or `api`.
    pub channel: &'a str,
    pub rated_at: i64,
    /// `YYYY-MM` in Beijing.
    pub month: &'a str,
    /// A poor rating's follow-up: the day it is due and whether that day is provisional.
    pub follow_up: Option<(&'a str, bool)>,
}

/// How many ratings of one level one station gave for one service in one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluationCount {
    pub month: String,
    pub station: Option<String>,
    pub service: String,
    pub level: Level,
    pub count: u64,
}

const COLUMNS: &str = "e.id, e.subject, e.subject_id, e.station_code, e.service, e.label, e.level, \
     e.reasons, e.comment, e.rated_at, f.due_on, f.provisional, f.closed_at, f.closed_by, f.note";
const FROM: &str = "evaluations e LEFT JOIN evaluation_follow_ups f ON f.evaluation_id = e.id";

fn evaluation(r: &AnyRow) -> Result<Evaluation, StoreError> {
    let id: String = r.try_get("id")?;
    let table = "evaluations";
    let text = |column: &str| r.try_get::<String, _>(column);
    let reasons = text("reasons")?
        .split(',')
        .filter(|w| !w.is_empty())
        .map(|w| decode::named(table, &id, "reasons", w, Why::parse))
        .collect::<Result<Vec<_>, _>>()?;
    let due_on: Option<String> = r.try_get("due_on")?;
    let follow_up = match due_on {
        Some(day) => Some(FollowUp {
            due_on: decode::parsed(table, &id, "due_on", &day)?,
            provisional: r.try_get::<i64, _>("provisional")? != 0,
            closed_at: r.try_get("closed_at")?,
            closed_by: r.try_get("closed_by")?,
            note: r.try_get::<Option<String>, _>("note")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Evaluation {
        subject: decode::named(table, &id, "subject", &text("subject")?, Subject::parse)?,
        subject_id: text("subject_id")?,
        station: decode::parsed_opt(
            table,
            &id,
            "station_code",
            r.try_get::<Option<String>, _>("station_code")?.as_deref(),
        )?,
        service: text("service")?,
        label: text("label")?,
        rating: Rating {
            level: decode::named(table, &id, "level", &text("level")?, Level::parse)?,
            reasons,
            comment: text("comment")?,
        },
        rated_at: r.try_get("rated_at")?,
        follow_up,
        id,
    })
}

impl Store {
    /// Keeps a rating, its follow-up when poor and its audit entry, in one transaction. A second
    /// rating of the same thing is a conflict of kind `Recorded`.
    pub async fn keep_evaluation(
        &self,
        new: &NewEvaluation<'_>,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let reasons: Vec<&str> = new.rating.reasons.iter().map(|w| w.as_str()).collect();
        let mut tx = self.write_tx().await?;
        let kept = sqlx::query(
            "INSERT INTO evaluations (id, subject, subject_id, station_code, service, label, level, \
             reasons, comment, channel, rated_at, month) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (subject, subject_id) DO NOTHING",
        )
        .bind(new.id)
        .bind(new.subject.as_str())
        .bind(new.subject_id)
        .bind(new.station)
        .bind(new.service)
        .bind(new.label)
        .bind(new.rating.level.as_str())
        .bind(reasons.join(","))
        .bind(&new.rating.comment)
        .bind(new.channel)
        .bind(new.rated_at)
        .bind(new.month)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if kept == 0 {
            return Err(StoreError::Conflict {
                kind: ConflictKind::Recorded,
                message: "this was rated already; a rating is given once".into(),
            });
        }
        if let Some((due_on, provisional)) = new.follow_up {
            sqlx::query(
                "INSERT INTO evaluation_follow_ups (evaluation_id, station_code, due_on, provisional) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(new.id)
            .bind(new.station)
            .bind(due_on)
            .bind(i64::from(provisional))
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The rating of one thing, if it was rated.
    pub async fn evaluation_of(
        &self,
        subject: Subject,
        subject_id: &str,
    ) -> Result<Option<Evaluation>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM {FROM} WHERE e.subject = $1 AND e.subject_id = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(subject.as_str())
            .bind(subject_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(evaluation)
            .transpose()
    }

    pub async fn evaluation(&self, id: &str) -> Result<Option<Evaluation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE e.id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(evaluation)
            .transpose()
    }

    /// Follow-ups, of one station's ratings or of all, the open ones first by the day they are
    /// due, then the closed ones newest first; at most `limit`.
    pub async fn follow_ups(
        &self,
        station: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Evaluation>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE f.evaluation_id IS NOT NULL \
             AND ($1 = '' OR f.station_code = $1) \
             ORDER BY CASE WHEN f.closed_at IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN f.closed_at IS NULL THEN f.due_on END, f.closed_at DESC, e.id LIMIT $2"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(station.unwrap_or_default())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(evaluation)
            .collect()
    }

    /// Closes a follow-up with the note of the call-back and its audit entry; false when it was
    /// closed already.
    pub async fn close_follow_up(
        &self,
        id: &str,
        by: &str,
        note: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let closed = sqlx::query(
            "UPDATE evaluation_follow_ups SET closed_at = $2, closed_by = $3, note = $4 \
             WHERE evaluation_id = $1 AND closed_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(by)
        .bind(note)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 0 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ratings counted by month, station, service and level, for months `from` to `to`
    /// (`YYYY-MM`, both included).
    pub async fn evaluation_counts(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<EvaluationCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT month, station_code, service, level, COUNT(*) AS n FROM evaluations \
             WHERE month >= $1 AND month <= $2 \
             GROUP BY month, station_code, service, level ORDER BY month, station_code, service, level",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let month: String = r.try_get("month")?;
                let level: String = r.try_get("level")?;
                Ok(EvaluationCount {
                    level: decode::named("evaluations", &month, "level", &level, Level::parse)?,
                    station: r.try_get("station_code")?,
                    service: r.try_get("service")?,
                    count: u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
                    month,
                })
            })
            .collect()
    }
}
