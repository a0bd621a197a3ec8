//! The administrators' page of API tokens: the list with each token's state and last use, the
//! form that makes one (its secret shown once), and revoking.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::api_tokens::TokenRequest;
use qiaoyi_app::domain::access::api_tokens::{self, MAX_DAYS};
use qiaoyi_app::domain::access::{Grant, Role};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, page_number, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::pages::grants::GrantNames;

const PER_PAGE: u64 = 50;
/// What the form offers until the administrator chooses.
const DEFAULT_DAYS: &str = "90";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api-tokens", get(tokens).post(create))
        .route("/admin/api-tokens/{id}/revoke", post(revoke))
}

struct TokenLine {
    id: String,
    service: String,
    name: String,
    role: String,
    /// `active`, `expired` or `revoked`: also the key of its words.
    state: &'static str,
    state_label: String,
    /// When and by whom it was made.
    made: String,
    /// Until when it is in force.
    until: String,
    last_used: String,
    last_used_from: String,
}

/// Shown once after a token is made.
struct Created {
    message: String,
    secret: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

#[derive(Deserialize, Clone)]
pub struct NewTokenForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
}

impl Default for NewTokenForm {
    fn default() -> Self {
        NewTokenForm {
            service: String::new(),
            name: String::new(),
            role: Role::Station.as_str().to_owned(),
            scope: String::new(),
            days: DEFAULT_DAYS.to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_api_tokens.html")]
struct TokensPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    tokens: Vec<TokenLine>,
    total: u64,
    page: u64,
    pages: u64,
    errors: Vec<FieldError>,
    form: NewTokenForm,
    created: Option<Created>,
    roles: Vec<(&'static str, String)>,
    max_days: u32,
}

async fn tokens_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    page: u64,
    errors: Vec<FieldError>,
    form: NewTokenForm,
    created: Option<Created>,
) -> PageResult {
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let list = state
        .app
        .api_tokens(auth, offset, PER_PAGE)
        .await
        .for_page(p)?;
    let names = GrantNames::load(state, p).await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = TokensPage {
        title: p.t("tokens-title"),
        section: "account",
        tokens: list
            .items
            .into_iter()
            .map(|t| TokenLine {
                state: t.state(auth.now).as_str(),
                state_label: p.t(&format!("tokens-state-{}", t.state(auth.now).as_str())),
                role: names.grant(p, &t.grant.to_string()),
                made: p.t2(
                    "tokens-made",
                    ("date", when(t.created_at)),
                    ("name", t.created_by_name),
                ),
                until: p.t1("tokens-until", "date", when(t.expires_at)),
                last_used: t.last_used_at.map(when).unwrap_or_default(),
                last_used_from: t.last_used_from,
                id: t.id,
                service: t.service,
                name: t.name,
            })
            .collect(),
        total: list.total,
        page,
        pages: list.total.div_ceil(PER_PAGE).max(1),
        errors,
        form,
        created,
        roles: Role::ALL
            .into_iter()
            .filter(|r| api_tokens::role_allowed(*r))
            .map(|r| (r.as_str(), p.t(&format!("role-{}", r.as_str()))))
            .collect(),
        max_days: MAX_DAYS,
        p,
    };
    Ok((status, render(&view)).into_response())
}

async fn tokens(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = page_number(q.page.as_deref());
    tokens_page(
        &state,
        &p,
        &auth,
        page,
        Vec::new(),
        NewTokenForm::default(),
        None,
    )
    .await
}

/// The form's fields read, or the mistakes to show beside them.
fn read_form(p: &Prefs, form: &NewTokenForm) -> Result<(Grant, u32), Vec<FieldError>> {
    let mut errors = Vec::new();
    let grant = Grant::parse(form.role.trim(), form.scope.trim())
        .map_err(|message| {
            errors.push(FieldError {
                field: "scope",
                message,
            })
        })
        .ok();
    let days = form
        .days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d));
    if days.is_none() {
        errors.push(FieldError {
            field: "days",
            message: p.t1("tokens-error-days", "days", MAX_DAYS),
        });
    }
    match (grant, days) {
        (Some(grant), Some(days)) => Ok((grant, days)),
        _ => Err(errors),
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<NewTokenForm>,
) -> Response {
    let (grant, days) = match read_form(&p, &form) {
        Ok(read) => read,
        Err(errors) => {
            return tokens_page(&state, &p, &auth, 1, errors, form, None)
                .await
                .unwrap_or_else(IntoResponse::into_response);
        }
    };
    let request = TokenRequest {
        service: &form.service,
        name: &form.name,
        grant,
        days,
    };
    let result = match state.app.create_api_token(&auth, request).await {
        Ok(issued) => {
            let created = Created {
                message: p.t2(
                    "tokens-created",
                    ("item", issued.token.service),
                    ("name", issued.token.name),
                ),
                secret: issued.secret,
            };
            tokens_page(
                &state,
                &p,
                &auth,
                1,
                Vec::new(),
                NewTokenForm::default(),
                Some(created),
            )
            .await
        }
        Err(AppError::Invalid { field, reason, .. }) => {
            let (field, key) = match (field, reason) {
                ("service", _) => ("service", "tokens-error-service"),
                ("name", _) => ("name", "tokens-error-name"),
                ("days", _) => ("days", "tokens-error-days"),
                (_, Reason::RoleNotAllowed) => ("role", "tokens-error-role"),
                _ => ("scope", "admin-user-error-scope"),
            };
            let errors = vec![FieldError {
                field,
                message: p.t1(key, "days", MAX_DAYS),
            }];
            tokens_page(&state, &p, &auth, 1, errors, form, None).await
        }
        Err(other) => Err(other).for_page(&p),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn revoke(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    state.app.revoke_api_token(&auth, &id).await.for_page(&p)?;
    Ok(Redirect::to("/admin/api-tokens").into_response())
}
