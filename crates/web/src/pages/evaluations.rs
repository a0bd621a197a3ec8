//! Public evaluation on pages: the rating form (five levels, reasons, a comment) on her number's
//! page once served and on her case's page once closed, the leaders' follow-ups of poor ratings
//! with the call-back form, and the public satisfaction page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::catalog::Station;
use qiaoyi_app::domain::evaluation::{Counts, Evaluation, Level, Why};
use qiaoyi_app::evaluations::RatingInput;

use super::account::{FieldError, FieldErrors, when};
use super::form::{pairs, status_of, value, values};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hall/numbers/{secret}/evaluation", post(rate_visit))
        .route("/cases/{id}/evaluation", post(rate_case))
        .route("/evaluations", get(board))
        .route("/evaluations/{id}/call-back", post(call_back))
        .route("/satisfaction", get(satisfaction))
}

/// A choice on the rating form.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// The rating form as a page shows it: where it posts, its choices in the reader's language (the
/// levels best first, nothing chosen for her) and what she typed when it comes back.
pub struct RatingForm {
    pub action: String,
    pub levels: Vec<Choice>,
    pub whys: Vec<Choice>,
    pub comment: String,
}

impl RatingForm {
    pub fn new(p: &Prefs, action: String, typed: &RatingInput) -> RatingForm {
        RatingForm {
            action,
            levels: Level::ALL
                .into_iter()
                .map(|l| Choice {
                    value: l.as_str(),
                    label: p.t(&format!("rating-level-{}", l.as_str())),
                    checked: typed.level == l.as_str(),
                })
                .collect(),
            whys: Why::ALL
                .into_iter()
                .map(|w| Choice {
                    value: w.as_str(),
                    label: p.t(&format!("rating-why-{}", w.as_str())),
                    checked: typed.reasons.iter().any(|r| r == w.as_str()),
                })
                .collect(),
            comment: typed.comment.clone(),
        }
    }
}

/// A rating as her page shows it once given.
pub fn rating_words(p: &Prefs, e: &Evaluation) -> String {
    p.t(&format!("rating-level-{}", e.rating.level.as_str()))
}

/// What the rating form sent.
fn rating_input(body: &[u8]) -> RatingInput {
    let pairs = pairs(body);
    RatingInput {
        level: value(&pairs, "level"),
        reasons: values(&pairs, "reasons"),
        comment: value(&pairs, "comment"),
    }
}

/// The message for a refused rating; `None` for what is not about its fields.
fn rating_error(p: &Prefs, error: &AppError) -> Option<FieldError> {
    let (field, key) = match error {
        AppError::Invalid { field: "level", .. } => ("level", "rating-error-level"),
        AppError::Invalid {
            field: "reasons", ..
        } => ("level", "rating-error-level"),
        AppError::Invalid {
            field: "comment", ..
        } => ("comment", "rating-error-comment"),
        AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => ("level", "rating-error-given"),
        AppError::Invalid {
            field: "ticket", ..
        }
        | AppError::Invalid { field: "case", .. } => ("level", "rating-error-not-yet"),
        _ => return None,
    };
    Some(FieldError {
        field,
        message: p.t(key),
    })
}

#[derive(Template)]
#[template(path = "rating_refused.html")]
struct RefusedPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    back: String,
    rating: RatingForm,
}

/// Back to the page the form was on once rated; else the form again with its refusal, on a page
/// of its own that leads back there.
fn rated_or_refused(
    p: &Prefs,
    back: String,
    typed: &RatingInput,
    rated: Result<Evaluation, AppError>,
) -> PageResult {
    let error = match rated {
        Ok(_) => return Ok(Redirect::to(&format!("{back}?rated=1")).into_response()),
        Err(e) => match rating_error(p, &e) {
            Some(error) => error,
            None => return Err(e).for_page(p),
        },
    };
    let view = RefusedPage {
        title: p.t("rating-title"),
        section: "account",
        errors: vec![error],
        rating: RatingForm::new(p, format!("{back}/evaluation"), typed),
        back,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn rate_visit(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(secret): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let typed = rating_input(&body);
    let rated = state
        .app
        .rate_hall_visit(&auth, &secret, &typed, "web")
        .await;
    rated_or_refused(&p, format!("/hall/numbers/{secret}"), &typed, rated)
}

async fn rate_case(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let typed = rating_input(&body);
    let rated = state.app.rate_case(&auth, &id, &typed, "web").await;
    rated_or_refused(&p, format!("/cases/{id}"), &typed, rated)
}

/// A follow-up as the board lists it.
pub struct FollowUpLine {
    pub id: String,
    pub label: String,
    pub subject: String,
    pub station: String,
    pub level: String,
    pub reasons: String,
    pub comment: String,
    pub rated_at: String,
    pub due_on: String,
    pub provisional: bool,
    pub open: bool,
    pub note: String,
    pub closed_at: String,
    /// Where to read whom to call back: the case, for a case.
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "evaluations.html")]
struct BoardPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    open: Vec<FollowUpLine>,
    closed: Vec<FollowUpLine>,
    errors: Vec<FieldError>,
    note: String,
    /// The follow-up whose call-back note was refused.
    failed: String,
}

