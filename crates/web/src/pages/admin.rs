//! The administrator's accounts pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::accounts::{AccountRequest, new_totp_secret, random_hex};
use qiaoyi_app::domain::access::Grant;
use qiaoyi_app::role_requests::{RoleDecision, RoleRequest};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, page_number, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::pages::grants::GrantNames;

const PER_PAGE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/roles", post(change_roles))
        .route("/admin/users/{id}/status", post(change_status))
        .route(
            "/admin/users/{id}/second-factor/reset",
            post(reset_second_factor),
        )
        .route(
            "/admin/role-requests/{id}/{decision}",
            post(decide_roles_form),
        )
}

struct UserLine {
    id: String,
    disabled: bool,
    email: String,
    name: String,
    roles: String,
    second_factor: bool,
    created: String,
}

/// Shown once after an account is created.
struct Created {
    email: String,
    password: String,
    totp_secret: Option<String>,
    /// Its role waits for a second administrator.
    awaiting: bool,
}

/// Roles waiting for a second administrator, as the pages show them.
struct Awaiting {
    id: String,
    account_id: String,
    account_email: String,
    roles: String,
    by: String,
    at: String,
    lapsed: bool,
    /// Asked by the reader: another administrator decides.
    asked_by_reader: bool,
}

impl Awaiting {
    fn new(p: &Prefs, names: &GrantNames, auth: &Auth, r: RoleRequest) -> Awaiting {
        Awaiting {
            roles: r
                .grants
                .iter()
                .map(|g| names.grant(p, g))
                .collect::<Vec<_>>()
                .join(", "),
            asked_by_reader: auth
                .session
                .as_ref()
                .is_some_and(|s| s.actor.user_id == r.proposed_by),
            by: r.proposed_by_name,
            at: when(r.proposed_at),
            lapsed: r.lapsed,
            id: r.id,
            account_id: r.account_id,
            account_email: r.account_email,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    users: Vec<UserLine>,
    total: u64,
    page: u64,
    pages: u64,
    errors: Vec<FieldError>,
    form: NewUserForm,
    created: Option<Created>,
    roles: Vec<(&'static str, String)>,
    awaiting: Vec<Awaiting>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

async fn users_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    page: u64,
    errors: Vec<FieldError>,
    form: NewUserForm,
    created: Option<Created>,
) -> PageResult {
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let list = state
        .app
        .accounts(auth, offset, PER_PAGE)
        .await
        .for_page(p)?;
    let awaiting = state.app.role_requests(auth).await.for_page(p)?;
    let names = GrantNames::load(state, p).await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = UsersPage {
        title: p.t("admin-users-title"),
        section: "account",
        users: list
            .items
            .into_iter()
            .map(|u| UserLine {
                id: u.id,
                disabled: u.disabled,
                email: u.email,
                name: u.display_name,
                roles: u
                    .grants
                    .iter()
                    .map(|g| names.grant(p, g))
                    .collect::<Vec<_>>()
                    .join(", "),
                second_factor: u.second_factor_enrolled,
                created: when(u.created_at),
            })
            .collect(),
        total: list.total,
        page,
        pages: list.total.div_ceil(PER_PAGE).max(1),
        errors,
        form,
        created,
        awaiting: awaiting
            .into_iter()
            .map(|r| Awaiting::new(p, &names, auth, r))
            .collect(),
        roles: qiaoyi_app::domain::access::Role::ALL
            .iter()
            .map(|r| (r.as_str(), p.t(&format!("role-{}", r.as_str()))))
            .collect(),
        p,
    };
    Ok((status, render(&view)).into_response())
}

async fn users(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    users_page(
        &state,
        &p,
        &auth,
        page_number(q.page.as_deref()),
        Vec::new(),
        NewUserForm::default(),
        None,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<NewUserForm>,
) -> Response {
    let grant = match Grant::parse(form.role.trim(), form.scope.trim()) {
        Ok(grant) => grant,
        Err(message) => {
            let errors = vec![FieldError {
                field: "role",
                message,
            }];
            return users_page(&state, &p, &auth, 1, errors, form, None)
                .await
                .unwrap_or_else(IntoResponse::into_response);
        }
    };
    let password = random_hex(12);
    let secret = grant.role().is_staff().then(new_totp_secret);
    let awaiting = grant.role().needs_second_administrator();
    let request = AccountRequest {
        email: &form.email,
        display_name: &form.name,
        password: &password,
        grants: vec![grant],
        language: p.lang,
        confirmed: true,
        totp_secret: secret.clone(),
    };
    let outcome = state.app.create_account(&auth, request).await;
    let result = match outcome {
        Ok(_) => {
            users_page(
                &state,
                &p,
                &auth,
                1,
                Vec::new(),
                NewUserForm::default(),
                Some(Created {
                    email: form.email.trim().to_lowercase(),
                    password,
                    totp_secret: secret,
                    awaiting,
                }),
            )
            .await
        }
        Err(AppError::Invalid { field: "roles", .. }) => {
            let errors = vec![FieldError {
                field: "role",
                message: p.t("admin-user-error-scope"),
            }];
            users_page(&state, &p, &auth, 1, errors, form, None).await
        }
        Err(AppError::Invalid { field, message, .. }) => {
            let field = if field == "name" {
                "name"
            } else if field == "email" {
                "email"
            } else {
                "role"
            };
            users_page(
                &state,
                &p,
                &auth,
                1,
                vec![FieldError { field, message }],
                form,
                None,
            )
            .await
        }
        Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. })) => {
            let errors = vec![FieldError {
                field: "email",
                message: p.t("admin-users-email-taken"),
            }];
            users_page(&state, &p, &auth, 1, errors, form, None).await
        }
        Err(other) => Err(other).for_page(&p),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    id: String,
    email: String,
    /// (grant as stored, e.g. `officer:exit-entry`; label in the reader's language)
    grants: Vec<(String, String)>,
    second_factor: bool,
    disabled: bool,
    itself: bool,
    errors: Vec<FieldError>,
    form: NewUserForm,
    roles: Vec<(&'static str, String)>,
    awaiting: Option<Awaiting>,
}

async fn user_view(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    errors: Vec<FieldError>,
    form: NewUserForm,
) -> PageResult {
    let account = state.app.account(auth, id).await.for_page(p)?;
    let names = GrantNames::load(state, p).await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = UserPage {
        title: account.display_name.clone(),
        section: "account",
        itself: auth
            .session
            .as_ref()
            .is_some_and(|s| s.actor.user_id == account.id),
        grants: account
            .grants
            .iter()
            .map(|g| (g.clone(), names.grant(p, g)))
            .collect(),
        id: account.id,
        email: account.email,
        second_factor: account.second_factor_enrolled,
        disabled: account.disabled,
        awaiting: account.awaiting.map(|r| Awaiting::new(p, &names, auth, r)),
        errors,
        form,
        roles: qiaoyi_app::domain::access::Role::ALL
            .iter()
            .map(|r| (r.as_str(), p.t(&format!("role-{}", r.as_str()))))
            .collect(),
        p,
    };
    Ok((status, render(&view)).into_response())
}

async fn user_page(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    user_view(&state, &p, &auth, &id, Vec::new(), NewUserForm::default()).await
}

/// Grants a role (`role`, `scope`) or withdraws one (`withdraw` = the grant as listed).
#[derive(Deserialize, Default)]
pub struct RolesForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    withdraw: String,
}

async fn change_roles(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<RolesForm>,
) -> PageResult {
    let account = state.app.account(&auth, &id).await.for_page(&p)?;
    let typed = NewUserForm {
        role: form.role.clone(),
        scope: form.scope.clone(),
        ..NewUserForm::default()
    };
    let mut grants: Vec<Grant> = account
        .grants
        .iter()
        .filter(|g| **g != form.withdraw)
        .filter_map(|g| Grant::parse_text(g).ok())
        .collect();
    if form.withdraw.is_empty() {
        match Grant::parse(form.role.trim(), form.scope.trim()) {
            Ok(grant) => grants.push(grant),
            Err(_) => {
                let errors = vec![FieldError {
                    field: "role",
                    message: p.t("admin-user-error-role"),
                }];
                return user_view(&state, &p, &auth, &id, errors, typed).await;
            }
        }
    }
    match state.app.set_grants(&auth, &id, grants).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid { reason, .. }) => {
            let key = match reason {
                Reason::LastRole => "admin-user-error-last-role",
                _ => "admin-user-error-scope",
            };
            let errors = vec![FieldError {
                field: "role",
                message: p.t(key),
            }];
            user_view(&state, &p, &auth, &id, errors, typed).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// The account a role request is for, to come back to it.
#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    account: String,
}

/// `/admin/role-requests/{id}/approve` or `…/reject`.
async fn decide_roles_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> PageResult {
    let decision = match decision.as_str() {
        "approve" => RoleDecision::Approve,
        "reject" => RoleDecision::Reject,
        _ => return Err(AppError::NotFound("this page".into())).for_page(&p),
    };
    decide_roles(&state, &p, &auth, &id, &form.account, decision).await
}

/// Decides a request and goes back to its account; a lapsed request or one decided meanwhile is
/// said on the account's page.
async fn decide_roles(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    account: &str,
    decision: RoleDecision,
) -> PageResult {
    let key = match state.app.decide_role_request(auth, id, decision).await {
        Ok(account) => {
            return Ok(Redirect::to(&format!("/admin/users/{}", account.id)).into_response());
        }
        Err(AppError::Invalid {
            reason: Reason::Lapsed,
            ..
        }) => "admin-awaiting-lapsed",
        Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. })) => "admin-awaiting-decided",
        Err(other) => return Err(other).for_page(p),
    };
    let errors = vec![FieldError {
        field: "awaiting",
        message: p.t(key),
    }];
    user_view(state, p, auth, account, errors, NewUserForm::default()).await
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    disabled: String,
}

async fn change_status(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> PageResult {
    let disabled = form.disabled == "1";
    match state.app.set_account_disabled(&auth, &id, disabled).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid { .. }) => {
            let errors = vec![FieldError {
                field: "status",
                message: p.t("admin-user-error-own-disable"),
            }];
            user_view(&state, &p, &auth, &id, errors, NewUserForm::default()).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Deserialize)]
pub struct SecondFactorResetForm {
    #[serde(default)]
    reason: String,
}

/// Resets the authenticator of someone who lost hers, with the reason.
async fn reset_second_factor(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<SecondFactorResetForm>,
) -> PageResult {
    match state
        .app
        .reset_second_factor(&auth, &id, &form.reason)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid { .. }) => {
            let errors = vec![FieldError {
                field: "reason",
                message: p.t("admin-second-factor-reset-reason-missing"),
            }];
            user_view(&state, &p, &auth, &id, errors, NewUserForm::default()).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}
