//! The green channel over the API: ask for it on a case (with evidence sent as raw bodies after),
//! the duty leaders' board, one request, decisions, evidence downloads.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use qiaoyi_app::domain::green_channel::GreenRequest;
use qiaoyi_app::green_channel::{GreenDecisionInput, GreenRequestInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::{attachment, resolve};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GreenRequestBody {
    /// `bereavement`, `illness`, `deadline` or `other`.
    ground: String,
    /// What happened, 10 to 2,000 characters.
    statement: String,
}

#[derive(Serialize, ToSchema)]
pub struct GreenRequestView {
    id: String,
    case_id: String,
    case_number: String,
    item: String,
    ground: String,
    statement: String,
    requested_by: String,
    /// The role the request was made in: applicant, station, officer, consultant.
    requested_role: String,
    /// Milliseconds since 1970 (UTC).
    requested_at: i64,
    /// `requested`, `approved` or `refused`.
    state: String,
    escalated_at: Option<i64>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    /// Approved: working days granted and the day the case is due (Beijing).
    days: Option<i64>,
    due_on: Option<String>,
    /// Refused: why.
    reason: String,
    /// How many pieces of evidence; each is `GET .../evidence/{1..=n}`.
    evidence: i64,
}

impl From<GreenRequest> for GreenRequestView {
    fn from(g: GreenRequest) -> Self {
        GreenRequestView {
            id: g.id,
            case_id: g.case_id,
            case_number: g.case_number,
            item: g.item_code,
            ground: g.ground.as_str().into(),
            statement: g.statement,
            requested_by: g.requested_by_name,
            requested_role: g
                .requested_role
                .map(|r| r.as_str())
                .unwrap_or_default()
                .into(),
            requested_at: g.requested_at,
            state: g.state.as_str().into(),
            escalated_at: g.escalated_at,
            decided_by: g.decided_by,
            decided_at: g.decided_at,
            days: g.days,
            due_on: g.due_on.map(|d| d.to_string()),
            reason: g.reason,
            evidence: g.evidence,
        }
    }
}

/// Ask for the green channel on a case: its applicant's side, its station or an officer of its
/// category. Duty leaders are told at once.
#[utoipa::path(post, path = "/api/v1/cases/{id}/green-channel", operation_id = "request_green_channel", tag = "green-channel",
    params(("id" = String, Path, description = "Case id or number")),
    request_body = GreenRequestBody,
    responses(
        (status = 201, body = GreenRequestView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case has a request waiting already", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn request(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<GreenRequestBody>,
) -> Result<(StatusCode, Json<GreenRequestView>), Problem> {
    let id = resolve(&state, &id).await?;
    let input = GreenRequestInput {
        ground: body.ground,
        statement: body.statement,
    };
    let made = state
        .app
        .request_green_channel(&auth, &id, &input, None)
        .await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NameQuery {
    /// The file's name, e.g. `death-certificate.pdf`.
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceAdded {
    /// The evidence's number on its request.
    seq: i64,
}

/// Add evidence (a PDF, JPEG or PNG, as the raw body) to a request waiting for its decision.
#[utoipa::path(post, path = "/api/v1/green-channel/{id}/evidence", tag = "green-channel",
    params(("id" = String, Path), NameQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = EvidenceAdded),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_evidence(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<NameQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<EvidenceAdded>), Problem> {
    let seq = state
        .app
        .add_green_evidence(&auth, &id, &q.name, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(EvidenceAdded { seq })))
}

/// One piece of evidence, as an attachment: for those who may read the case, and duty leaders.
#[utoipa::path(get, path = "/api/v1/green-channel/{id}/evidence/{seq}", tag = "green-channel",
    params(("id" = String, Path), ("seq" = i64, Path)),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn evidence(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, seq)): ApiPath<(String, i64)>,
) -> Result<Response, Problem> {
    let (row, content) = state.app.green_evidence(&auth, &id, seq).await?;
    Ok(attachment(row.media_type.as_str(), &row.file_name, content))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/green-channel/{id}", operation_id = "show_green_request", tag = "green-channel",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = GreenRequestView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GreenRequestView>, Problem> {
    let (listing, _) = state.app.green_request(&auth, &id).await?;
    Ok(Json(listing.into()))
}

#[derive(Serialize, ToSchema)]
pub struct WaitingView {
    request: GreenRequestView,
    /// Whole minutes before it escalates to every duty leader; zero or less once it has.
    minutes_left: i64,
    escalated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BoardView {
    /// Oldest first.
    waiting: Vec<WaitingView>,
    /// The latest decisions, newest first.
    decided: Vec<GreenRequestView>,
}

/// The duty leaders' board.
#[utoipa::path(get, path = "/api/v1/green-channel", tag = "green-channel",
    responses(
        (status = 200, body = BoardView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn board(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<BoardView>, Problem> {
    let board = state.app.green_board(&auth).await?;
    Ok(Json(BoardView {
        waiting: board
            .waiting
            .into_iter()
            .map(|w| WaitingView {
                minutes_left: w.minutes_left,
                escalated: w.escalated,
                request: w.request.into(),
            })
            .collect(),
        decided: board.decided.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `approve` or `refuse`.
    decision: String,
    /// Approve: working days granted, 1 to 10 (the item's default when left out).
    #[serde(default)]
    days: Option<i64>,
    /// Refuse: the reason shown to the applicant, 5 to 500 characters.
    #[serde(default)]
    reason: String,
}

/// Approve or refuse a waiting request (duty leaders, with a second factor passed in the last
/// minutes; 403 `fresh-second-factor` otherwise).
#[utoipa::path(post, path = "/api/v1/green-channel/{id}/decision", tag = "green-channel",
    params(("id" = String, Path)),
    request_body = DecisionBody,
    responses(
        (status = 200, body = GreenRequestView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn decide(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<GreenRequestView>, Problem> {
    let input = GreenDecisionInput {
        decision: body.decision,
        days: body.days,
        reason: body.reason,
    };
    let decided = state.app.decide_green_channel(&auth, &id, &input).await?;
    Ok(Json(decided.into()))
}
