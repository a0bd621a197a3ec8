//! Statistics: the figures a case adds when it closes, the dashboard's sums, the versions of the
//! cost model, and the exports (Excel and CSV) of the same figures.

use jiff::civil::Date;
use qiaoyi_domain::access::{Action, AuditEvent, AuditSubject, Resource};
use qiaoyi_domain::cases::{CaseState, EventKind, Step};
use qiaoyi_domain::failure::Reason;
use qiaoyi_domain::green_channel::GreenStats;
use qiaoyi_domain::hall::HallSums;
use qiaoyi_domain::stats::{
    CaseOutcome, ClosedCase, ClosingCase, CostModel, CostModelVersion, Month, Outcome, Period,
    Sums, figures,
};
use qiaoyi_store::{HallBy, StatsBy, StatsFilter};

use crate::accounts::Client;
use crate::calendar::beijing_today;
use crate::cases::Case;
use crate::{App, AppError, Caller};

/// The most closed cases one list or export carries; a longer period is exported in parts.
pub const MAX_LISTED: i64 = 200_000;

/// The dashboard's question as typed: months `YYYY-MM` and optional station and category codes.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub station: String,
    #[serde(default)]
    pub category: String,
}

/// The figures of a period, summed from the kept sums.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub period: Period,
    pub station: Option<String>,
    pub category: Option<String>,
    pub total: Sums,
    /// Consultations opened in the period; `None` when filtered by station or category, which
    /// consultations do not have.
    pub consultations: Option<i64>,
    /// Green-channel requests made in the period, their decisions and completion; `None` when
    /// filtered, as for consultations.
    pub green: Option<GreenStats>,
    /// Every month of the period, in order, zeros included.
    pub months: Vec<Sums>,
    /// Empty key: cases filed online or at the bureau.
    pub stations: Vec<Sums>,
    pub categories: Vec<Sums>,
    pub items: Vec<Sums>,
    /// The stations' service halls over the period's days (each hall's own days), with the
    /// dashboard's station and category as hall and service.
    pub halls: HallFigures,
}

/// The service halls' numbers: waiting and service times, no-shows and priority calls.
#[derive(Clone, Debug, Default)]
pub struct HallFigures {
    pub total: HallSums,
    pub by_station: Vec<HallSums>,
    pub by_service: Vec<HallSums>,
    /// By the hour of the hall's day a number was taken (`09`).
    pub by_hour: Vec<HallSums>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message: message.into(),
    }
}

/// Milliseconds at the start of a month in Beijing.
pub fn month_start_ms(month: Month) -> i64 {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    month
        .first_day()
        .to_zoned(tz)
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or_default()
}

