//! Setting a forgotten password: `/password/forgot` sends a link (the same answer for every
//! address), `/password/reset/{token}` sets the password with it, `/password/code` with a code
//! handed over after an identity check, which station staff, officers and administrators make on
//! `/desk/password-reset`.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::accounts::{RESET_LINK_VALID_MS, SMS_CODE_VALID_MS, SendBy};
use qiaoyi_app::domain::failure::Reason;
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::rate_limit::Bucket;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset/{token}", get(reset_form).post(reset))
        .route("/password/code", get(code_form).post(code))
        .route("/desk/password-reset", get(desk_form).post(desk))
}

fn status(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The message for a refused new password, by its reason.
pub(super) fn new_password_error(p: &Prefs, reason: Reason) -> FieldError {
    let key = match reason {
        Reason::TooCommon => "password-too-common",
        Reason::TooWeak => "password-too-weak",
        Reason::TooLong => "password-too-long",
        _ => "password-too-short",
    };
    FieldError {
        field: "new_password",
        message: p.t(key),
    }
}

#[derive(Template)]
#[template(path = "password_forgot.html")]
struct ForgotPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    email: String,
    /// `email` or `sms`, as chosen.
    by: String,
    /// After a link or code was asked for: what happens next, naming the address.
    sent: Option<String>,
    /// A code was sent by text message: the page links to where it is typed.
    by_sms: bool,
    minutes: i64,
}

fn forgot_page(
    p: &Prefs,
    email: String,
    by: SendBy,
    sent: Option<String>,
    errors: Vec<FieldError>,
) -> PageResult {
    let minutes = RESET_LINK_VALID_MS / 60_000;
    let by_sms = by == SendBy::Sms;
    let page = ForgotPage {
        title: p.t("forgot-title"),
        section: "account",
        sent: sent.map(|address| {
            if by_sms {
                p.t2(
                    "forgot-sent-sms",
                    ("minutes", SMS_CODE_VALID_MS / 60_000),
                    ("email", address),
                )
            } else {
                p.t2("forgot-sent", ("minutes", minutes), ("email", address))
            }
        }),
        by: if by_sms { "sms" } else { "email" }.into(),
        by_sms,
        minutes,
        email,
        p,
        errors,
    };
    Ok((status(&page.errors), render(&page)).into_response())
}

async fn forgot_form(Extension(p): Extension<Prefs>) -> PageResult {
    forgot_page(&p, String::new(), SendBy::Email, None, Vec::new())
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    by: String,
}

