//! `/wechat/callback`: the message server of the bureau's WeChat Official Account, in safe mode.
//! WeChat checks the address with a signed GET and then posts each message to it; what is
//! checked, kept and answered is `qiaoyi_app::wechat`'s. A refusal is problem JSON with a 4xx:
//! 403 for an unsigned, stale or replayed request, 400 for one that is not WeChat's XML, 404
//! when no account is configured.

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::wechat::CallbackQuery;
use qiaoyi_domain::wechat::MAX_BODY;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/wechat/callback",
        get(check_address)
            .post(callback)
            .layer(DefaultBodyLimit::max(MAX_BODY)),
    )
}

/// The query as WeChat sends it; a missing part is empty, and refused by the signature check.
#[derive(Deserialize, Default)]
struct Params {
    #[serde(default)]
    signature: String,
    #[serde(default)]
    timestamp: String,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    msg_signature: String,
    #[serde(default)]
    echostr: String,
}

impl From<Params> for CallbackQuery {
    fn from(p: Params) -> CallbackQuery {
        CallbackQuery {
            signature: p.signature,
            timestamp: p.timestamp,
            nonce: p.nonce,
            msg_signature: p.msg_signature,
            echostr: p.echostr,
        }
    }
}

async fn check_address(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Query(params): Query<Params>,
) -> Result<Response, Problem> {
    let echo = state.app.wechat_check_address(&params.into(), auth.now)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], echo).into_response())
}

async fn callback(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Query(params): Query<Params>,
    body: String,
) -> Result<Response, Problem> {
    let answer = state
        .app
        .wechat_callback(&auth, &params.into(), &body)
        .await?;
    let kind = if answer.starts_with('<') {
        "application/xml; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, kind)], answer).into_response())
}
