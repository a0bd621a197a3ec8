//! Notifications: the person's choices (channels, passport reminders), the unsubscribe page that
//! reminder e-mails link to (no sign-in needed), and the administrators' view of undelivered
//! messages with a way to send a dead one again.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::domain::notify::MessageStatus;
use qiaoyi_app::reminders::SettingsForm;
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/notifications", get(settings).post(save))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_form).post(unsubscribe),
        )
        .route("/admin/outbox", get(outbox))
        .route("/admin/outbox/{id}/retry", post(retry))
}

/// The form as sent: unchecked boxes are absent.
#[derive(Deserialize, Default, Clone)]
pub struct ChoicesForm {
    email_enabled: Option<String>,
    sms_enabled: Option<String>,
    #[serde(default)]
    sms_number: String,
    own_reminders: Option<String>,
    family_reminders: Option<String>,
    wechat_enabled: Option<String>,
    #[serde(default)]
    language: String,
}

impl ChoicesForm {
    fn settings(&self) -> SettingsForm {
        SettingsForm {
            email_enabled: self.email_enabled.is_some(),
            sms_enabled: self.sms_enabled.is_some(),
            sms_number: self.sms_number.clone(),
            own_reminders: self.own_reminders.is_some(),
            family_reminders: self.family_reminders.is_some(),
            language: self.language.clone(),
            wechat_enabled: self.wechat_enabled.is_some(),
        }
    }

    /// The interface languages, each named in itself, with the chosen one marked.
    fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Lang::ALL
            .into_iter()
            .map(|l| (l.tag(), l.native_name(), l.tag() == self.language))
            .collect()
    }
}

fn on(checked: bool) -> Option<String> {
    checked.then(|| "on".to_owned())
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct SettingsPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    form: ChoicesForm,
    saved: bool,
    sms_available: bool,
    /// Her WeChat is linked and this server sends template messages.
    wechat_offered: bool,
    months: String,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn settings(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mine = state
        .app
        .my_notification_settings(&auth)
        .await
        .for_page(&p)?;
    let current = mine.settings;
    let form = ChoicesForm {
        language: mine.language.tag().to_owned(),
        email_enabled: on(current.email_enabled),
        sms_enabled: on(current.sms_enabled),
        sms_number: current.sms_number.unwrap_or_default(),
        own_reminders: on(current.own_reminders),
        family_reminders: on(current.family_reminders),
        wechat_enabled: on(mine.wechat == Some(true)),
    };
    Ok(render(&SettingsPage::new(
        &state,
        &p,
        form,
        Vec::new(),
        q.saved.is_some(),
        mine.wechat.is_some(),
    )))
}

async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<ChoicesForm>,
) -> PageResult {
    match state
        .app
        .save_my_notification_settings(&auth, &form.settings())
        .await
    {
        Ok(_) => Ok(Redirect::to("/account/notifications?saved=1").into_response()),
        Err(AppError::Invalid { field, .. }) => {
            let (field, key) = match field {
                "sms_number" => ("sms_number", "notify-error-sms-number"),
                "language" => ("language", "notify-error-language"),
                "sms_enabled" => ("email_enabled", "notify-error-no-sms"),
                "wechat_enabled" => ("email_enabled", "notify-error-no-wechat"),
                _ => ("email_enabled", "notify-error-no-channel"),
            };
            let errors = vec![FieldError {
                field,
                message: p.t(key),
            }];
            let offered = state
                .app
                .my_notification_settings(&auth)
                .await
                .for_page(&p)?
                .wechat
                .is_some();
            let page = SettingsPage::new(&state, &p, form, errors, false, offered);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e).for_page(&p),
    }
}

impl<'a> SettingsPage<'a> {
    fn new(
        state: &AppState,
        p: &'a Prefs,
        form: ChoicesForm,
        errors: Vec<FieldError>,
        saved: bool,
        wechat_offered: bool,
    ) -> Self {
        // The configured reminder thresholds as the reader writes a list ("9, 6, 3").
        let months = state
            .app
            .config()
            .reminder_months
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(p.t("list-separator").as_str());
        SettingsPage {
            title: p.t("notify-title"),
            section: "account",
            errors,
            form,
            saved,
            sms_available: state.app.sms_available(),
            wechat_offered,
            months,
            p,
        }
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    token: String,
    email: String,
    done: bool,
}

/// Shows whose reminders the link stops and asks to confirm: mail scanners follow links, so a GET
/// changes nothing.
async fn unsubscribe_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Path(token): Path<String>,
) -> PageResult {
    let email = state.app.unsubscribe_address(&token).await.for_page(&p)?;
    Ok(render(&UnsubscribePage {
        title: p.t("unsubscribe-title"),
        section: "",
        token,
        email,
        done: false,
        p: &p,
    }))
}

async fn unsubscribe(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(token): Path<String>,
) -> PageResult {
    let email = state.app.unsubscribe(&auth, &token).await.for_page(&p)?;
    Ok(render(&UnsubscribePage {
        title: p.t("unsubscribe-title"),
        section: "",
        token,
        email,
        done: true,
        p: &p,
    }))
}

struct MessageLine {
    id: String,
    created: String,
    channel: String,
    what: String,
    attempts: i64,
    next: String,
    error: String,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    status: String,
    counts: Vec<(String, String, u64)>,
    lines: Vec<MessageLine>,
    page: u64,
    pages: u64,
    retried: bool,
}

const MESSAGES_PER_PAGE: u64 = 50;

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    status: Option<String>,
    page: Option<String>,
    retried: Option<String>,
}

async fn outbox(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<OutboxQuery>,
) -> PageResult {
    let status = q.status.unwrap_or_else(|| "dead".into());
    let page = super::page_number(q.page.as_deref());
    let messages = state
        .app
        .outbox(
            &auth,
            &status,
            (page - 1).saturating_mul(MESSAGES_PER_PAGE),
            MESSAGES_PER_PAGE,
        )
        .await
        .for_page(&p)?;
    let counts = state.app.outbox_counts(&auth).await.for_page(&p)?;
    let lines = messages
        .items
        .into_iter()
        .map(|m| MessageLine {
            created: when(m.created_at),
            channel: p.t(&format!("notify-channel-{}", m.channel)),
            what: p.t_or(&format!("notice-{}", m.template), &m.template),
            attempts: m.attempts,
            next: if m.status == MessageStatus::Pending {
                when(m.next_attempt_at.max(m.created_at))
            } else {
                m.sent_at.map(when).unwrap_or_default()
            },
            error: m.last_error.unwrap_or_default(),
            id: m.id,
        })
        .collect();
    Ok(render(&OutboxPage {
        title: p.t("outbox-title"),
        section: "account",
        counts: counts
            .into_iter()
            .map(|(s, n)| (s.clone(), p.t(&format!("outbox-status-{s}")), n))
            .collect(),
        pages: messages.total.div_ceil(MESSAGES_PER_PAGE).max(1),
        page,
        lines,
        status,
        retried: q.retried.is_some(),
        p: &p,
    }))
}

async fn retry(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    state.app.retry_message(&auth, &id).await.for_page(&p)?;
    Ok(Redirect::to("/admin/outbox?status=dead&retried=1").into_response())
}
