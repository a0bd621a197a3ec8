//! Public evaluation over the API: rating a served hall visit (by the number's secret) or one's
//! closed case, the leaders' follow-ups of poor ratings and their call-backs, and the public
//! satisfaction rates.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use qiaoyi_app::domain::evaluation::{Counts, Evaluation, Level};
use qiaoyi_app::evaluations::RatingInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// `very-satisfied`, `satisfied`, `fair`, `dissatisfied` or `very-dissatisfied`.
    level: String,
    /// Any of `fast`, `friendly`, `clear`, `waited-long`, `staff-attitude`, `not-solved`,
    /// `unclear`, `repeated-trips`, each once.
    #[serde(default)]
    reasons: Vec<String>,
    /// At most 1,000 characters.
    #[serde(default)]
    comment: String,
}

impl RatingBody {
    fn input(self) -> RatingInput {
        RatingInput {
            level: self.level,
            reasons: self.reasons,
            comment: self.comment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpView {
    /// The working day (Beijing, `YYYY-MM-DD`) by which she is called back.
    due_on: String,
    /// The due day counts days of a year whose official calendar is not imported yet.
    provisional: bool,
    /// Milliseconds since 1970 (UTC), once closed.
    closed_at: Option<i64>,
    /// What the call-back was, once closed.
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct EvaluationView {
    id: String,
    /// `hall_visit` or `case`.
    subject: String,
    subject_id: String,
    /// The station it was given at; none for the bureau's own cases.
    station: Option<String>,
    /// The service: a catalogue category's code.
    service: String,
    /// What the hall or the case shows: `A007`, `QT-2026-000123`.
    label: String,
    level: String,
    reasons: Vec<String>,
    comment: String,
    rated_at: i64,
    /// Only for a poor rating (dissatisfied or worse).
    follow_up: Option<FollowUpView>,
}

impl From<Evaluation> for EvaluationView {
    fn from(e: Evaluation) -> Self {
        EvaluationView {
            subject: e.subject.as_str().to_owned(),
            subject_id: e.subject_id,
            station: e.station.map(|s| s.to_string()),
            service: e.service,
            label: e.label,
            level: e.rating.level.as_str().to_owned(),
            reasons: e
                .rating
                .reasons
                .iter()
                .map(|w| w.as_str().to_owned())
                .collect(),
            comment: e.rating.comment,
            rated_at: e.rated_at,
            follow_up: e.follow_up.map(|f| FollowUpView {
                due_on: f.due_on.to_string(),
                provisional: f.provisional,
                closed_at: f.closed_at,
                note: f.note,
            }),
            id: e.id,
        }
    }
}

fn created(e: Evaluation) -> Response {
    (StatusCode::CREATED, Json(EvaluationView::from(e))).into_response()
}

/// Rates a hall visit once it was served; her number's secret is the proof. A poor rating opens
/// a follow-up due in 15 working days.
#[utoipa::path(post, path = "/api/v1/hall/numbers/{secret}/evaluation", operation_id = "rate_hall_visit", tag = "evaluation", request_body = RatingBody,
    params(("secret" = String, Path)),
    responses(
        (status = 201, body = EvaluationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Rated already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`level`, `reasons` or `comment` refused; `ticket` (`wrong-state`): not served", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn rate_visit(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(secret): ApiPath<String>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Response, Problem> {
    let e = state
        .app
        .rate_hall_visit(&auth, &secret, &body.input(), "api")
        .await?;
    Ok(created(e))
}

/// The applicant rates her case once it is closed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/evaluation", operation_id = "rate_case", tag = "evaluation", request_body = RatingBody,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = EvaluationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case of hers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Rated already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`level`, `reasons` or `comment` refused; `case` (`wrong-state`): not closed", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn rate_case(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Response, Problem> {
    let e = state
        .app
        .rate_case(&auth, &id, &body.input(), "api")
        .await?;
    Ok(created(e))
}

/// The follow-ups of poor ratings the caller reaches (her stations', or all for the bureau's duty
/// leaders): open ones first by the day they are due.
#[utoipa::path(get, path = "/api/v1/evaluations/follow-ups", operation_id = "list_follow_ups", tag = "evaluation",
    responses(
        (status = 200, body = Vec<EvaluationView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn follow_ups(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<EvaluationView>>, Problem> {
    let all = state.app.follow_ups(&auth).await?;
    Ok(Json(all.into_iter().map(EvaluationView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBackBody {
    /// What she was told when called back: 10 to 1,000 characters.
    note: String,
}

/// Closes a follow-up with the note of the call-back. Audited.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/call-back", operation_id = "close_follow_up", tag = "evaluation", request_body = CallBackBody,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = EvaluationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`note` too short or too long, or closed already (`wrong-state`)", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn call_back(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CallBackBody>,
) -> Result<Json<EvaluationView>, Problem> {
    let e = state.app.close_follow_up(&auth, &id, &body.note).await?;
    Ok(Json(e.into()))
}

#[derive(Serialize, ToSchema)]
pub struct RatesView {
    /// Ratings by level, best first.
    very_satisfied: u64,
    satisfied: u64,
    fair: u64,
    dissatisfied: u64,
    very_dissatisfied: u64,
    total: u64,
    /// Fair or better, in tenths of a percent; none without ratings.
    satisfaction_permille: Option<u64>,
}

impl From<&Counts> for RatesView {
    fn from(c: &Counts) -> Self {
        let of = |level: Level| {
            let i = Level::ALL.iter().position(|l| *l == level).unwrap_or(0);
            c.0[i]
        };
        RatesView {
            very_satisfied: of(Level::VerySatisfied),
            satisfied: of(Level::Satisfied),
            fair: of(Level::Fair),
            dissatisfied: of(Level::Dissatisfied),
            very_dissatisfied: of(Level::VeryDissatisfied),
            total: c.total(),
            satisfaction_permille: c.satisfaction_permille(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RatesOf {
    /// A station's code (none: the bureau's own cases), a category's code, or a month.
    key: Option<String>,
    rates: RatesView,
}

#[derive(Serialize, ToSchema)]
pub struct SatisfactionView {
    /// The months counted, `YYYY-MM`: the last twelve.
    from: String,
    to: String,
    all: RatesView,
    by_station: Vec<RatesOf>,
    by_service: Vec<RatesOf>,
    by_month: Vec<RatesOf>,
}

/// The public satisfaction rates of the last twelve months: counts only, no names.
#[utoipa::path(get, path = "/api/v1/satisfaction", operation_id = "satisfaction", tag = "evaluation",
    responses((status = 200, body = SatisfactionView)))]
pub async fn satisfaction(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<SatisfactionView>, Problem> {
    let f = state.app.satisfaction(auth.now).await?;
    let of = |list: &[(String, Counts)]| {
        list.iter()
            .map(|(k, c)| RatesOf {
                key: Some(k.clone()),
                rates: c.into(),
            })
            .collect()
    };
    Ok(Json(SatisfactionView {
        all: (&f.all).into(),
        by_station: f
            .by_station
            .iter()
            .map(|(k, c)| RatesOf {
                key: k.clone(),
                rates: c.into(),
            })
            .collect(),
        by_service: of(&f.by_service),
        by_month: of(&f.by_month),
        from: f.from,
        to: f.to,
    }))
}
