//! Statistics over the API: the dashboard's figures, the closed cases behind them, the exports,
//! and the cost model (read by those who read statistics, saved by administrators).

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use qiaoyi_app::Reason;
use qiaoyi_app::domain::stats::{self as figures, CostModel, CostModelVersion, CountryCost};
use qiaoyi_app::stats::StatsQuery;
use qiaoyi_app::stats_export::{ExportFormat, Table};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::attachment;
use super::extract::{ApiJson, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First month, `YYYY-MM` (Beijing time); eleven months before `to` when left out.
    #[serde(default)]
    from: String,
    /// Last month, `YYYY-MM`; this month when left out. At most 120 months after `from`.
    #[serde(default)]
    to: String,
    /// One station's code; every station (and cases filed online or at the bureau) when left out.
    #[serde(default)]
    station: String,
    /// One category's code.
    #[serde(default)]
    category: String,
}

impl PeriodQuery {
    fn query(&self) -> StatsQuery {
        StatsQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            station: self.station.clone(),
            category: self.category.clone(),
        }
    }
}

/// Sums over one group of closed cases.
#[derive(Serialize, ToSchema)]
pub struct Sums {
    /// The month, station, category or item; empty for "cases without a station".
    key: String,
    /// Cases closed.
    handled: i64,
    delivered: i64,
    refused: i64,
    /// Cases that had a deadline, and those decided by it.
    with_deadline: i64,
    within_deadline: i64,
    /// Calendar days from submission to closing, summed.
    processing_days: i64,
    /// Cases a saving was claimed for (delivered without travelling, priced by the cost model).
    saved_cases: i64,
    money_saved_fen: i64,
    working_days_saved: i64,
    /// Cases per processing-time group (`bucket_limits`).
    buckets: Vec<i64>,
}

impl From<&figures::Sums> for Sums {
    fn from(s: &figures::Sums) -> Self {
        Sums {
            key: s.key.clone(),
            handled: s.handled,
            delivered: s.delivered,
            refused: s.refused,
            with_deadline: s.with_deadline,
            within_deadline: s.within_deadline,
            processing_days: s.processing_days,
            saved_cases: s.saved_cases,
            money_saved_fen: s.money_fen,
            working_days_saved: s.days_saved,
            buckets: s.buckets.to_vec(),
        }
    }
}

/// The green channel over requests made in the period.
#[derive(Serialize, ToSchema)]
pub struct GreenFigures {
    requests: i64,
    approved: i64,
    refused: i64,
    /// Average hours from request to decision; absent before any decision.
    decision_hours: Option<f64>,
    /// Approved requests whose case has closed, and the average days from approval to closing.
    completed: i64,
    completion_days: Option<f64>,
}

/// A service hall's numbers summed: for a hall, a service or an hour of the day.
#[derive(Serialize, ToSchema)]
pub struct HallSumsView {
    /// The station's code, the service's, or the hour of the hall's day (`09`); absent in the
    /// total.
    key: Option<String>,
    taken: i64,
    served: i64,
    no_shows: i64,
    given_back: i64,
    /// Numbers called before their turn, for a priority.
    priority_calls: i64,
    /// The mean wait from taking a number to its first call, in minutes.
    mean_wait_minutes: Option<f64>,
    /// The mean service, from the last call to served, in minutes.
    mean_service_minutes: Option<f64>,
}

