//! Statistics: each closed case's figures (`case_outcomes`), their sums per month, station and item
//! (`case_stats`, kept by the closing transaction), and the versions of the cost model.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::cases::Channel;
use qiaoyi_domain::stats::{BUCKETS, CaseOutcome, ClosedCase, CostModelVersion, Outcome, Sums};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::{Store, StoreError, audit, decode};

/// Which sums to read: months `from..=to` (`YYYY-MM`), and optionally one station (`Some("")`
/// means cases without one) and one category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsFilter {
    pub from: String,
    pub to: String,
    pub station: Option<String>,
    pub category: Option<String>,
}

/// What the dashboard groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsBy {
    Month,
    Station,
    Category,
    Item,
}

impl StatsBy {
    fn column(self) -> &'static str {
        match self {
            StatsBy::Month => "month",
            StatsBy::Station => "station",
            StatsBy::Category => "category",
            StatsBy::Item => "item_code",
        }
    }
}

const SUM_COLUMNS: [&str; 15] = [
    "handled",
    "delivered",
    "refused",
    "with_deadline",
    "within_deadline",
    "processing_days",
    "saved_cases",
    "money_fen",
    "days_saved",
    "bucket_0",
    "bucket_1",
    "bucket_2",
    "bucket_3",
    "bucket_4",
    "bucket_5",
];

