//! Applicants create their own account and confirm their e-mail address with a one-time code.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::rate_limit::Bucket;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(form).post(sign_up))
        .route("/signup/confirm", get(confirm_form).post(confirm))
        .route("/signup/resend", post(resend))
}

#[derive(Deserialize, Default)]
pub struct SignUpForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    name: String,
    email: String,
}

async fn form(Extension(p): Extension<Prefs>) -> PageResult {
    let page = SignUpPage {
        title: p.t("signup-title"),
        section: "account",
        errors: Vec::new(),
        name: String::new(),
        email: String::new(),
        p: &p,
    };
    Ok(render(&page))
}

/// The message for a refused field, in the reader's language.
fn field_message(p: &Prefs, field: &str, reason: Reason, message: &str) -> String {
    match (field, reason) {
        ("email", _) => p.t("signup-email-invalid"),
        ("name", _) => p.t("signup-name-invalid"),
        ("password", Reason::TooCommon) => p.t("password-too-common"),
        ("password", Reason::TooWeak) => p.t("password-too-weak"),
        ("password", Reason::TooLong) => p.t("password-too-long"),
        ("password", _) => p.t("password-too-short"),
        _ => message.to_owned(),
    }
}

async fn sign_up(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<SignUpForm>,
) -> PageResult {
    if !state.limits.allow(Bucket::Signup, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    let outcome = state
        .app
        .sign_up(&auth, &form.email, &form.name, &form.password, p.lang)
        .await;
    let error = match outcome {
        Ok(email) => {
            let query =
                serde_urlencoded::to_string([("email", email.as_str())]).unwrap_or_default();
            return Ok(Redirect::to(&format!("/signup/confirm?{query}")).into_response());
        }
        Err(AppError::Invalid {
            field,
            reason,
            message,
        }) => {
            let field = match field {
                "email" | "name" | "password" => field,
                _ => "email",
            };
            FieldError {
                field,
                message: field_message(&p, field, reason, &message),
            }
        }
        // An address already in use gets the same next page as a new one, so the form does not
        // reveal who has an account; the owner already has their account.
        Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. })) => {
            let query =
                serde_urlencoded::to_string([("email", form.email.trim())]).unwrap_or_default();
            return Ok(Redirect::to(&format!("/signup/confirm?{query}")).into_response());
        }
        Err(other) => return Err(other).for_page(&p),
    };
    let page = SignUpPage {
        title: p.t("signup-title"),
        section: "account",
        errors: vec![error],
        name: form.name.chars().take(100).collect(),
        email: form.email.chars().take(254).collect(),
        p: &p,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    email: String,
    resent: bool,
}

#[derive(Deserialize, Default)]
pub struct ConfirmQuery {
    #[serde(default)]
    email: String,
    #[serde(default)]
    resent: bool,
}

async fn confirm_form(Extension(p): Extension<Prefs>, Query(q): Query<ConfirmQuery>) -> PageResult {
    let page = ConfirmPage {
        title: p.t("confirm-title"),
        section: "account",
        errors: Vec::new(),
        email: q.email.chars().take(254).collect(),
        resent: q.resent,
        p: &p,
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    code: String,
}

async fn confirm(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    if state
        .app
        .confirm_email(&auth, &form.email, &form.code)
        .await
        .for_page(&p)?
    {
        return Ok(Redirect::to("/login?confirmed=1").into_response());
    }
    let page = ConfirmPage {
        title: p.t("confirm-title"),
        section: "account",
        errors: vec![FieldError {
            field: "code",
            message: p.t("confirm-wrong"),
        }],
        email: form.email.chars().take(254).collect(),
        resent: false,
        p: &p,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

async fn resend(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    if !state.limits.allow(Bucket::Signup, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    state
        .app
        .resend_confirmation(&form.email, auth.now)
        .await
        .for_page(&p)?;
    let query = serde_urlencoded::to_string([("email", form.email.trim()), ("resent", "true")])
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/signup/confirm?{query}")).into_response())
}
