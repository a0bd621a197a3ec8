//! `/status`: a case's status without signing in. The visitor types the case number and the
//! person's birth date and chooses where the code goes (the applicant's e-mail or phone); the
//! page then asks for the code, keeping the two in the form, and with it shows the state, the
//! next step and the deadline.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::accounts::SendBy;
use qiaoyi_app::cases::{CaseStatus, STATUS_CODE_VALID_MS};
use qiaoyi_app::domain::failure::Reason;
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::cases::state_key;
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::rate_limit::Bucket;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(ask_form).post(ask))
        .route("/status/check", post(check))
}

/// What the page shows of a status: words only.
struct Shown {
    number: String,
    state: String,
    next: String,
    deadline: String,
    deadline_provisional: bool,
}

#[derive(Template)]
#[template(path = "case_status.html")]
struct StatusPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    number: String,
    birth_date: String,
    /// `email` or `sms`, as chosen.
    by: String,
    /// A code was asked for: the page asks for it.
    asked: bool,
    minutes: i64,
    shown: Option<Shown>,
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    code: String,
}

fn page(p: &Prefs, form: StatusForm, asked: bool, errors: Vec<FieldError>) -> StatusPage<'_> {
    StatusPage {
        title: p.t("status-title"),
        section: "status",
        number: form.number.trim().to_owned(),
        birth_date: form.birth_date.trim().to_owned(),
        by: if SendBy::parse(&form.by) == Some(SendBy::Sms) {
            "sms"
        } else {
            "email"
        }
        .into(),
        asked,
        minutes: STATUS_CODE_VALID_MS / 60_000,
        shown: None,
        errors,
        p,
    }
}

fn respond(view: &StatusPage<'_>) -> PageResult {
    let code = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((code, render(view)).into_response())
}

/// The message for a refused field, by the field and its reason.
fn field_error(p: &Prefs, field: &'static str, reason: Reason) -> FieldError {
    let key = match (field, reason) {
        ("number", _) => "status-number-invalid",
        ("birth_date", _) => "status-birth-date-invalid",
        (_, Reason::Mismatch) => "status-mismatch",
        _ => "status-code-invalid",
    };
    FieldError {
        field: match field {
            "number" | "birth_date" => field,
            _ => "code",
        },
        message: p.t(key),
    }
}

async fn ask_form(Extension(p): Extension<Prefs>) -> PageResult {
    respond(&page(&p, StatusForm::default(), false, Vec::new()))
}

async fn ask(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<StatusForm>,
) -> PageResult {
    if !state.limits.allow(Bucket::CaseStatus, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    // A tampered choice falls back to e-mail, the one offered first.
    let by = SendBy::parse(&form.by).unwrap_or(SendBy::Email);
    let mut errors = Vec::new();
    // Both fields are checked before asking, so every mistake shows in one answer.
    if qiaoyi_app::domain::cases::CaseNumber::parse(&form.number).is_err() {
        errors.push(field_error(&p, "number", Reason::Malformed));
    }
    if form.birth_date.trim().parse::<jiff::civil::Date>().is_err() {
        errors.push(field_error(&p, "birth_date", Reason::Malformed));
    }
    if !errors.is_empty() {
        return respond(&page(&p, form, false, errors));
    }
    match state
        .app
        .request_status_code(&auth, &form.number, &form.birth_date, by)
        .await
    {
        Ok(()) => respond(&page(&p, form, true, Vec::new())),
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            respond(&page(&p, form, false, errors))
        }
        Err(other) => Err(other).for_page(&p),
    }
}

async fn check(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<StatusForm>,
) -> PageResult {
    if !state.limits.allow(Bucket::CaseStatus, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    match state
        .app
        .case_status_with_code(&auth, &form.number, &form.birth_date, &form.code)
        .await
    {
        Ok(status) => {
            let mut view = page(&p, form, true, Vec::new());
            view.shown = Some(shown(&p, status));
            respond(&view)
        }
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            // A malformed number or date sends her back to the first form; a code to the second.
            let asked = field == "code";
            respond(&page(&p, form, asked, errors))
        }
        Err(other) => Err(other).for_page(&p),
    }
}

fn shown(p: &Prefs, status: CaseStatus) -> Shown {
    Shown {
        state: p.t(&state_key(status.state)),
        next: p.t(&format!(
            "status-next-{}",
            status.next.as_str().replace('_', "-")
        )),
        deadline: status.deadline.map(|d| d.to_string()).unwrap_or_default(),
        deadline_provisional: status.deadline_provisional,
        number: status.number,
    }
}