fn follow_up_line(p: &Prefs, e: &Evaluation, stations: &[Station]) -> FollowUpLine {
    let follow = e.follow_up.clone();
    let subject = e.subject.as_str();
    FollowUpLine {
        id: e.id.clone(),
        label: e.label.clone(),
        subject: p.t(&format!("rating-subject-{subject}")),
        station: station_name(p, stations, e.station.as_ref().map(|s| s.as_str())),
        level: rating_words(p, e),
        reasons: e
            .rating
            .reasons
            .iter()
            .map(|w| p.t(&format!("rating-why-{}", w.as_str())))
            .collect::<Vec<_>>()
            .join(" · "),
        comment: e.rating.comment.clone(),
        rated_at: when(e.rated_at),
        due_on: follow
            .as_ref()
            .map(|f| f.due_on.to_string())
            .unwrap_or_default(),
        provisional: follow.as_ref().is_some_and(|f| f.provisional),
        open: follow.as_ref().is_some_and(|f| f.closed_at.is_none()),
        note: follow.as_ref().map(|f| f.note.clone()).unwrap_or_default(),
        closed_at: follow
            .as_ref()
            .and_then(|f| f.closed_at)
            .map(when)
            .unwrap_or_default(),
        href: (subject == "case").then(|| format!("/cases/{}", e.subject_id)),
    }
}

async fn board_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    (failed, note): (String, String),
) -> PageResult {
    let all = state.app.follow_ups(auth).await.for_page(p)?;
    let stations = state.app.stations().await.for_page(p)?;
    let (open, closed): (Vec<FollowUpLine>, Vec<FollowUpLine>) = all
        .iter()
        .map(|e| follow_up_line(p, e, &stations))
        .partition(|l| l.open);
    let view = BoardPage {
        title: p.t("follow-ups-title"),
        section: "evaluations",
        open,
        closed,
        errors,
        note,
        failed,
        p,
    };
    Ok((status_of(&view.errors), render(&view)).into_response())
}

async fn board(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    board_page(&state, &p, &auth, Vec::new(), Default::default()).await
}

async fn call_back(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let note = value(&pairs(&body), "note");
    match state.app.close_follow_up(&auth, &id, &note).await {
        Ok(_) => Ok(Redirect::to("/evaluations?closed=1").into_response()),
        Err(AppError::Invalid { .. }) => {
            let error = FieldError {
                field: "note",
                message: p.t("follow-up-error-note"),
            };
            board_page(&state, &p, &auth, vec![error], (id, note)).await
        }
        Err(e) => Err(e).for_page(&p),
    }
}

/// A station by its name in the reader's language; none is the bureau.
fn station_name(p: &Prefs, stations: &[Station], code: Option<&str>) -> String {
    match code {
        None => p.t("rating-bureau"),
        Some(code) => stations
            .iter()
            .find(|s| s.code.as_str() == code)
            .map(|s| s.name.get(p.lang).to_owned())
            .unwrap_or_else(|| code.to_owned()),
    }
}

/// One row of the satisfaction tables.
pub struct RateLine {
    pub name: String,
    pub total: u64,
    pub poor: u64,
    /// "96.5%", or a dash without ratings.
    pub rate: String,
}

fn rate_line(p: &Prefs, name: String, counts: &Counts) -> RateLine {
    RateLine {
        name,
        total: counts.total(),
        poor: counts.poor(),
        rate: counts
            .satisfaction_permille()
            .map(|m| p.t1("rating-rate", "rate", format!("{}.{}", m / 10, m % 10)))
            .unwrap_or_else(|| "—".to_owned()),
    }
}

#[derive(Template)]
#[template(path = "satisfaction.html")]
struct SatisfactionPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    /// "From 2026-01 to 2026-12", in the reader's language.
    period: String,
    all: RateLine,
    stations: Vec<RateLine>,
    services: Vec<RateLine>,
    months: Vec<RateLine>,
}

async fn satisfaction(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let figures = state.app.satisfaction(auth.now).await.for_page(&p)?;
    let stations = state.app.stations().await.for_page(&p)?;
    let categories = state.app.categories().await.for_page(&p)?;
    let service_name = |code: &str| {
        categories
            .iter()
            .find(|c| c.code.as_str() == code)
            .map(|c| c.name.get(p.lang).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let view = SatisfactionPage {
        title: p.t("satisfaction-title"),
        section: "satisfaction",
        all: rate_line(&p, p.t("satisfaction-all"), &figures.all),
        stations: figures
            .by_station
            .iter()
            .map(|(code, c)| rate_line(&p, station_name(&p, &stations, code.as_deref()), c))
            .collect(),
        services: figures
            .by_service
            .iter()
            .map(|(code, c)| rate_line(&p, service_name(code), c))
            .collect(),
        months: figures
            .by_month
            .iter()
            .map(|(month, c)| rate_line(&p, month.clone(), c))
            .collect(),
        period: p.t2(
            "satisfaction-period",
            ("from", figures.from.clone()),
            ("to", figures.to.clone()),
        ),
        p: &p,
    };
    Ok(render(&view).into_response())
}
