//! Administrators keep the working-day calendar over the API: which years are official and which
//! provisional, and importing a year's file from the State Council's notice (the TOML of
//! `catalog/FORMAT.md`), which recounts the deadlines of the open cases it changes.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::calendar::{CalendarImported, CalendarStatus};
use qiaoyi_app::domain::access::Action;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::ApiPath;
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct YearView {
    year: i16,
    /// True while no file is imported: the year counts the national regulation's statutory
    /// holidays and weekends, and its deadlines are marked provisional.
    provisional: bool,
    /// The notice the file comes from; empty while provisional.
    source: String,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    /// From the first imported year (or this year) to next year.
    years: Vec<YearView>,
    /// From 1 November, next year while it has no official file.
    next_year_missing: Option<i16>,
}

impl From<CalendarStatus> for CalendarView {
    fn from(status: CalendarStatus) -> Self {
        CalendarView {
            years: status
                .years
                .into_iter()
                .map(|y| YearView {
                    year: y.year,
                    provisional: y.provisional,
                    source: y.source,
                })
                .collect(),
            next_year_missing: status.next_year_missing,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportView {
    year: i16,
    /// False when the same file was in force already and nothing changed.
    changed: bool,
    /// Open cases whose deadline was counted again.
    recounted: usize,
    /// Of those, cases whose day moved; their applicants are told.
    moved: usize,
}

impl From<CalendarImported> for ImportView {
    fn from(i: CalendarImported) -> Self {
        ImportView {
            year: i.year,
            changed: i.changed,
            recounted: i.recounted,
            moved: i.moved,
        }
    }
}

/// The calendar's years: official (imported from a notice) or provisional.
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "operations",
    responses(
        (status = 200, body = CalendarView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn years(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<CalendarView>, Problem> {
    let status = state.app.calendar_status(&auth).await?;
    Ok(Json(status.into()))
}

/// Imports a year's calendar file (TOML, as `catalog/FORMAT.md` describes `calendar/<year>.toml`)
/// and recounts the deadlines of the open cases it changes, in one transaction.
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "operations",
    params(("year" = i16, Path, description = "The file's year, e.g. 2027")),
    request_body(content = String, content_type = "text/plain",
        description = "The year's file as TOML text (any content type is read as such): its holidays and adjusted working days"),
    responses(
        (status = 200, body = ImportView),
        (status = 400, description = "The year in the path is not a year", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is refused: not TOML, another year, a date wrong, or a statutory holiday missing (named)", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn import(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(year): ApiPath<String>,
    body: Bytes,
) -> Result<Json<ImportView>, Problem> {
    // Who may write is settled before the body is judged, so strangers learn nothing from its errors.
    auth.may(&state.app, Action::ManageCatalogue).await?;
    let year: i16 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2200).contains(y))
        .ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "bad-path",
                "the year must be a year such as 2027",
            )
            .with_field("year")
        })?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-calendar",
            "the file is not UTF-8 text; send the TOML file as it is",
        )
        .with_field("body")
    })?;
    let imported = state
        .app
        .import_calendar(&auth, &format!("{year}.toml"), text)
        .await?;
    Ok(Json(imported.into()))
}
