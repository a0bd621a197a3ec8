//! Notifications over the API: the signed-in person's choices, and for administrators the messages
//! by state with a way to send a dead one again.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::notify::OutboxMessage;
use qiaoyi_app::reminders::{MyNotifications, SettingsForm};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choices {
    email_enabled: bool,
    sms_enabled: bool,
    /// E.164 with the country code, e.g. `+393331234567`; required when `sms_enabled`.
    #[serde(default)]
    sms_number: Option<String>,
    /// Passport reminders about one's own passport.
    own_reminders: bool,
    /// Passport reminders about the family members one keeps on file.
    family_reminders: bool,
    /// The language messages are written in: `zh-CN`, `en`, `it` or `es`; left out, it stays.
    #[serde(default)]
    language: Option<String>,
    /// Notices to her linked WeChat too, as template messages (offered once her WeChat is linked,
    /// `PUT /api/v1/me/wechat`, on a server that sends them); left out, false.
    #[serde(default)]
    wechat_enabled: bool,
}

impl From<MyNotifications> for Choices {
    fn from(mine: MyNotifications) -> Self {
        let s = mine.settings;
        Choices {
            language: Some(mine.language.tag().to_owned()),
            email_enabled: s.email_enabled,
            sms_enabled: s.sms_enabled,
            sms_number: s.sms_number,
            own_reminders: s.own_reminders,
            family_reminders: s.family_reminders,
            wechat_enabled: mine.wechat == Some(true),
        }
    }
}

/// How the signed-in person is told of their cases and passports.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "accounts",
    responses(
        (status = 200, body = Choices),
        (status = 401, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn choices(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Choices>, Problem> {
    let settings = state.app.my_notification_settings(&auth).await?;
    Ok(Json(settings.into()))
}

/// Replaces the signed-in person's choices. Security messages always go by e-mail.
#[utoipa::path(put, path = "/api/v1/me/notifications", tag = "accounts", request_body = Choices,
    responses(
        (status = 200, body = Choices),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad number, or no channel at all; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn save(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    request: Request,
) -> Result<Json<Choices>, Problem> {
    if auth.session.is_none() {
        return Err(AppError::Unauthenticated.into());
    }
    let ApiJson(body) = ApiJson::<Choices>::from_request(request, &()).await?;
    let form = SettingsForm {
        email_enabled: body.email_enabled,
        sms_enabled: body.sms_enabled,
        sms_number: body.sms_number.unwrap_or_default(),
        own_reminders: body.own_reminders,
        family_reminders: body.family_reminders,
        language: body.language.unwrap_or_default(),
        wechat_enabled: body.wechat_enabled,
    };
    let saved = state
        .app
        .save_my_notification_settings(&auth, &form)
        .await?;
    Ok(Json(saved.into()))
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    id: String,
    channel: String,
    /// The recipient's address or number.
    recipient: String,
    language: String,
    template: String,
    status: String,
    attempts: i64,
    created_at: i64,
    /// When a waiting message is tried next (milliseconds since the epoch).
    next_attempt_at: i64,
    sent_at: Option<i64>,
    last_error: Option<String>,
}

impl From<OutboxMessage> for MessageView {
    fn from(m: OutboxMessage) -> Self {
        MessageView {
            id: m.id,
            channel: m.channel,
            recipient: m.recipient,
            language: m.language,
            template: m.template,
            status: m.status.as_str().into(),
            attempts: m.attempts,
            created_at: m.created_at,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
            last_error: m.last_error,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    total: u64,
    offset: u64,
    items: Vec<MessageView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    /// `pending`, `sent` or `dead` (default).
    #[serde(default = "default_status")]
    status: String,
    #[serde(default)]
    offset: u64,
    /// 1 to 100; default 50.
    #[serde(default = "default_limit")]
    limit: u64,
}

fn default_status() -> String {
    "dead".into()
}

fn default_limit() -> u64 {
    50
}

/// Messages in one state, newest first (administrators). Message parameters, which may hold
/// confirmation codes, are not shown.
#[utoipa::path(get, path = "/api/v1/outbox", operation_id = "list_outbox", tag = "operations", params(OutboxParams),
    responses(
        (status = 200, body = MessagePage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown status or a bad limit", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<OutboxParams>,
) -> Result<Json<MessagePage>, Problem> {
    let page = state
        .app
        .outbox(&auth, &q.status, q.offset, q.limit)
        .await?;
    Ok(Json(MessagePage {
        total: page.total,
        offset: page.offset,
        items: page.items.into_iter().map(MessageView::from).collect(),
    }))
}

/// Puts a dead message back in the queue with a fresh count of attempts (administrators).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "operations", params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), 
        (status = 204, description = "Queued again"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No dead message has this id", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn retry(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    state.app.retry_message(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
