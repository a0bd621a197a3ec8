//! The statistics dashboard (officers, duty leaders, administrators, auditors): totals, charts drawn
//! here as SVG (no script, readable on a phone and in print), tables by month, station, category
//! and item, and the exports; and the cost model, which administrators edit.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Form, Router};
use qiaoyi_app::domain::access::{Action, Resource, decide};
use qiaoyi_app::domain::fees::money::format_yuan;
use qiaoyi_app::domain::hall::HallSums;
use qiaoyi_app::domain::stats::{CostModel, CountryCost, Sums};
use qiaoyi_app::stats::StatsQuery;
use qiaoyi_app::stats_export::{average_days, within_share};
use qiaoyi_app::{AppError, Reason};

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::api::stats::{ExportQuery, exported};
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats", get(dashboard))
        .route("/stats/export", get(export))
        .route("/stats/costs", get(costs).post(save_costs))
}

/// One bar of a chart, laid out in the SVG's own units.
pub struct Bar {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
    mid: i64,
    label: String,
    value: String,
}

/// A bar chart: the SVG's size, its bars and what it shows (for screen readers).
pub struct Chart {
    width: i64,
    height: i64,
    base: i64,
    label_y: i64,
    title: String,
    bars: Vec<Bar>,
}

const SLOT: i64 = 56;
const PLOT: i64 = 140;
const TOP: i64 = 24;

/// Bars scaled to the largest value; every value is printed above its bar, so the chart reads
/// without colour and in black-and-white print.
fn chart(title: String, values: Vec<(String, i64, String)>) -> Chart {
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1);
    let bars = values
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, shown))| {
            let h = value * PLOT / max;
            let x = i as i64 * SLOT + 8;
            Bar {
                x,
                y: TOP + PLOT - h,
                w: SLOT - 16,
                h,
                mid: x + (SLOT - 16) / 2,
                label,
                value: shown,
            }
        })
        .collect::<Vec<_>>();
    Chart {
        width: (bars.len() as i64 * SLOT).max(SLOT),
        height: TOP + PLOT + 28,
        base: TOP + PLOT,
        label_y: TOP + PLOT + 18,
        title,
        bars,
    }
}

/// One row of a figures table.
pub struct Line {
    name: String,
    handled: i64,
    delivered: i64,
    refused: i64,
    within: String,
    average: String,
    money: String,
    days: i64,
}

