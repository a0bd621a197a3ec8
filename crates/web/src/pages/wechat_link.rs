//! The account's WeChat page: how to link her WeChat (write 绑定 to the Official Account, type the
//! code it sends), the link when there is one, and unlinking.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::rate_limit::{Bucket, link_limit_key};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/wechat", get(show).post(link))
        .route("/account/wechat/unlink", post(unlink))
}

#[derive(Template)]
#[template(path = "account_wechat.html")]
struct WechatPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    available: bool,
    /// When her WeChat was linked, as the page writes times.
    linked_at: Option<String>,
    errors: Vec<FieldError>,
    code: String,
    /// After linking: how many of her open consultations from WeChat joined her account.
    joined: Option<u64>,
    unlinked: bool,
}

#[derive(Deserialize, Default)]
pub struct ShownQuery {
    joined: Option<u64>,
    unlinked: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    code: String,
    query: ShownQuery,
) -> PageResult {
    let mine = state.app.my_wechat(auth).await.for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = WechatPage {
        title: p.t("wechat-title"),
        section: "account",
        available: mine.available,
        linked_at: mine.link.map(|l| when(l.linked_at)),
        errors,
        code,
        joined: query.joined,
        unlinked: query.unlinked.is_some(),
        p,
    };
    Ok((status, render(&view)).into_response())
}

async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(query): Query<ShownQuery>,
) -> PageResult {
    page(&state, &p, &auth, Vec::new(), String::new(), query).await
}

async fn link(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<CodeForm>,
) -> PageResult {
    if !state
        .limits
        .allow(Bucket::WechatLink, link_limit_key(&auth))
    {
        return Ok(super::too_many(&p));
    }
    match state.app.link_my_wechat(&auth, &form.code).await {
        Ok(linked) => Ok(
            Redirect::to(&format!("/account/wechat?joined={}", linked.consultations))
                .into_response(),
        ),
        Err(AppError::Invalid { reason, .. }) => {
            let key = match reason {
                Reason::Mismatch => "wechat-code-mismatch",
                _ => "wechat-code-malformed",
            };
            let errors = vec![FieldError {
                field: "code",
                message: p.t(key),
            }];
            page(&state, &p, &auth, errors, form.code, ShownQuery::default()).await
        }
        Err(e) => Err(e).for_page(&p),
    }
}

async fn unlink(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    state.app.unlink_my_wechat(&auth).await.for_page(&p)?;
    Ok(Redirect::to("/account/wechat?unlinked=1").into_response())
}