impl HallSumsView {
    fn of(s: &qiaoyi_app::domain::hall::HallSums, key: Option<String>) -> Self {
        HallSumsView {
            key,
            taken: s.taken,
            served: s.served,
            no_shows: s.no_shows,
            given_back: s.given_back,
            priority_calls: s.priority_calls,
            mean_wait_minutes: s.mean_wait_minutes(),
            mean_service_minutes: s.mean_service_minutes(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HallFiguresView {
    total: HallSumsView,
    by_station: Vec<HallSumsView>,
    by_service: Vec<HallSumsView>,
    by_hour: Vec<HallSumsView>,
}

#[derive(Serialize, ToSchema)]
pub struct StatisticsView {
    from: String,
    to: String,
    station: Option<String>,
    category: Option<String>,
    total: Sums,
    /// Consultations opened in the period; absent when filtered by station or category.
    consultations: Option<i64>,
    /// Absent when filtered by station or category.
    green_channel: Option<GreenFigures>,
    /// Inclusive upper bounds, in days, of the processing-time groups; the last group is open.
    bucket_limits: Vec<i64>,
    /// Every month of the period, zeros included.
    months: Vec<Sums>,
    stations: Vec<Sums>,
    categories: Vec<Sums>,
    items: Vec<Sums>,
    /// The stations' service halls: numbers taken, served, not come, priority calls, waiting
    /// and service times.
    halls: HallFiguresView,
}

/// The figures of a period: totals and sums by month, station, category and item.
#[utoipa::path(get, path = "/api/v1/statistics", tag = "statistics", params(PeriodQuery),
    responses(
        (status = 200, body = StatisticsView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn statistics(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<StatisticsView>, Problem> {
    let d = state.app.statistics(&auth, &q.query()).await?;
    let all = |rows: &[figures::Sums]| rows.iter().map(Sums::from).collect();
    Ok(Json(StatisticsView {
        from: d.period.from.to_string(),
        to: d.period.to.to_string(),
        station: d.station.clone(),
        category: d.category.clone(),
        total: Sums::from(&d.total),
        consultations: d.consultations,
        green_channel: d.green.as_ref().map(|g| {
            let (decision_hours, completion_days) = qiaoyi_app::App::green_averages(g);
            GreenFigures {
                requests: g.requests,
                approved: g.approved,
                refused: g.refused,
                decision_hours,
                completed: g.completed,
                completion_days,
            }
        }),
        bucket_limits: qiaoyi_app::domain::stats::BUCKETS.to_vec(),
        months: all(&d.months),
        stations: all(&d.stations),
        categories: all(&d.categories),
        items: all(&d.items),
        halls: {
            let keyed = |rows: &[qiaoyi_app::domain::hall::HallSums]| {
                rows.iter()
                    .map(|s| HallSumsView::of(s, Some(s.key.clone())))
                    .collect()
            };
            HallFiguresView {
                total: HallSumsView::of(&d.halls.total, None),
                by_station: keyed(&d.halls.by_station),
                by_service: keyed(&d.halls.by_service),
                by_hour: keyed(&d.halls.by_hour),
            }
        },
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    station: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    offset: i64,
    /// 1 to 500; 100 when left out.
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClosedCase {
    number: String,
    item: String,
    category: String,
    /// Empty when filed online or at the bureau.
    station: String,
    channel: String,
    /// `delivered` or `refused`.
    outcome: String,
    /// `YYYY-MM-DD`, Beijing time.
    closed_on: String,
    processing_days: i64,
    within_deadline: Option<bool>,
    country: String,
    /// The cost model's version the saving was priced with; absent when none is claimed.
    cost_model_version: Option<i64>,
    money_saved_fen: i64,
    working_days_saved: i64,
}

/// The closed cases behind a period's figures, oldest closing first. No names: numbers only.
#[utoipa::path(get, path = "/api/v1/statistics/cases", tag = "statistics", params(CasesQuery),
    responses(
        (status = 200, body = Vec<ClosedCase>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn cases(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> Result<Json<Vec<ClosedCase>>, Problem> {
    let query = StatsQuery {
        from: q.from,
        to: q.to,
        station: q.station,
        category: q.category,
    };
    let rows = state
        .app
        .closed_cases_page(&auth, &query, q.offset, q.limit.unwrap_or(100))
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ClosedCase {
                number: r.number,
                item: r.outcome.item_code,
                category: r.outcome.category,
                station: r.outcome.station,
                channel: r.channel.as_str().into(),
                outcome: r.outcome.outcome.as_str().into(),
                closed_on: r.outcome.closed_on.to_string(),
                processing_days: r.outcome.processing_days,
                within_deadline: r.outcome.within_deadline,
                country: r.outcome.country,
                cost_model_version: r.outcome.model_version,
                money_saved_fen: r.outcome.money_fen,
                working_days_saved: r.outcome.days_saved,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    station: String,
    #[serde(default)]
    category: String,
    /// `xlsx` (every table, one sheet each) or `csv` (the table named by `table`).
    #[serde(default)]
    format: String,
    /// For CSV: `summary`, `months`, `stations`, `categories`, `items`, `durations`, `halls` or
    /// `cases`.
    #[serde(default)]
    table: String,
}

/// The period's figures as an Excel workbook or one table as CSV, with Chinese headers. Audited.
#[utoipa::path(get, path = "/api/v1/statistics/export", tag = "statistics", params(ExportQuery),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv; charset=utf-8")
        )),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn export(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, Problem> {
    Ok(exported(&state, &auth, q).await?)
}

/// The file an export query asks for, as an attachment: the API's and the pages' links alike.
pub async fn exported(
    state: &AppState,
    auth: &Auth,
    q: ExportQuery,
) -> Result<Response, qiaoyi_app::AppError> {
    let format = export_format(&q.format, &q.table)?;
    let query = StatsQuery {
        from: q.from,
        to: q.to,
        station: q.station,
        category: q.category,
    };
    let (bytes, name) = state.app.export_stats(auth, &query, format).await?;
    Ok(attachment(media_type(format), &name, bytes))
}

/// The export a `format` and `table` ask for.
pub fn export_format(format: &str, table: &str) -> Result<ExportFormat, qiaoyi_app::AppError> {
    match (format, Table::parse(table)) {
        ("xlsx", _) => Ok(ExportFormat::Xlsx),
        ("csv", Some(t)) => Ok(ExportFormat::Csv(t)),
        ("csv", None) => Err(qiaoyi_app::AppError::Invalid {
            field: "table",
            reason: Reason::Malformed,
            message:
                "name the table: summary, months, stations, categories, items, durations, halls or cases"
                    .into(),
        }),
        _ => Err(qiaoyi_app::AppError::Invalid {
            field: "format",
            reason: Reason::Malformed,
            message: "the format is xlsx or csv".into(),
        }),
    }
}

pub fn media_type(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat::Csv(_) => "text/csv; charset=utf-8",
    }
}

/// What one trip home from a country costs, in whole yuan.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountryCostBody {
    /// ISO 3166-1 alpha-2.
    country: String,
    airfare_yuan: u32,
    nights: u16,
    night_yuan: u32,
    working_days: u16,
    daily_income_yuan: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CostModelView {
    /// 0 before any version was made.
    version: i64,
    note: String,
    /// Milliseconds since 1970 (UTC); absent before any version.
    created_at: Option<i64>,
    countries: Vec<CountryCostBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostModelBody {
    /// The version the change starts from; someone who saved since makes this a conflict (409).
    expected_version: i64,
    #[serde(default)]
    note: String,
    countries: Vec<CountryCostBody>,
}

fn view(row: Option<CostModelVersion>, model: CostModel) -> CostModelView {
    CostModelView {
        version: row.as_ref().map(|r| r.version).unwrap_or(0),
        created_at: row.as_ref().map(|r| r.created_at),
        note: model.note,
        countries: model
            .countries
            .into_iter()
            .map(|c| CountryCostBody {
                country: c.country,
                airfare_yuan: c.airfare_yuan,
                nights: c.nights,
                night_yuan: c.night_yuan,
                working_days: c.working_days,
                daily_income_yuan: c.daily_income_yuan,
            })
            .collect(),
    }
}

/// The cost model in force: the cost of a trip home per country.
#[utoipa::path(get, path = "/api/v1/cost-model", tag = "statistics",
    responses(
        (status = 200, body = CostModelView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn cost_model(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<CostModelView>, Problem> {
    // Reading it is allowed to whoever reads the figures it prices.
    state.app.cost_model_versions(&auth).await?;
    let (row, model) = state.app.cost_model().await?;
    Ok(Json(view(row, model)))
}

/// Saves a new version of the cost model (administrators). Cases already closed keep the version
/// they were priced with.
#[utoipa::path(put, path = "/api/v1/cost-model", tag = "statistics", request_body = CostModelBody,
    responses(
        (status = 200, body = CostModelView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A country's costs are out of range; the message names the row and field", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn save_cost_model(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<CostModelBody>,
) -> Result<Json<CostModelView>, Problem> {
    let model = CostModel {
        note: body.note.trim().to_owned(),
        countries: body
            .countries
            .into_iter()
            .map(|c| CountryCost {
                country: c.country.trim().to_uppercase(),
                airfare_yuan: c.airfare_yuan,
                nights: c.nights,
                night_yuan: c.night_yuan,
                working_days: c.working_days,
                daily_income_yuan: c.daily_income_yuan,
            })
            .collect(),
    };
    state
        .app
        .save_cost_model(&auth, body.expected_version, model)
        .await?;
    let (row, model) = state.app.cost_model().await?;
    Ok(Json(view(row, model)))
}