fn percent(x: Option<f64>) -> String {
    x.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn yuan(fen: i64) -> String {
    format!("¥{}", format_yuan(fen))
}

fn line(s: &Sums, name: String) -> Line {
    Line {
        name,
        handled: s.handled,
        delivered: s.delivered,
        refused: s.refused,
        within: percent(within_share(s)),
        average: average_days(s)
            .map(|d| format!("{d:.1}"))
            .unwrap_or_else(|| "—".into()),
        money: yuan(s.money_fen),
        days: s.days_saved,
    }
}

pub struct Choice {
    code: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct DashboardPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    from: String,
    to: String,
    stations: Vec<Choice>,
    categories: Vec<Choice>,
    /// The query string of the figures shown, for the export links.
    query: String,
    figures: Option<Figures>,
}

struct Figures {
    empty: bool,
    /// Requests, approved, average hours to decide, average days from approval to closing.
    green: Option<(i64, i64, String, String)>,
    handled: i64,
    consultations: Option<i64>,
    money: String,
    days: i64,
    within: String,
    average: String,
    saved_cases: i64,
    months_chart: Chart,
    durations_chart: Chart,
    months: Vec<Line>,
    by_station: Vec<Line>,
    by_category: Vec<Line>,
    by_item: Vec<Line>,
    /// The service halls: by hall, by service, by hour of the day; empty without numbers.
    halls: Vec<(String, Vec<HallLine>)>,
}

/// A service hall's row: numbers taken, served, not come, priority calls, mean wait and service.
pub struct HallLine {
    pub name: String,
    pub taken: i64,
    pub served: i64,
    pub no_shows: i64,
    pub priority_calls: i64,
    pub wait: String,
    pub service: String,
}

fn field_error(p: &Prefs, field: &'static str, reason: Reason) -> FieldError {
    let (field, key) = match (field, reason) {
        ("station", _) => ("station", "stats-error-station"),
        ("category", _) => ("category", "stats-error-category"),
        ("to", Reason::EndBeforeStart) => ("to", "stats-error-order"),
        ("to", Reason::PeriodTooLong) => ("to", "stats-error-span"),
        ("to", _) => ("to", "stats-error-month"),
        ("limit" | "table" | "format", _) => ("from", "stats-error-table"),
        _ => ("from", "stats-error-month"),
    };
    FieldError {
        field,
        message: p.t(key),
    }
}

fn query_string(q: &StatsQuery) -> String {
    serde_urlencoded::to_string([
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
        ("station", q.station.as_str()),
        ("category", q.category.as_str()),
    ])
    .unwrap_or_default()
}

async fn dashboard(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let app = &state.app;
    let (figures, errors, shown) = match app.statistics(&auth, &q).await {
        Ok(d) => {
            let shown = StatsQuery {
                from: d.period.from.to_string(),
                to: d.period.to.to_string(),
                station: d.station.clone().unwrap_or_default(),
                category: d.category.clone().unwrap_or_default(),
            };
            (
                Some(figures(&state, &p, &d).await.for_page(&p)?),
                Vec::new(),
                shown,
            )
        }
        Err(AppError::Invalid { field, reason, .. }) => {
            // Check permission first: a refused reader sees the refusal, not the form.
            app.authorize(&auth, Action::ReadStatistics, &Resource::System)
                .await
                .for_page(&p)?;
            (None, vec![field_error(&p, field, reason)], q.clone())
        }
        Err(e) => return Err(e).for_page(&p),
    };
    let stations = app
        .stations()
        .await
        .for_page(&p)?
        .into_iter()
        .map(|s| Choice {
            selected: s.code.as_str() == shown.station,
            code: s.code.to_string(),
            name: format!("{} ({})", s.name.get(p.lang), s.code),
        })
        .collect();
    let categories = app
        .categories()
        .await
        .for_page(&p)?
        .into_iter()
        .map(|c| Choice {
            selected: c.code.as_str() == shown.category,
            code: c.code.to_string(),
            name: c.name.get(p.lang).to_owned(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DashboardPage {
        title: p.t("stats-title"),
        section: "account",
        errors,
        from: shown.from.clone(),
        to: shown.to.clone(),
        stations,
        categories,
        query: query_string(&shown),
        figures,
        p: &p,
    };
    Ok((status, render(&page)).into_response())
}

async fn figures(
    state: &AppState,
    p: &Prefs,
    d: &qiaoyi_app::stats::Dashboard,
) -> Result<Figures, AppError> {
    let app = &state.app;
    let stations: HashMap<String, String> = app
        .stations()
        .await?
        .into_iter()
        .map(|s| (s.code.to_string(), s.name.get(p.lang).to_owned()))
        .collect();
    let categories: HashMap<String, String> = app
        .categories()
        .await?
        .into_iter()
        .map(|c| (c.code.to_string(), c.name.get(p.lang).to_owned()))
        .collect();
    let items: HashMap<String, String> = app
        .items(None)
        .await?
        .into_iter()
        .map(|i| (i.code.to_string(), i.name.get(p.lang).to_owned()))
        .collect();
    let named = |map: &HashMap<String, String>, key: &str| {
        if key.is_empty() {
            p.t("stats-no-station")
        } else {
            map.get(key).cloned().unwrap_or_else(|| key.to_owned())
        }
    };
    let t = &d.total;
    let duration_labels = qiaoyi_app::domain::stats::bucket_labels();
    let one = |x: Option<f64>| x.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
    Ok(Figures {
        green: d.green.as_ref().map(|g| {
            let (decision, completion) = qiaoyi_app::App::green_averages(g);
            (g.requests, g.approved, one(decision), one(completion))
        }),
        empty: t.handled == 0,
        handled: t.handled,
        consultations: d.consultations,
        money: yuan(t.money_fen),
        days: t.days_saved,
        within: percent(within_share(t)),
        average: average_days(t)
            .map(|x| format!("{x:.1}"))
            .unwrap_or_else(|| "—".into()),
        saved_cases: t.saved_cases,
        months_chart: chart(
            p.t("stats-chart-months"),
            d.months
                .iter()
                .map(|m| (m.key.clone(), m.handled, m.handled.to_string()))
                .collect(),
        ),
        durations_chart: chart(
            p.t("stats-chart-durations"),
            duration_labels
                .into_iter()
                .zip(t.buckets)
                .map(|(label, n)| (label, n, n.to_string()))
                .collect(),
        ),
        months: d.months.iter().map(|s| line(s, s.key.clone())).collect(),
        by_station: d
            .stations
            .iter()
            .map(|s| line(s, named(&stations, &s.key)))
            .collect(),
        by_category: d
            .categories
            .iter()
            .map(|s| line(s, named(&categories, &s.key)))
            .collect(),
        by_item: d
            .items
            .iter()
            .map(|s| line(s, format!("{} {}", s.key, named(&items, &s.key))))
            .collect(),
        halls: if d.halls.total.taken == 0 {
            Vec::new()
        } else {
            let hall_line = |s: &HallSums, name: String| HallLine {
                name,
                taken: s.taken,
                served: s.served,
                no_shows: s.no_shows,
                priority_calls: s.priority_calls,
                wait: one(s.mean_wait_minutes()),
                service: one(s.mean_service_minutes()),
            };
            vec![
                (
                    p.t("stats-hall-by-hall"),
                    d.halls
                        .by_station
                        .iter()
                        .map(|s| hall_line(s, named(&stations, &s.key)))
                        .collect(),
                ),
                (
                    p.t("stats-hall-by-service"),
                    d.halls
                        .by_service
                        .iter()
                        .map(|s| hall_line(s, named(&categories, &s.key)))
                        .collect(),
                ),
                (
                    p.t("stats-hall-by-hour"),
                    d.halls
                        .by_hour
                        .iter()
                        .map(|s| hall_line(s, format!("{}:00", s.key)))
                        .collect(),
                ),
            ]
        },
    })
}

async fn export(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    exported(&state, &auth, q).await.for_page(&p)
}

pub struct CostLine {
    i: usize,
    country: String,
    country_name: String,
    airfare: String,
    nights: String,
    night: String,
    days: String,
    income: String,
    trip: String,
}

pub struct VersionLine {
    version: i64,
    note: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "stats_costs.html")]
struct CostsPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    may_edit: bool,
    version: i64,
    note: String,
    lines: Vec<CostLine>,
    versions: Vec<VersionLine>,
}

fn cost_lines(p: &Prefs, model: &CostModel, blanks: usize) -> Vec<CostLine> {
    let mut lines: Vec<CostLine> = model
        .countries
        .iter()
        .enumerate()
        .map(|(i, c)| CostLine {
            i,
            country: c.country.clone(),
            country_name: p.t_or(&format!("country-{}", c.country), &c.country),
            airfare: c.airfare_yuan.to_string(),
            nights: c.nights.to_string(),
            night: c.night_yuan.to_string(),
            days: c.working_days.to_string(),
            income: c.daily_income_yuan.to_string(),
            trip: yuan(c.trip_fen()),
        })
        .collect();
    let n = lines.len();
    lines.extend((n..n + blanks).map(|i| CostLine {
        i,
        country: String::new(),
        country_name: String::new(),
        airfare: String::new(),
        nights: String::new(),
        night: String::new(),
        days: String::new(),
        income: String::new(),
        trip: String::new(),
    }));
    lines
}

async fn costs_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    typed: Option<(CostModel, String)>,
) -> PageResult {
    let app = &state.app;
    let rows = app.cost_model_versions(auth).await.for_page(p)?;
    let (latest, model) = app.cost_model().await.for_page(p)?;
    let may_edit = auth
        .session
        .as_ref()
        .is_some_and(|s| decide(&s.actor, Action::ManageCatalogue, &Resource::System).is_allowed());
    let (model, note) = match typed {
        Some((model, note)) => (model, note),
        None => {
            let note = model.note.clone();
            (model, note)
        }
    };
    let versions = rows
        .into_iter()
        .map(|r| VersionLine {
            version: r.version,
            note: r.model.note,
            by: r.created_by_name,
            at: when(r.created_at),
        })
        .collect();
    let page = CostsPage {
        title: p.t("costs-title"),
        section: "account",
        may_edit,
        version: latest.map(|r| r.version).unwrap_or(0),
        note,
        lines: cost_lines(p, &model, if may_edit { 3 } else { 0 }),
        versions,
        errors,
        p,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

async fn costs(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    costs_page(&state, &p, &auth, Vec::new(), None).await
}

/// The most rows the form takes: every country there is, and then some.
const MAX_ROWS: usize = 300;

/// The model as typed, or the first mistake in it in the reader's language.
fn typed_model(p: &Prefs, form: &HashMap<String, String>) -> Result<CostModel, FieldError> {
    let get = |name: &str, i: usize| {
        form.get(&format!("{name}_{i}"))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut countries = Vec::new();
    for i in 0..MAX_ROWS {
        let country = get("country", i).to_uppercase();
        if country.is_empty() {
            continue;
        }
        let wrong = |key: &str| FieldError {
            field: "costs",
            message: format!("{country}: {}", p.t(key)),
        };
        let amount = |name: &str| {
            get(name, i)
                .parse::<u32>()
                .map_err(|_| wrong("costs-error-amount"))
        };
        let days = |name: &str| {
            get(name, i)
                .parse::<u16>()
                .map_err(|_| wrong("costs-error-days"))
        };
        let cost = CountryCost {
            airfare_yuan: amount("airfare")?,
            nights: days("nights")?,
            night_yuan: amount("night")?,
            working_days: days("days")?,
            daily_income_yuan: amount("income")?,
            country: country.clone(),
        };
        cost.check().map_err(|(field, _)| match field {
            "country" => wrong("costs-error-country"),
            "nights" | "working_days" => wrong("costs-error-days"),
            _ => wrong("costs-error-amount"),
        })?;
        countries.push(cost);
    }
    Ok(CostModel {
        note: form
            .get("note")
            .map(|n| n.trim().to_owned())
            .unwrap_or_default(),
        countries,
    })
}

async fn save_costs(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    // Only administrators get as far as the form's contents.
    auth.may(&state.app, Action::ManageCatalogue)
        .await
        .for_page(&p)?;
    let version = form
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let model = match typed_model(&p, &form) {
        Ok(model) => model,
        Err(e) => return costs_page(&state, &p, &auth, vec![e], None).await,
    };
    let note = model.note.clone();
    match state
        .app
        .save_cost_model(&auth, version, model.clone())
        .await
    {
        Ok(_) => Ok(Redirect::to("/stats/costs").into_response()),
        Err(AppError::Invalid { reason, .. }) => {
            let key = if reason == Reason::Duplicate {
                "costs-error-twice"
            } else {
                "costs-error-note"
            };
            let error = FieldError {
                field: "costs",
                message: p.t(key),
            };
            costs_page(&state, &p, &auth, vec![error], Some((model, note))).await
        }
        Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. })) => {
            let error = FieldError {
                field: "costs",
                message: p.t("costs-error-conflict"),
            };
            costs_page(&state, &p, &auth, vec![error], None).await
        }
        Err(e) => Err(e).for_page(&p),
    }
}
