//! The administrator's working-day calendar: which years are official and which provisional, the
//! warning from 1 November while next year has no file, and the form that imports a year's file
//! (pasted as the State Council's notice was copied into `calendar/<year>.toml`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::calendar::CalendarStatus;
use qiaoyi_app::domain::access::Action;
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/calendar", get(show).post(import))
}

struct YearLine {
    year: i16,
    provisional: bool,
    source: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    years: Vec<YearLine>,
    missing: Option<i16>,
    /// After an import: what it did, as a sentence.
    done: Option<String>,
    form: ImportForm,
    errors: Vec<FieldError>,
    /// Why the file was refused, as the checker says it (file, field, what to change).
    refusal: String,
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    imported: Option<i16>,
    recounted: Option<usize>,
    moved: Option<usize>,
}

fn page(
    p: &Prefs,
    status: CalendarStatus,
    done: Option<String>,
    form: ImportForm,
    errors: Vec<FieldError>,
    refusal: String,
) -> PageResult {
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = CalendarPage {
        title: p.t("admin-calendar-title"),
        section: "account",
        years: status
            .years
            .into_iter()
            .rev()
            .map(|y| YearLine {
                year: y.year,
                provisional: y.provisional,
                source: y.source,
            })
            .collect(),
        missing: status.next_year_missing,
        done,
        form,
        errors,
        refusal,
        p,
    };
    Ok((code, render(&view)).into_response())
}

async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let status = state.app.calendar_status(&auth).await.for_page(&p)?;
    let count = |n: Option<usize>| u64::try_from(n.unwrap_or(0)).unwrap_or(u64::MAX);
    let done = q.imported.map(|year| {
        [
            p.t1("admin-calendar-imported", "year", year.to_string()),
            p.t1("admin-calendar-recounted", "count", count(q.recounted)),
            p.t1("admin-calendar-moved", "count", count(q.moved)),
        ]
        .join(" ")
    });
    let form = ImportForm {
        year: status
            .next_year_missing
            .map(|y| y.to_string())
            .unwrap_or_default(),
        text: String::new(),
    };
    page(&p, status, done, form, Vec::new(), String::new())
}

async fn import(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<ImportForm>,
) -> PageResult {
    // Who may import is settled before the form is judged.
    auth.may(&state.app, Action::ManageCatalogue)
        .await
        .for_page(&p)?;
    let status = state.app.calendar_status(&auth).await.for_page(&p)?;
    let year = form
        .year
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (2000..=2200).contains(y));
    let Some(year) = year else {
        let error = FieldError {
            field: "year",
            message: p.t("admin-calendar-error-year"),
        };
        return page(&p, status, None, form, vec![error], String::new());
    };
    if form.text.trim().is_empty() {
        let error = FieldError {
            field: "text",
            message: p.t("admin-calendar-error-empty"),
        };
        return page(&p, status, None, form, vec![error], String::new());
    }
    match state
        .app
        .import_calendar(&auth, &format!("{year}.toml"), &form.text)
        .await
    {
        Ok(done) => Ok(Redirect::to(&format!(
            "/admin/calendar?imported={}&recounted={}&moved={}",
            done.year, done.recounted, done.moved
        ))
        .into_response()),
        Err(AppError::Calendar(why)) => {
            let error = FieldError {
                field: "text",
                message: p.t("admin-calendar-error-refused"),
            };
            page(&p, status, None, form, vec![error], why)
        }
        Err(other) => Err(other).for_page(&p),
    }
}
