//! API tokens over the API: administrators list, make and revoke the tokens other systems call
//! with. A new token's secret is returned once and never again.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::AppError;
use qiaoyi_app::Reason;
use qiaoyi_app::api_tokens::TokenRequest;
use qiaoyi_app::domain::access::Grant;
use qiaoyi_app::domain::access::api_tokens::ApiToken;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct ApiTokenView {
    id: String,
    /// The system it is for, e.g. "Milan station kiosk".
    service: String,
    name: String,
    /// Its one role with the scope, e.g. `station:IT-MIL`.
    grant: String,
    /// `active`, `expired` or `revoked`.
    state: &'static str,
    /// The administrator who made it; empty when made otherwise.
    created_by: String,
    created_by_name: String,
    /// Milliseconds since the epoch.
    created_at: i64,
    expires_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<i64>,
    /// Noted at most once a minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used_at: Option<i64>,
    /// The client address of that use.
    last_used_from: String,
}

impl ApiTokenView {
    fn new(token: ApiToken, now: i64) -> Self {
        ApiTokenView {
            state: token.state(now).as_str(),
            grant: token.grant.to_string(),
            id: token.id,
            service: token.service,
            name: token.name,
            created_by: token.created_by,
            created_by_name: token.created_by_name,
            created_at: token.created_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
            last_used_at: token.last_used_at,
            last_used_from: token.last_used_from,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenPage {
    total: u64,
    offset: u64,
    items: Vec<ApiTokenView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenListParams {
    /// Tokens to skip; default 0.
    #[serde(default)]
    offset: u64,
    /// Tokens to return, 1 to 100; default 50.
    #[serde(default = "default_limit")]
    limit: u64,
}

fn default_limit() -> u64 {
    50
}

/// Every API token, the newest first (administrators, with a second factor passed in the last
/// minutes).
#[utoipa::path(get, path = "/api/v1/api-tokens", operation_id = "list_api_tokens", tag = "accounts",
    params(TokenListParams),
    responses(
        (status = 200, body = ApiTokenPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<TokenListParams>,
) -> Result<Json<ApiTokenPage>, Problem> {
    let page = state.app.api_tokens(&auth, q.offset, q.limit).await?;
    Ok(Json(ApiTokenPage {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .into_iter()
            .map(|t| ApiTokenView::new(t, auth.now))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiTokenBody {
    /// The service account: the system it is for, 1 to 80 characters.
    service: String,
    /// This token's name, 1 to 80 characters.
    name: String,
    /// One role with its scope: `station:IT-MIL`, `officer:exit-entry`, `duty_leader` or
    /// `consultant`.
    grant: String,
    /// Days until it expires, 1 to 366.
    days: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    token: ApiTokenView,
    /// Shown once: the system sends it as `Authorization: Bearer …`.
    secret: String,
}

/// Makes an API token for a service account (administrators, with a second factor passed in the
/// last minutes).
#[utoipa::path(post, path = "/api/v1/api-tokens", operation_id = "create_api_token", tag = "accounts",
    request_body = NewApiTokenBody,
    responses(
        (status = 201, body = CreatedApiToken),
        (status = 401, description = "Sign in first, or pass the second factor again", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    request: Request,
) -> Result<(StatusCode, Json<CreatedApiToken>), Problem> {
    auth.may(
        &state.app,
        qiaoyi_app::domain::access::Action::ManageApiTokens,
    )
    .await?;
    let ApiJson(body) = ApiJson::<NewApiTokenBody>::from_request(request, &()).await?;
    let grant = Grant::parse_text(&body.grant).map_err(|message| AppError::Invalid {
        field: "grant",
        reason: Reason::Malformed,
        message,
    })?;
    let issued = state
        .app
        .create_api_token(
            &auth,
            TokenRequest {
                service: &body.service,
                name: &body.name,
                grant,
                days: body.days,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiToken {
            token: ApiTokenView::new(issued.token, auth.now),
            secret: issued.secret,
        }),
    ))
}

/// Revokes an API token at once: its next request is refused (administrators, with a second
/// factor passed in the last minutes).
#[utoipa::path(post, path = "/api/v1/api-tokens/{id}/revoke", operation_id = "revoke_api_token", tag = "accounts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The token as it is now", body = ApiTokenView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ApiTokenView>, Problem> {
    let token = state.app.revoke_api_token(&auth, &id).await?;
    Ok(Json(ApiTokenView::new(token, auth.now)))
}