/// Adds one case into its month, station and item.
fn upsert_sums() -> String {
    let columns = SUM_COLUMNS.join(", ");
    let placeholders: Vec<String> = (5..5 + SUM_COLUMNS.len())
        .map(|i| format!("${i}"))
        .collect();
    let updates: Vec<String> = SUM_COLUMNS
        .iter()
        .map(|c| format!("{c} = case_stats.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO case_stats (month, station, item_code, category, {columns}) VALUES ($1, $2, $3, $4, {}) \
         ON CONFLICT (month, station, item_code) DO UPDATE SET {}",
        placeholders.join(", "),
        updates.join(", ")
    )
}

/// The sums recomputed from `case_outcomes`; the processing-time groups follow `BUCKETS`.
fn rebuild_sums() -> String {
    let mut buckets = Vec::new();
    let mut lower = i64::MIN;
    for (i, upper) in BUCKETS.iter().enumerate() {
        buckets.push(format!(
            "CAST(SUM(CASE WHEN processing_days > {lower} AND processing_days <= {upper} THEN 1 ELSE 0 END) AS BIGINT) AS bucket_{i}"
        ));
        lower = *upper;
    }
    buckets.push(format!(
        "CAST(SUM(CASE WHEN processing_days > {lower} THEN 1 ELSE 0 END) AS BIGINT) AS bucket_{}",
        BUCKETS.len()
    ));
    format!(
        "INSERT INTO case_stats (month, station, item_code, category, {}) \
         SELECT month, station, item_code, MIN(category), COUNT(*), \
         CAST(SUM(CASE WHEN outcome = 'delivered' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN outcome = 'refused' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN within_deadline IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
         CAST(SUM(COALESCE(within_deadline, 0)) AS BIGINT), \
         CAST(SUM(processing_days) AS BIGINT), \
         CAST(SUM(CASE WHEN model_version IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
         CAST(SUM(money_fen) AS BIGINT), CAST(SUM(days_saved) AS BIGINT), {} \
         FROM case_outcomes GROUP BY month, station, item_code",
        SUM_COLUMNS.join(", "),
        buckets.join(", ")
    )
}

/// The columns of a closed case's figures, in the order [`INSERT_OUTCOME`] binds them; the
/// bench's bulk loads insert the same list.
macro_rules! outcome_columns {
    () => {
        "case_id, month, closed_on, station, item_code, category, outcome, \
         processing_days, within_deadline, country, model_version, money_fen, days_saved"
    };
}
pub(crate) const OUTCOME_COLUMNS: &str = outcome_columns!();
pub(crate) const INSERT_OUTCOME: &str = concat!(
    "INSERT INTO case_outcomes (",
    outcome_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
);

/// Writes a closing case's figures and adds them to the sums, inside the close step's transaction.
pub(crate) async fn record_outcome(
    tx: &mut crate::WriteTx,
    row: &CaseOutcome,
) -> Result<(), StoreError> {
    let within = row.within_deadline.map(i64::from);
    let month = row.month.to_string();
    sqlx::query(INSERT_OUTCOME)
        .bind(&row.case_id)
        .bind(&month)
        .bind(row.closed_on.to_string())
        .bind(&row.station)
        .bind(&row.item_code)
        .bind(&row.category)
        .bind(row.outcome.as_str())
        .bind(row.processing_days)
        .bind(within)
        .bind(&row.country)
        .bind(row.model_version)
        .bind(row.money_fen)
        .bind(row.days_saved)
        .execute(&mut **tx)
        .await?;
    let bucket = qiaoyi_domain::stats::bucket(row.processing_days);
    let flag = |yes: bool| i64::from(yes);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(upsert_sums()))
        .bind(&month)
        .bind(&row.station)
        .bind(&row.item_code)
        .bind(&row.category)
        .bind(1_i64)
        .bind(flag(row.outcome == Outcome::Delivered))
        .bind(flag(row.outcome == Outcome::Refused))
        .bind(flag(within.is_some()))
        .bind(within.unwrap_or(0))
        .bind(row.processing_days)
        .bind(flag(row.model_version.is_some()))
        .bind(row.money_fen)
        .bind(row.days_saved);
    for i in 0..=BUCKETS.len() {
        query = query.bind(flag(i == bucket));
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

fn sums(r: &AnyRow) -> Result<Sums, StoreError> {
    let mut buckets = [0; BUCKETS.len() + 1];
    for (i, b) in buckets.iter_mut().enumerate() {
        *b = r.try_get(format!("bucket_{i}").as_str())?;
    }
    Ok(Sums {
        key: r.try_get("key")?,
        handled: r.try_get("handled")?,
        delivered: r.try_get("delivered")?,
        refused: r.try_get("refused")?,
        with_deadline: r.try_get("with_deadline")?,
        within_deadline: r.try_get("within_deadline")?,
        processing_days: r.try_get("processing_days")?,
        saved_cases: r.try_get("saved_cases")?,
        money_fen: r.try_get("money_fen")?,
        days_saved: r.try_get("days_saved")?,
        buckets,
    })
}

fn outcome_row(r: &AnyRow) -> Result<CaseOutcome, StoreError> {
    let within: Option<i64> = r.try_get("within_deadline")?;
    let case_id: String = r.try_get("case_id")?;
    let text = |column: &str| r.try_get::<String, _>(column);
    let table = "case_outcomes";
    Ok(CaseOutcome {
        month: decode::parsed(table, &case_id, "month", &text("month")?)?,
        closed_on: decode::parsed(table, &case_id, "closed_on", &text("closed_on")?)?,
        station: r.try_get("station")?,
        item_code: r.try_get("item_code")?,
        category: r.try_get("category")?,
        outcome: decode::named(
            table,
            &case_id,
            "outcome",
            &text("outcome")?,
            Outcome::parse,
        )?,
        case_id,
        processing_days: r.try_get("processing_days")?,
        within_deadline: within.map(|w| w != 0),
        country: r.try_get("country")?,
        model_version: r.try_get("model_version")?,
        money_fen: r.try_get("money_fen")?,
        days_saved: r.try_get("days_saved")?,
    })
}

fn cost_model_row(r: &AnyRow) -> Result<CostModelVersion, StoreError> {
    let version: i64 = r.try_get("version")?;
    let body: String = r.try_get("body")?;
    Ok(CostModelVersion {
        model: serde_json::from_str(&body).map_err(|e| StoreError::CorruptRow {
            table: "cost_models",
            key: version.to_string(),
            reason: e.to_string(),
        })?,
        version,
        created_by: r.try_get("created_by")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The filter's conditions over `case_stats` or `case_outcomes` (columns after `prefix`): `$1..$4`
/// are from, to, station and category; `$5` and `$6` say whether station and category are set.
fn filter_sql(prefix: &str) -> String {
    format!(
        "{prefix}month >= $1 AND {prefix}month <= $2 AND ($5 = 0 OR {prefix}station = $3) \
         AND ($6 = 0 OR {prefix}category = $4)"
    )
}

/// Binds a filter's `$1..$6` (see `filter_sql`).
fn bind_filter<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    filter: &'q StatsFilter,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    query
        .bind(&filter.from)
        .bind(&filter.to)
        .bind(filter.station.as_deref().unwrap_or_default())
        .bind(filter.category.as_deref().unwrap_or_default())
        .bind(i64::from(filter.station.is_some()))
        .bind(i64::from(filter.category.is_some()))
}

impl Store {
    /// Sums over the filter's rows, one per value of `by`, in key order.
    pub async fn stats_by(
        &self,
        filter: &StatsFilter,
        by: StatsBy,
    ) -> Result<Vec<Sums>, StoreError> {
        let column = by.column();
        let summed: Vec<String> = SUM_COLUMNS
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
            .collect();
        let sql = format!(
            "SELECT {column} AS key, {} FROM case_stats WHERE {} GROUP BY {column} ORDER BY {column}",
            summed.join(", "),
            filter_sql("")
        );
        let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), filter)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(sums).collect()
    }

    /// Consultations opened in `[from_ms, to_ms)`.
    pub async fn consultations_opened(&self, from_ms: i64, to_ms: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM consultations WHERE opened_at >= $1 AND opened_at < $2",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Closed cases of the filter, oldest closing first: `limit` of them after skipping `offset`.
    pub async fn outcomes(
        &self,
        filter: &StatsFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ClosedCase>, StoreError> {
        let sql = format!(
            "SELECT o.*, c.number, c.channel FROM case_outcomes o JOIN cases c ON c.id = o.case_id \
             WHERE {} ORDER BY o.closed_on, c.number LIMIT $7 OFFSET $8",
            filter_sql("o.")
        );
        let rows = bind_filter(sqlx::query(sqlx::AssertSqlSafe(sql)), filter)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let outcome = outcome_row(r)?;
                let channel: String = r.try_get("channel")?;
                Ok(ClosedCase {
                    number: r.try_get("number")?,
                    channel: decode::named(
                        "cases",
                        &outcome.case_id,
                        "channel",
                        &channel,
                        Channel::parse,
                    )?,
                    outcome,
                })
            })
            .collect()
    }

    /// Closed cases with figures, counted straight from `case_outcomes`.
    pub async fn count_outcomes(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM case_outcomes")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Recomputes every sum from the stored outcomes, in one transaction: after a bulk load, or to
    /// check that the kept sums agree with their cases.
    pub async fn rebuild_case_stats(&self) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM case_stats")
            .execute(&mut *tx)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(rebuild_sums()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closed cases that have no figures yet (closed before statistics existed), at most `limit`.
    pub async fn closed_without_outcome(&self, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id FROM cases c WHERE c.state = 'closed' \
             AND NOT EXISTS (SELECT 1 FROM case_outcomes o WHERE o.case_id = c.id) ORDER BY c.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect::<Result<_, StoreError>>()
    }

    /// Figures for a case closed earlier, with its audit entry.
    pub async fn backfill_outcome(
        &self,
        row: &CaseOutcome,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        record_outcome(&mut tx, row).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest version of the cost model, if any was ever made.
    pub async fn latest_cost_model(&self) -> Result<Option<CostModelVersion>, StoreError> {
        let row = sqlx::query("SELECT m.*, COALESCE(u.display_name, m.created_by) AS created_by_name FROM cost_models m \
             LEFT JOIN users u ON u.id = m.created_by ORDER BY m.version DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(cost_model_row).transpose()
    }

    /// Every version, newest first: the history list.
    pub async fn cost_models(&self) -> Result<Vec<CostModelVersion>, StoreError> {
        let rows = sqlx::query("SELECT m.*, COALESCE(u.display_name, m.created_by) AS created_by_name FROM cost_models m \
             LEFT JOIN users u ON u.id = m.created_by ORDER BY m.version DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(cost_model_row).collect()
    }

    /// Adds a version after `expected` (the version the editor saw; 0 for none). Someone who saved
    /// in between makes this a conflict, and nothing is written.
    pub async fn save_cost_model(
        &self,
        expected: i64,
        body: &str,
        note: &str,
        created_by: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        // The audit head's UPDATE comes first: it serialises concurrent editors on PostgreSQL.
        audit::append(&mut tx, self.audit_key()?, record).await?;
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM cost_models")
            .fetch_one(&mut *tx)
            .await?;
        let latest: i64 = row.try_get("v")?;
        if latest != expected {
            return tx.fail(StoreError::conflict(format!(
                "someone saved version {latest} of the cost model first; reload it and make your change again"
            ))).await;
        }
        sqlx::query(
            "INSERT INTO cost_models (version, body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(latest + 1)
        .bind(body)
        .bind(note)
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(latest + 1)
    }
}