impl App {
    /// The period and filter a query asks for: by default the twelve months up to this one.
    pub(crate) async fn stats_filter(
        &self,
        query: &StatsQuery,
        now: i64,
    ) -> Result<(Period, StatsFilter), AppError> {
        let this_month = Month::of(beijing_today(now));
        let year_ago = (0..11).fold(this_month, |m, _| m.previous());
        let month = |field: &'static str, text: &str, default: Month| {
            if text.trim().is_empty() {
                Ok(default)
            } else {
                text.parse::<Month>().map_err(|e| invalid(field, e))
            }
        };
        let from = month("from", &query.from, year_ago)?;
        let to = month("to", &query.to, this_month.max(from))?;
        let period = Period::new(from, to)
            .map_err(|e| AppError::refused("to", e.reason(), e.to_string()))?;
        let station = match query.station.trim() {
            "" => None,
            code => {
                let code = code.to_uppercase();
                if self.store.station(&code).await?.is_none() {
                    return Err(invalid("station", format!("no station {code}")));
                }
                Some(code)
            }
        };
        let category = match query.category.trim() {
            "" => None,
            code => {
                if !self
                    .categories()
                    .await?
                    .iter()
                    .any(|c| c.code.as_str() == code)
                {
                    return Err(invalid("category", format!("no category {code}")));
                }
                Some(code.to_owned())
            }
        };
        let filter = StatsFilter {
            from: period.from.to_string(),
            to: period.to.to_string(),
            station,
            category,
        };
        Ok((period, filter))
    }

    /// The dashboard: totals and sums by month, station, category and item. Figures only: no
    /// person is named, so reading it is not recorded in anyone's "who read my file".
    pub async fn statistics(
        &self,
        caller: &Caller,
        query: &StatsQuery,
    ) -> Result<Dashboard, AppError> {
        self.authorize(caller, Action::ReadStatistics, &Resource::System)
            .await?;
        self.dashboard(query, caller.now).await
    }

    /// The dashboard's figures without a permission check: for `statistics` and the operator's
    /// command line.
    pub async fn dashboard(&self, query: &StatsQuery, now: i64) -> Result<Dashboard, AppError> {
        let (period, filter) = self.stats_filter(query, now).await?;
        let by_month = self.store.stats_by(&filter, StatsBy::Month).await?;
        let mut total = Sums::default();
        for m in &by_month {
            total.add(m);
        }
        let months = period
            .months()
            .into_iter()
            .map(|m| {
                let key = m.to_string();
                by_month
                    .iter()
                    .find(|s| s.key == key)
                    .cloned()
                    .unwrap_or(Sums {
                        key,
                        ..Sums::default()
                    })
            })
            .collect();
        let unfiltered = filter.station.is_none() && filter.category.is_none();
        let (start, end) = (
            month_start_ms(period.from),
            month_start_ms(period.to.next()),
        );
        let consultations = if unfiltered {
            Some(self.store.consultations_opened(start, end).await?)
        } else {
            None
        };
        let green = if unfiltered {
            Some(self.store.green_stats(start, end).await?)
        } else {
            None
        };
        let halls = self.hall_figures(period, &filter).await?;
        Ok(Dashboard {
            halls,
            period,
            stations: self.store.stats_by(&filter, StatsBy::Station).await?,
            categories: self.store.stats_by(&filter, StatsBy::Category).await?,
            items: self.store.stats_by(&filter, StatsBy::Item).await?,
            station: filter.station,
            category: filter.category,
            total,
            consultations,
            green,
            months,
        })
    }

    async fn hall_figures(
        &self,
        period: Period,
        filter: &StatsFilter,
    ) -> Result<HallFigures, AppError> {
        // Days as text compare in order, and no day of a month is after its 31st.
        let (from, to) = (format!("{}-01", period.from), format!("{}-31", period.to));
        let (station, service) = (filter.station.as_deref(), filter.category.as_deref());
        let by = |by| self.store.hall_sums(&from, &to, station, service, by);
        let by_station = by(HallBy::Station).await?;
        let mut total = HallSums::default();
        for s in &by_station {
            total.add(s);
        }
        Ok(HallFigures {
            total,
            by_station,
            by_service: by(HallBy::Service).await?,
            by_hour: by(HallBy::Hour).await?,
        })
    }

    /// A page of the closed cases behind a period's figures, oldest closing first.
    pub async fn closed_cases_page(
        &self,
        caller: &Caller,
        query: &StatsQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ClosedCase>, AppError> {
        self.authorize(caller, Action::ReadStatistics, &Resource::System)
            .await?;
        if !(1..=500).contains(&limit) || offset < 0 {
            return Err(invalid(
                "limit",
                "ask for 1 to 500 cases from an offset of 0 or more",
            ));
        }
        let (_, filter) = self.stats_filter(query, caller.now).await?;
        Ok(self.store.outcomes(&filter, offset, limit).await?)
    }

    /// The closed cases behind a period's figures, oldest closing first (at most `MAX_LISTED`).
    pub async fn closed_cases(
        &self,
        caller: &Caller,
        query: &StatsQuery,
    ) -> Result<Vec<ClosedCase>, AppError> {
        self.authorize(caller, Action::ReadStatistics, &Resource::System)
            .await?;
        self.closed_list(query, caller.now).await
    }

    /// `closed_cases` without a permission check.
    pub async fn closed_list(
        &self,
        query: &StatsQuery,
        now: i64,
    ) -> Result<Vec<ClosedCase>, AppError> {
        let (_, filter) = self.stats_filter(query, now).await?;
        let rows = self.store.outcomes(&filter, 0, MAX_LISTED + 1).await?;
        if rows.len() as i64 > MAX_LISTED {
            return Err(invalid(
                "to",
                format!(
                    "more than {MAX_LISTED} cases closed in this period; export a shorter period"
                ),
            ));
        }
        Ok(rows)
    }

    /// Records that someone exported figures (the export names no one, but leaves the building).
    pub(crate) async fn audit_export(
        &self,
        caller: &Caller,
        what: &str,
        filter: &StatsFilter,
    ) -> Result<(), AppError> {
        let actor = caller.session().map(|s| &s.actor);
        let mut record = self.audit_record(
            actor,
            AuditEvent::StatsExported,
            (AuditSubject::Stats, what),
            "ok",
            &caller.client,
            caller.now,
        );
        record.purpose = format!(
            "{}..{} {} {}",
            filter.from,
            filter.to,
            filter.station.as_deref().unwrap_or("*"),
            filter.category.as_deref().unwrap_or("*")
        );
        self.store.audit(&record).await?;
        Ok(())
    }

    /// The cost model in force: its newest version (`None` before any was made) and the model.
    pub async fn cost_model(&self) -> Result<(Option<CostModelVersion>, CostModel), AppError> {
        let Some(latest) = self.store.latest_cost_model().await? else {
            return Ok((None, CostModel::default()));
        };
        let model = latest.model.clone();
        Ok((Some(latest), model))
    }

    /// Every version of the cost model, newest first (those who read statistics may see them).
    pub async fn cost_model_versions(
        &self,
        caller: &Caller,
    ) -> Result<Vec<CostModelVersion>, AppError> {
        self.authorize(caller, Action::ReadStatistics, &Resource::System)
            .await?;
        Ok(self.store.cost_models().await?)
    }

    /// Saves a new version of the cost model (administrators). `expected_version` is the version
    /// the editor started from: someone who saved in between makes this a conflict.
    pub async fn save_cost_model(
        &self,
        caller: &Caller,
        expected_version: i64,
        model: CostModel,
    ) -> Result<i64, AppError> {
        self.authorize(caller, Action::ManageCatalogue, &Resource::System)
            .await?;
        let model = model.checked().map_err(|(row, field, reason, message)| {
            AppError::refused(
                "countries",
                reason,
                format!("row {}: {field}: {message}", row + 1),
            )
        })?;
        let actor = caller.session().map(|s| &s.actor);
        let record = self.audit_record(
            actor,
            AuditEvent::CostModelSaved,
            (AuditSubject::CostModel, ""),
            "ok",
            &caller.client,
            caller.now,
        );
        self.write_cost_model(
            expected_version,
            &model,
            actor.map(|a| a.user_id.as_str()).unwrap_or_default(),
            &record,
            caller.now,
        )
        .await
    }

    async fn write_cost_model(
        &self,
        expected_version: i64,
        model: &CostModel,
        by: &str,
        record: &qiaoyi_domain::access::audit::AuditRecord,
        now: i64,
    ) -> Result<i64, AppError> {
        let body = serde_json::to_string(model).map_err(|e| invalid("countries", e.to_string()))?;
        Ok(self
            .store
            .save_cost_model(expected_version, &body, &model.note, by, now, record)
            .await?)
    }

    /// The catalogue's `costs.toml` becomes the first version when none exists yet; after that
    /// the model is the administrators' and imports leave it alone.
    pub(crate) async fn seed_cost_model(&self, text: &str, now: i64) -> Result<(), AppError> {
        let model = CostModel::parse(text).map_err(|e| invalid("costs.toml", e))?;
        if self.store.latest_cost_model().await?.is_some() {
            return Ok(());
        }
        let client = Client {
            address: "cli".into(),
        };
        let record = self.audit_record(
            None,
            AuditEvent::CostModelSaved,
            (AuditSubject::CostModel, "costs.toml"),
            "ok",
            &client,
            now,
        );
        match self
            .write_cost_model(0, &model, "catalog", &record, now)
            .await
        {
            // Another node seeded it first.
            Err(AppError::Store(qiaoyi_store::StoreError::Conflict { .. })) | Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The figures a case closing at `closed_at` adds to the statistics, priced with the cost model
    /// in force. `from` is the state it closes from (delivered or refused).
    pub(crate) async fn closing_outcome(
        &self,
        case: &Case,
        from: CaseState,
        closed_at: i64,
    ) -> Result<CaseOutcome, AppError> {
        let (version, model) = self.cost_model().await?;
        let events = self.store.case_events(&case.id).await?;
        let decided_on = events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::Step(Step::Approve | Step::Refuse)))
            .map(|e| beijing_today(e.at));
        let country = match &case.station {
            Some(code) => self.store.station(code.as_str()).await?.map(|s| s.country),
            None => match self
                .store
                .case_by_id(&case.id)
                .await?
                .and_then(|row| row.person_id)
            {
                Some(person) => self.store.person(&person).await?.map(|p| p.country),
                None => None,
            },
        };
        let outcome = if from == CaseState::Refused {
            Outcome::Refused
        } else {
            Outcome::Delivered
        };
        let closed_on: Date = beijing_today(closed_at);
        let f = figures(
            &ClosingCase {
                channel: case.channel,
                under_mandate: case.mandate_id.is_some(),
                outcome,
                submitted_on: beijing_today(case.submitted_at.unwrap_or(case.created_at)),
                decided_on,
                deadline: case.deadline,
                closed_on,
                country: country.as_deref(),
            },
            &model,
        );
        Ok(CaseOutcome {
            case_id: case.id.clone(),
            month: f.month,
            closed_on,
            station: case
                .station
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            item_code: case.item.code.to_string(),
            category: case.item.category.to_string(),
            outcome,
            processing_days: f.processing_days,
            within_deadline: f.within_deadline,
            country: country.unwrap_or_default(),
            model_version: f.saving.and(version.map(|v| v.version)),
            money_fen: f.saving.map(|s| s.money_fen).unwrap_or(0),
            days_saved: f.saving.map(|s| s.days).unwrap_or(0),
        })
    }

    /// Gives figures to cases closed before statistics existed, from their close step's event.
    /// Run by `serve` and `demo` at start; returns how many it recorded.
    pub async fn backfill_outcomes(&self, now: i64) -> Result<usize, AppError> {
        let mut done = 0;
        loop {
            let ids = self.store.closed_without_outcome(500).await?;
            if ids.is_empty() {
                return Ok(done);
            }
            for id in ids {
                let case = self.load_case(&id).await?;
                let events = self.store.case_events(&id).await?;
                // A closed case always has its close event; a row without one is counted as
                // delivered when it was last changed rather than left without figures forever.
                let close = events
                    .iter()
                    .rev()
                    .find(|e| e.kind == EventKind::Step(Step::Close));
                let (from, at) = match close {
                    Some(close) => (close.from_state.unwrap_or(CaseState::Delivered), close.at),
                    None => (CaseState::Delivered, case.updated_at),
                };
                let row = self.closing_outcome(&case, from, at).await?;
                let client = Client {
                    address: "cli".into(),
                };
                let record = self.audit_record(
                    None,
                    AuditEvent::CaseOutcomeBackfilled,
                    (AuditSubject::Case, &id),
                    "ok",
                    &client,
                    now,
                );
                self.store.backfill_outcome(&row, &record).await?;
                done += 1;
            }
        }
    }

    /// Average hours from a green-channel request to its decision, and days from approval to the
    /// case's closing.
    pub fn green_averages(g: &GreenStats) -> (Option<f64>, Option<f64>) {
        let decided = g.approved + g.refused;
        (
            (decided > 0).then(|| g.decision_ms as f64 / decided as f64 / 3_600_000.0),
            (g.completed > 0).then(|| g.completion_ms as f64 / g.completed as f64 / 86_400_000.0),
        )
    }

    /// Writes `count` generated closed cases' figures for `qiaoyi bench-stats`, on either backend
    /// (see `qiaoyi_store::bench`). Only for a throwaway database.
    pub async fn generate_bench_outcomes(
        &self,
        count: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), AppError> {
        match self.backend() {
            qiaoyi_store::Backend::Sqlite => {
                let db = self.config.data_dir.join("qiaoyi.db");
                qiaoyi_store::bench::generate_outcomes(&db, count, progress).await?;
            }
            qiaoyi_store::Backend::Postgres => {
                self.store
                    .generate_outcomes_postgres(count, progress)
                    .await?;
            }
        }
        Ok(())
    }

    /// Recomputes every kept sum from the closed cases' figures (after a bulk load).
    pub async fn rebuild_stats(&self) -> Result<(), AppError> {
        Ok(self.store.rebuild_case_stats().await?)
    }

    /// Closed cases with figures, counted one by one: what the sums must add up to.
    pub async fn count_closed(&self) -> Result<i64, AppError> {
        Ok(self.store.count_outcomes().await?)
    }
}
