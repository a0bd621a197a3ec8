//! Administrators' accounts over the API: list, create staff accounts, change roles, disable.
//! A created account's password and authenticator secret are returned once and never again.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::AppError;
use qiaoyi_app::Reason;
use qiaoyi_app::accounts::{AccountRequest, new_totp_secret, random_hex};
use qiaoyi_app::admin::AccountSummary;
use qiaoyi_app::domain::access::{Action, Grant};
use qiaoyi_app::role_requests::{RoleDecision, RoleRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct AccountView {
    id: String,
    email: String,
    display_name: String,
    /// e.g. `officer:exit-entry`, `station:IT-ROM`, `admin`
    grants: Vec<String>,
    second_factor_enrolled: bool,
    /// Milliseconds since the epoch; 0 or past when not locked.
    locked_until: i64,
    disabled: bool,
    created_at: i64,
    /// Roles asked for it that wait for a second administrator.
    #[serde(skip_serializing_if = "Option::is_none")]
    awaiting_approval: Option<RoleRequestView>,
}

/// Administrator, auditor or care-coordinator roles asked for an account by one administrator, waiting
/// for another.
#[derive(Serialize, ToSchema)]
pub struct RoleRequestView {
    id: String,
    account_id: String,
    account_email: String,
    account_name: String,
    /// The roles asked, e.g. `["admin"]`.
    grants: Vec<String>,
    /// The administrator who asked; she cannot approve it.
    proposed_by: String,
    proposed_by_name: String,
    /// Milliseconds since the epoch.
    proposed_at: i64,
    /// Asked too long ago to be approved: reject it, and ask again if still needed.
    lapsed: bool,
}

impl From<RoleRequest> for RoleRequestView {
    fn from(r: RoleRequest) -> Self {
        RoleRequestView {
            id: r.id,
            account_id: r.account_id,
            account_email: r.account_email,
            account_name: r.account_name,
            grants: r.grants,
            proposed_by: r.proposed_by,
            proposed_by_name: r.proposed_by_name,
            proposed_at: r.proposed_at,
            lapsed: r.lapsed,
        }
    }
}

impl From<AccountSummary> for AccountView {
    fn from(a: AccountSummary) -> Self {
        AccountView {
            id: a.id,
            email: a.email,
            display_name: a.display_name,
            grants: a.grants,
            second_factor_enrolled: a.second_factor_enrolled,
            locked_until: a.locked_until,
            disabled: a.disabled,
            created_at: a.created_at,
            awaiting_approval: a.awaiting.map(RoleRequestView::from),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountPage {
    total: u64,
    offset: u64,
    items: Vec<AccountView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Accounts to skip; default 0.
    #[serde(default)]
    offset: u64,
    /// Accounts to return, 1 to 100; default 50.
    #[serde(default = "default_limit")]
    limit: u64,
}

fn default_limit() -> u64 {
    50
}

fn grants(texts: &[String]) -> Result<Vec<Grant>, AppError> {
    texts
        .iter()
        .map(|t| {
            Grant::parse_text(t).map_err(|message| AppError::Invalid {
                field: "grants",
                reason: Reason::Malformed,
                message,
            })
        })
        .collect()
}

/// Every account, ordered by e-mail address (administrators).
#[utoipa::path(get, path = "/api/v1/users", operation_id = "list_users", tag = "accounts", params(ListParams),
    responses(
        (status = 200, body = AccountPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<AccountPage>, Problem> {
    let page = state.app.accounts(&auth, q.offset, q.limit).await?;
    Ok(Json(AccountPage {
        total: page.total,
        offset: page.offset,
        items: page.items.into_iter().map(AccountView::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountBody {
    email: String,
    display_name: String,
    /// At least one, e.g. `["officer:exit-entry"]`.
    grants: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    account: AccountView,
    /// Shown once: give it to the person, who changes it.
    password: String,
    /// Shown once, for staff: the base32 secret for their authenticator app.
    #[serde(skip_serializing_if = "Option::is_none")]
    totp_secret: Option<String>,
}

/// Creates an account with a generated password (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewAccountBody,
    responses(
        (status = 201, body = CreatedAccount),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address has an account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    request: Request,
) -> Result<(StatusCode, Json<CreatedAccount>), Problem> {
    auth.may(&state.app, Action::ManageUsers).await?;
    let ApiJson(body) = ApiJson::<NewAccountBody>::from_request(request, &()).await?;
    let grants = grants(&body.grants)?;
    let password = random_hex(12);
    let secret = grants
        .iter()
        .any(|g| g.role().is_staff())
        .then(new_totp_secret);
    let request = AccountRequest {
        email: &body.email,
        display_name: &body.display_name,
        password: &password,
        grants,
        language: qiaoyi_app::domain::lang::Lang::Zh,
        confirmed: true,
        totp_secret: secret.clone(),
    };
    let id = state.app.create_account(&auth, request).await?;
    let account = state.app.account(&auth, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedAccount {
            account: account.into(),
            password,
            totp_secret: secret,
        }),
    ))
}

/// One account (administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}", operation_id = "show_user", tag = "accounts", params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), 
        (status = 200, body = AccountView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AccountView>, Problem> {
    let account = state.app.account(&auth, &id).await?;
    Ok(Json(account.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesBody {
    /// The account's roles from now on, e.g. `["officer:exit-entry", "duty_leader"]`.
    grants: Vec<String>,
}

/// Replaces an account's roles (administrators; never one's own). Added administrator, auditor and
/// care-coordinator roles wait for a second administrator (`awaiting_approval`); the rest apply at once.
/// At least one role stays, given or waiting.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "accounts", params(("id" = String, Path)),
    request_body = RolesBody,
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), 
        (status = 200, body = AccountView),
        (status = 403, description = "Not an administrator, or one's own account", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A role or scope is wrong", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn roles(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    request: Request,
) -> Result<Json<AccountView>, Problem> {
    auth.may(&state.app, Action::ManageUsers).await?;
    let ApiJson(body) = ApiJson::<RolesBody>::from_request(request, &()).await?;
    let grants = grants(&body.grants)?;
    let account = state.app.set_grants(&auth, &id, grants).await?;
    Ok(Json(account.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `true` ends the account's sessions and stops it signing in.
    disabled: bool,
}

/// Disables or enables an account (administrators; not one's own).
#[utoipa::path(put, path = "/api/v1/users/{id}/status", operation_id = "set_user_status", tag = "accounts", params(("id" = String, Path)),
    request_body = StatusBody,
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), 
        (status = 200, body = AccountView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "One's own account", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn status(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    request: Request,
) -> Result<Json<AccountView>, Problem> {
    auth.may(&state.app, Action::ManageUsers).await?;
    let ApiJson(body) = ApiJson::<StatusBody>::from_request(request, &()).await?;
    let account = state
        .app
        .set_account_disabled(&auth, &id, body.disabled)
        .await?;
    Ok(Json(account.into()))
}

/// Roles waiting for a second administrator, oldest first (administrators).
#[utoipa::path(get, path = "/api/v1/role-requests", tag = "accounts",
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"),
        (status = 200, body = Vec<RoleRequestView>),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn role_requests(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<RoleRequestView>>, Problem> {
    let requests = state.app.role_requests(&auth).await?;
    Ok(Json(
        requests.into_iter().map(RoleRequestView::from).collect(),
    ))
}

/// Approves waiting roles: the account has them from now on (an administrator who neither asked
/// for them nor receives them; a second factor passed within the last minutes).
#[utoipa::path(post, path = "/api/v1/role-requests/{id}/approve", tag = "accounts",
    params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first, or pass the second factor again", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The account as it is now", body = AccountView),
        (status = 403, description = "Not an administrator, her own request, or roles for herself", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided or replaced meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Lapsed: asked too long ago", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn approve_roles(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AccountView>, Problem> {
    decide(&state, &auth, &id, RoleDecision::Approve).await
}

/// Rejects waiting roles; the account keeps the roles it has.
#[utoipa::path(post, path = "/api/v1/role-requests/{id}/reject", tag = "accounts",
    params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first, or pass the second factor again", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The account as it is now", body = AccountView),
        (status = 403, description = "Not an administrator, her own request, or roles for herself", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided or replaced meanwhile", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn reject_roles(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AccountView>, Problem> {
    decide(&state, &auth, &id, RoleDecision::Reject).await
}

async fn decide(
    state: &AppState,
    auth: &Auth,
    id: &str,
    decision: RoleDecision,
) -> Result<Json<AccountView>, Problem> {
    let account = state.app.decide_role_request(auth, id, decision).await?;
    Ok(Json(account.into()))
}
