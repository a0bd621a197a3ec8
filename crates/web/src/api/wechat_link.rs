//! The signed-in person's WeChat over the API: whether it is linked, linking it with the code the
//! Official Account sent her in WeChat, and unlinking it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::wechat_link::MyWechat;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits, link_limit_key};

#[derive(Serialize, ToSchema)]
pub struct WechatView {
    /// Whether this server has a WeChat Official Account to link to.
    available: bool,
    linked: bool,
    /// When it was linked (milliseconds since the epoch).
    linked_at: Option<i64>,
}

impl From<MyWechat> for WechatView {
    fn from(mine: MyWechat) -> Self {
        WechatView {
            available: mine.available,
            linked: mine.link.is_some(),
            linked_at: mine.link.map(|l| l.linked_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The eight digits the Official Account sent in WeChat after she wrote 绑定 to it; spaces
    /// and dashes between them are allowed.
    code: String,
}

/// Whether the signed-in person's WeChat is linked to her account.
#[utoipa::path(get, path = "/api/v1/me/wechat", tag = "accounts",
    responses(
        (status = 200, body = WechatView),
        (status = 401, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<WechatView>, Problem> {
    Ok(Json(state.app.my_wechat(&auth).await?.into()))
}

/// Links the WeChat that was sent `code` to the signed-in person's account: what she writes there
/// then goes to her consultations, and her open ones from WeChat join her account. At most ten
/// tries an hour per account.
#[utoipa::path(put, path = "/api/v1/me/wechat", tag = "accounts", request_body = LinkBody,
    responses(
        (status = 200, body = WechatView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "This server has no WeChat Official Account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not eight digits (`malformed`), or not a live code (`mismatch`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn link(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Json<WechatView>, Problem> {
    if !state
        .limits
        .allow(Bucket::WechatLink, link_limit_key(&auth))
    {
        return Err(Limits::refused());
    }
    state.app.link_my_wechat(&auth, &body.code).await?;
    Ok(Json(state.app.my_wechat(&auth).await?.into()))
}

/// Unlinks the signed-in person's WeChat.
#[utoipa::path(delete, path = "/api/v1/me/wechat", tag = "accounts",
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No WeChat is linked", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn unlink(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<StatusCode, Problem> {
    state.app.unlink_my_wechat(&auth).await?;
    Ok(StatusCode::NO_CONTENT)
}
