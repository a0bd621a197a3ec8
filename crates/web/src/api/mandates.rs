//! Mandates (代办) over the API: an agent asks, the principal confirms (or the agent with the code
//! the principal was sent), either revokes; cases and payments made under one are listed with it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use qiaoyi_app::domain::mandates::MandateDocument;
use qiaoyi_app::mandates::{Mandate, MandateDetail, MandateRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::fees::EntryView;
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
pub struct MandateBody {
    /// The e-mail address of the principal's (applicant) account.
    principal_email: String,
    /// What the principal is to the agent: `parent`, `spouse`, `child`, `grandparent`,
    /// `grandchild`, `sibling` or `other` (stations and consultants).
    relation: String,
    /// Item codes from the catalogue, e.g. `["EE-01"]`; at least one.
    items: Vec<String>,
    /// `YYYY-MM-DD`, today or later.
    valid_from: String,
    /// `YYYY-MM-DD`, at most two years after `valid_from`.
    valid_to: String,
    /// What shows the agent may act, e.g. a notarised power of attorney and its number.
    evidence: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartyView {
    id: String,
    email: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MandateView {
    id: String,
    principal: PartyView,
    agent: PartyView,
    /// The role the agent acts in: `applicant` (a relative), `station` or `consultant`.
    agent_role: &'static str,
    relation: &'static str,
    items: Vec<String>,
    valid_from: String,
    valid_to: String,
    evidence: String,
    /// `pending`, `confirmed` or `revoked`.
    state: &'static str,
    /// Whether it allows acting today (confirmed, not revoked, within its period).
    usable_today: bool,
    /// When not usable today: why (`not-confirmed`, `revoked`, `not-yet-valid`, `expired`).
    refusal: Option<&'static str>,
    /// Milliseconds since 1970 (UTC).
    created_at: i64,
    confirmed_at: Option<i64>,
    /// `account` (by the principal) or `code` (by the agent with the principal's code).
    confirmed_how: Option<String>,
    revoked_at: Option<i64>,
    revoke_reason: String,
    /// Revoked by no one: the agent's confirmation code was wrong too many times, so the request
    /// was cancelled and the principal told. `revoke_reason` is empty then.
    lapsed: bool,
}

impl MandateView {
    fn new(m: &Mandate, now: i64) -> Self {
        let usable = m.usable(now);
        MandateView {
            id: m.id.clone(),
            principal: PartyView {
                id: m.principal.id.clone(),
                email: m.principal.email.clone(),
                name: m.principal.name.clone(),
            },
            agent: PartyView {
                id: m.agent.id.clone(),
                email: m.agent.email.clone(),
                name: m.agent.name.clone(),
            },
            agent_role: m.agent_role.as_str(),
            relation: m.relation.as_str(),
            items: m.terms.items.iter().map(|i| i.to_string()).collect(),
            valid_from: m.terms.valid_from.to_string(),
            valid_to: m.terms.valid_to.to_string(),
            evidence: m.evidence.clone(),
            state: m.state().as_str(),
            usable_today: usable.is_ok(),
            refusal: usable.err().map(|r| r.code()),
            created_at: m.created_at,
            confirmed_at: m.confirmed_at,
            confirmed_how: m.confirmed_how.clone(),
            revoked_at: m.revoked_at,
            revoke_reason: m.revoke_reason.clone(),
            lapsed: m.lapsed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MandateCaseView {
    id: String,
    number: String,
    item: String,
    state: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct MandateDetailView {
    mandate: MandateView,
    /// Cases filed under it, newest first (at most 100).
    cases: Vec<MandateCaseView>,
    /// Payments made under it (代缴), newest first (at most 100).
    payments: Vec<EntryView>,
    /// The documents behind it, oldest first; download from
    /// `/api/v1/mandates/{id}/documents/{document}`.
    documents: Vec<MandateDocumentView>,
}

#[derive(Serialize, ToSchema)]
pub struct MandateDocumentView {
    id: String,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    uploaded_by: String,
    uploaded_at: i64,
}

impl From<&MandateDocument> for MandateDocumentView {
    fn from(d: &MandateDocument) -> Self {
        MandateDocumentView {
            id: d.id.clone(),
            file_name: d.file_name.clone(),
            media_type: d.media_type.as_str().into(),
            size: d.size,
            sha256: d.sha256.clone(),
            uploaded_by: d.uploaded_by.clone(),
            uploaded_at: d.uploaded_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// The file's name, whose extension must match its content (`.pdf`, `.jpg`, `.png`).
    name: String,
}

impl MandateDetailView {
    fn new(d: &MandateDetail, now: i64) -> Self {
        MandateDetailView {
            mandate: MandateView::new(&d.mandate, now),
            cases: d
                .cases
                .iter()
                .map(|c| MandateCaseView {
                    id: c.id.clone(),
                    number: c.number.clone(),
                    item: c.item.code.to_string(),
                    state: c.state.as_str(),
                })
                .collect(),
            payments: d.payments.iter().map(EntryView::from).collect(),
            documents: d.documents.iter().map(MandateDocumentView::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MandatePage {
    total: u64,
    offset: u64,
    items: Vec<MandateView>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MandateQuery {
    #[serde(default)]
    offset: u64,
    /// 1 to 100; 20 when left out.
    limit: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
pub struct ConfirmBody {
    /// Left out by the principal confirming from her own account; the agent sends the six-digit
    /// code the principal was sent.
    #[serde(default)]
    code: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MandateRevokeBody {
    /// Why, 4 to 500 characters.
    reason: String,
}

/// The mandates you granted or hold, newest first.
#[utoipa::path(get, path = "/api/v1/mandates", operation_id = "list_mandates", tag = "mandates", params(MandateQuery),
    responses(
        (status = 200, body = MandatePage),
        (status = 401, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<MandateQuery>,
) -> Result<Json<MandatePage>, Problem> {
    let now = auth.now;
    let page = state
        .app
        .my_mandates(&auth, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(MandatePage {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .iter()
            .map(|m| MandateView::new(m, now))
            .collect(),
    }))
}

/// Ask a principal for a mandate to act for her. It is pending until she confirms it; she is sent
/// the request with a code.
#[utoipa::path(post, path = "/api/v1/mandates", operation_id = "request_mandate", tag = "mandates", request_body = MandateBody,
    responses(
        (status = 201, body = MandateView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn request(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<MandateBody>,
) -> Result<(StatusCode, Json<MandateView>), Problem> {
    let now = auth.now;
    let request = MandateRequest {
        principal_email: body.principal_email,
        relation: body.relation,
        items: body.items,
        valid_from: body.valid_from,
        valid_to: body.valid_to,
        evidence: body.evidence,
    };
    let mandate = state.app.request_mandate(&auth, &request).await?;
    Ok((StatusCode::CREATED, Json(MandateView::new(&mandate, now))))
}

/// A mandate with the cases filed and payments made under it: for its principal, its agent, and
/// staff who may read the principal's file.
#[utoipa::path(get, path = "/api/v1/mandates/{id}", operation_id = "show_mandate", tag = "mandates",
    params(("id" = String, Path, description = "The mandate's id")),
    responses(
        (status = 200, body = MandateDetailView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MandateDetailView>, Problem> {
    let now = auth.now;
    let detail = state.app.mandate(&auth, &id).await?;
    Ok(Json(MandateDetailView::new(&detail, now)))
}

/// Confirm a pending mandate: the principal without a code, or the agent with the principal's
/// code. A wrong code is refused and audited; after five a new one is sent to the principal.
#[utoipa::path(post, path = "/api/v1/mandates/{id}/confirm", operation_id = "confirm_mandate", tag = "mandates", request_body = ConfirmBody,
    params(("id" = String, Path, description = "The mandate's id")),
    responses(
        (status = 200, body = MandateView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A wrong code (`field: code`) or a mandate no longer pending", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<Json<MandateView>, Problem> {
    let now = auth.now;
    let mandate = state.app.confirm_mandate(&auth, &id, &body.code).await?;
    Ok(Json(MandateView::new(&mandate, now)))
}

/// Revoke a mandate (the principal or the agent). What was done under it stays.
#[utoipa::path(post, path = "/api/v1/mandates/{id}/revoke", operation_id = "revoke_mandate", tag = "mandates", request_body = MandateRevokeBody,
    params(("id" = String, Path, description = "The mandate's id")),
    responses(
        (status = 200, body = MandateView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or already revoked", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MandateRevokeBody>,
) -> Result<Json<MandateView>, Problem> {
    let now = auth.now;
    let mandate = state.app.revoke_mandate(&auth, &id, &body.reason).await?;
    Ok(Json(MandateView::new(&mandate, now)))
}

/// Add a document behind a mandate (the principal or the agent, until it is revoked): a PDF, JPEG
/// or PNG, recognised by its content; the body is the file's bytes.
#[utoipa::path(post, path = "/api/v1/mandates/{id}/documents", operation_id = "add_mandate_document", tag = "mandates",
    params(("id" = String, Path, description = "The mandate's id"), DocumentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = MandateDocumentView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too large, not PDF/JPEG/PNG, not what its name says, or the mandate is revoked", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_document(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<MandateDocumentView>), Problem> {
    let d = state
        .app
        .add_mandate_document(&auth, &id, &q.name, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(MandateDocumentView::from(&d))))
}

/// Download a document behind a mandate, always as an attachment.
#[utoipa::path(get, path = "/api/v1/mandates/{id}/documents/{document}", tag = "mandates",
    params(("id" = String, Path, description = "The mandate's id"),
           ("document" = String, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn document(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, document)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    let (d, content) = state.app.mandate_document(&auth, &id, &document).await?;
    Ok(super::attachment(
        d.media_type.as_str(),
        &d.file_name,
        content,
    ))
}