async fn forgot(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<ForgotForm>,
) -> PageResult {
    if !state.limits.allow(Bucket::Signup, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    // A tampered choice falls back to the e-mail link, the one offered first.
    let by = SendBy::parse(&form.by).unwrap_or(SendBy::Email);
    match state
        .app
        .request_password_reset(&auth, &form.email, by)
        .await
    {
        Ok(()) => forgot_page(
            &p,
            String::new(),
            by,
            Some(form.email.trim().to_owned()),
            Vec::new(),
        ),
        Err(AppError::Invalid { .. }) => forgot_page(
            &p,
            form.email,
            by,
            None,
            vec![FieldError {
                field: "email",
                message: p.t("forgot-email-invalid"),
            }],
        ),
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    token: String,
    /// The link no longer works: the page says so and offers a new one.
    lapsed: bool,
}

fn reset_page(p: &Prefs, token: String, lapsed: bool, errors: Vec<FieldError>) -> PageResult {
    let code = if lapsed {
        StatusCode::GONE
    } else {
        status(&errors)
    };
    let page = ResetPage {
        title: p.t("reset-title"),
        section: "account",
        token,
        lapsed,
        p,
        errors,
    };
    Ok((code, render(&page)).into_response())
}

async fn reset_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(token): Path<String>,
) -> PageResult {
    let works = state
        .app
        .reset_link_works(&token, auth.now)
        .await
        .for_page(&p)?;
    reset_page(&p, token, !works, Vec::new())
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    new_password: String,
}

async fn reset(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> PageResult {
    if !state.limits.allow(Bucket::Signup, &auth.client.address) {
        return Ok(super::too_many(&p));
    }
    match state
        .app
        .reset_password_with_link(&auth, &token, &form.new_password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?reset=true").into_response()),
        Err(AppError::Invalid { field: "token", .. }) => reset_page(&p, token, true, Vec::new()),
        Err(AppError::Invalid { reason, .. }) => {
            reset_page(&p, token, false, vec![new_password_error(&p, reason)])
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "password_code.html")]
struct CodePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    email: String,
}

fn code_page(p: &Prefs, email: String, errors: Vec<FieldError>) -> PageResult {
    let page = CodePage {
        title: p.t("code-title"),
        section: "account",
        email,
        p,
        errors,
    };
    Ok((status(&page.errors), render(&page)).into_response())
}

async fn code_form(Extension(p): Extension<Prefs>) -> PageResult {
    code_page(&p, String::new(), Vec::new())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
}

async fn code(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<CodeForm>,
) -> PageResult {
    // Every missing answer at once.
    let mut errors = Vec::new();
    for (field, key, value) in [
        ("email", "code-email-missing", &form.email),
        ("code", "code-missing", &form.code),
        ("new_password", "password-too-short", &form.new_password),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldError {
                field,
                message: p.t(key),
            });
        }
    }
    if !errors.is_empty() {
        return code_page(&p, form.email, errors);
    }
    match state
        .app
        .reset_password_with_code(&auth, &form.email, &form.code, &form.new_password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?reset=true").into_response()),
        Err(AppError::Invalid {
            field: "code",
            reason,
            ..
        }) => code_page(
            &p,
            form.email,
            vec![FieldError {
                field: "code",
                message: p.t(if reason == Reason::AttemptsExhausted {
                    "code-locked"
                } else {
                    "code-wrong"
                }),
            }],
        ),
        Err(AppError::Invalid { reason, .. }) => {
            code_page(&p, form.email, vec![new_password_error(&p, reason)])
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "desk_reset.html")]
struct DeskPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    email: String,
    check: String,
    /// How identity may be checked: (value, label).
    checks: Vec<(&'static str, String)>,
    /// The code just made, shown once, and the sentence naming whose it is and until when.
    issued: Option<(String, String)>,
}

fn desk_page(
    p: &Prefs,
    email: String,
    check: String,
    issued: Option<(String, String, String)>,
    errors: Vec<FieldError>,
) -> PageResult {
    let page = DeskPage {
        title: p.t("desk-reset-title"),
        section: "account",
        email,
        check,
        checks: ["in_person", "video"]
            .into_iter()
            .map(|c| (c, p.t(&format!("desk-reset-check-{c}"))))
            .collect(),
        issued: issued.map(|(name, code, until)| {
            (
                code,
                p.t2("desk-reset-issued", ("name", name), ("until", until)),
            )
        }),
        p,
        errors,
    };
    Ok((status(&page.errors), render(&page)).into_response())
}

async fn desk_form(Extension(p): Extension<Prefs>, Extension(auth): Extension<Auth>) -> PageResult {
    if auth.session.is_none() {
        return Err(AppError::Unauthenticated).for_page(&p);
    }
    if !resets_passwords(&auth) {
        return Err(AppError::Forbidden(
            "only station staff, officers and administrators hand out reset codes",
        ))
        .for_page(&p);
    }
    desk_page(&p, String::new(), String::new(), None, Vec::new())
}

/// Whether the signed-in user hands out reset codes to anyone at all (for the page and the menu).
pub(super) fn resets_passwords(auth: &Auth) -> bool {
    use qiaoyi_app::domain::access::{Action, Resource, decide};
    auth.session.as_ref().is_some_and(|s| {
        [false, true].into_iter().any(|staff| {
            decide(
                &s.actor,
                Action::ResetPassword,
                &Resource::Account { id: "", staff },
            )
            .is_allowed()
        })
    })
}

#[derive(Deserialize)]
pub struct DeskForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    check: String,
}

async fn desk(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<DeskForm>,
) -> PageResult {
    let mut errors = Vec::new();
    if form.email.trim().is_empty() {
        errors.push(FieldError {
            field: "email",
            message: p.t("code-email-missing"),
        });
    }
    if form.check.trim().is_empty() {
        errors.push(FieldError {
            field: "check",
            message: p.t("desk-reset-check-missing"),
        });
    }
    if !errors.is_empty() {
        return desk_page(&p, form.email, form.check, None, errors);
    }
    match state
        .app
        .issue_reset_code(&auth, &form.email, &form.check)
        .await
    {
        Ok(issued) => {
            let until = super::account::when(issued.expires_at);
            desk_page(
                &p,
                String::new(),
                String::new(),
                Some((issued.display_name, issued.code, until)),
                Vec::new(),
            )
        }
        Err(AppError::Invalid { field, .. }) => {
            let (field, key) = if field == "check" {
                ("check", "desk-reset-check-missing")
            } else {
                ("email", "desk-reset-unknown")
            };
            desk_page(
                &p,
                form.email,
                form.check,
                None,
                vec![FieldError {
                    field,
                    message: p.t(key),
                }],
            )
        }
        Err(AppError::Forbidden(_)) => desk_page(
            &p,
            form.email,
            form.check,
            None,
            vec![FieldError {
                field: "email",
                message: p.t("desk-reset-not-yours"),
            }],
        ),
        Err(other) => Err(other).for_page(&p),
    }
}
