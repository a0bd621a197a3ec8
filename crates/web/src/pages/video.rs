//! Video identity checks on pages: the officers' slots (publish a day's times in Beijing, see
//! bookings, mark no-shows) and the case page's section (the booking in one's own zone beside
//! Beijing's, or the open slots to choose from; giving a booking back).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::video::{CaseVideo, SlotView};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::{Auth, now_ms};
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/video/slots", get(slots).post(publish))
        .route("/video/slots/{id}/cancel", post(cancel))
        .route("/video/slots/{id}/no-show", post(no_show))
        .route("/cases/{id}/video", post(book))
}

pub struct SlotLine {
    pub id: String,
    pub local: String,
    pub beijing: String,
    pub minutes: i64,
    pub state: String,
    pub booked: bool,
    pub case_id: String,
    pub case_number: String,
    pub officer: String,
}

fn line(p: &Prefs, v: SlotView) -> SlotLine {
    SlotLine {
        state: p.t(&format!("video-state-{}", v.row.state.replace('_', "-"))),
        booked: v.row.state == "booked",
        id: v.row.id,
        local: v.local,
        beijing: v.beijing,
        minutes: v.row.minutes,
        case_id: v.row.case_id.unwrap_or_default(),
        case_number: v.row.case_number.unwrap_or_default(),
        officer: v.row.officer_name,
    }
}

/// The case page's video section.
pub struct VideoSection {
    pub booked: Option<SlotLine>,
    pub open: Vec<SlotLine>,
    pub may_book: bool,
    pub time_zone: String,
    pub zones: Vec<String>,
}

pub fn section(v: CaseVideo, zones: Vec<String>) -> VideoSection {
    let plain = |s: SlotView| SlotLine {
        booked: s.row.state == "booked",
        state: String::new(),
        id: s.row.id,
        local: s.local,
        beijing: s.beijing,
        minutes: s.row.minutes,
        case_id: String::new(),
        case_number: String::new(),
        officer: s.row.officer_name,
    };
    VideoSection {
        booked: v.booked.map(plain),
        open: v.open.into_iter().map(plain).collect(),
        may_book: v.may_book,
        time_zone: v.time_zone,
        zones,
    }
}

fn field_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let (field, key) = match &error {
        AppError::Invalid {
            field: "date",
            message,
        } if message.contains("future") => ("date", "video-error-when"),
        AppError::Invalid { field: "date", .. } => ("date", "video-error-date"),
        AppError::Invalid { field: "times", .. } => ("times", "video-error-times"),
        AppError::Invalid {
            field: "minutes", ..
        } => ("minutes", "video-error-minutes"),
        AppError::Invalid { .. } => ("slot", "video-error-slot"),
        AppError::Store(qiaoyi_app::StoreError::Conflict(m)) if m.contains("first") => {
            ("slot", "video-error-taken")
        }
        AppError::Store(qiaoyi_app::StoreError::Conflict(_)) => ("slot", "video-error-conflict"),
        _ => return Err(error).for_page(p),
    };
    Ok(FieldError {
        field,
        message: p.t(key),
    })
}

#[derive(Template)]
#[template(path = "video_slots.html")]
struct SlotsPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    form: PublishForm,
    slots: Vec<SlotLine>,
}

#[derive(Deserialize, Default, Clone)]
pub struct PublishForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    times: String,
    #[serde(default)]
    minutes: String,
}

async fn slots_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    form: PublishForm,
) -> PageResult {
    let slots = state
        .app
        .my_slots(auth.session.as_ref(), &auth.client, now_ms())
        .await
        .for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SlotsPage {
        title: p.t("video-slots-title"),
        section: "account",
        errors,
        form,
        slots: slots.into_iter().map(|v| line(p, v)).collect(),
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn slots(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let form = PublishForm {
        minutes: "20".into(),
        ..PublishForm::default()
    };
    slots_page(&state, &p, &auth, Vec::new(), form).await
}

async fn publish(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<PublishForm>,
) -> PageResult {
    let minutes = form.minutes.trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .publish_slots(
            auth.session.as_ref(),
            &form.date,
            &form.times,
            minutes,
            &auth.client,
            now_ms(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/video/slots").into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            let error = if error.field == "slot" {
                FieldError {
                    field: "times",
                    message: p.t("video-error-twice"),
                }
            } else {
                error
            };
            slots_page(&state, &p, &auth, vec![error], form).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BackForm {
    /// Where to go afterwards: a case's id, or empty for the officer's slots.
    #[serde(default)]
    case: String,
}

fn back(case: &str) -> String {
    if case.is_empty() {
        "/video/slots".into()
    } else {
        format!("/cases/{case}#video")
    }
}

async fn cancel(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<BackForm>,
) -> PageResult {
    match state
        .app
        .cancel_video_slot(auth.session.as_ref(), &id, &auth.client, now_ms())
        .await
    {
        Ok(()) => Ok(Redirect::to(&back(form.case.trim())).into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            match form.case.trim() {
                "" => slots_page(&state, &p, &auth, vec![error], PublishForm::default()).await,
                case => super::cases::case_with(&state, &p, &auth, case, vec![error], None).await,
            }
        }
    }
}

async fn no_show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    match state
        .app
        .mark_video_no_show(auth.session.as_ref(), &id, &auth.client, now_ms())
        .await
    {
        Ok(()) => Ok(Redirect::to("/video/slots").into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            slots_page(&state, &p, &auth, vec![error], PublishForm::default()).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BookForm {
    #[serde(default)]
    slot: String,
    #[serde(default)]
    time_zone: String,
}

async fn book(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<BookForm>,
) -> PageResult {
    match state
        .app
        .book_video_slot(
            auth.session.as_ref(),
            &id,
            form.slot.trim(),
            &form.time_zone,
            &auth.client,
            now_ms(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#video")).into_response()),
        Err(AppError::NotFound(what)) if what == "this slot" => {
            let error = FieldError {
                field: "slot",
                message: p.t("video-error-slot"),
            };
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
        Err(e) => {
            let error = field_error(&p, e)?;
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
    }
}
