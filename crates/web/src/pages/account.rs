//! Signing in and out, the second factor, and the account page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::accounts::{LoginOutcome, SecondFactor, new_totp_secret, otpauth_uri};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::{Auth, SESSION_COOKIE, set_cookie};
use crate::i18n::Prefs;
use crate::pages::grants::GrantNames;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route(
            "/login/second-factor",
            get(second_factor_form).post(second_factor),
        )
        .route("/account/second-factor", get(enrol_form).post(enrol))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
        .route("/account/recovery-codes", post(new_recovery_codes))
}

/// One problem with a form, linked from the error summary to its field and shown beside it.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// What templates ask of a form's errors: the message to show next to one field.
pub trait FieldErrors {
    fn about(&self, field: &str) -> Option<&str>;
}

impl FieldErrors for [FieldError] {
    fn about(&self, field: &str) -> Option<&str> {
        self.iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    email: String,
    next: String,
    /// Just after a new password was set by a reset link or code.
    reset: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    #[serde(default)]
    reset: bool,
}

/// Only local paths, so a link cannot send someone elsewhere after signing in; empty when none
/// was asked for (she then starts on her work: see [`after_sign_in`]).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => String::new(),
    }
}

/// Where to go once signed in: the page asked for, else where her roles' work is.
fn after_sign_in(next: String, actor: Option<&qiaoyi_app::domain::access::Actor>) -> String {
    if next.is_empty() {
        actor.map_or("/account", super::work::landing).to_owned()
    } else {
        next
    }
}

async fn login_form(Extension(p): Extension<Prefs>, Query(q): Query<NextQuery>) -> Response {
    let page = LoginPage {
        title: p.t("login-title"),
        section: "account",
        errors: Vec::new(),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        reset: q.reset,
        p: &p,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn secure(state: &AppState) -> bool {
    state.app.config().public_url.starts_with("https://")
}

async fn login(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let mut errors = Vec::new();
    if form.email.trim().is_empty() {
        errors.push(FieldError {
            field: "email",
            message: p.t("login-email-missing"),
        });
    }
    if form.password.is_empty() {
        errors.push(FieldError {
            field: "password",
            message: p.t("login-password-missing"),
        });
    }
    let mut retry_after = None;
    if errors.is_empty() {
        match state
            .app
            .login(&auth, &form.email, &form.password)
            .await
            .for_page(&p)?
        {
            LoginOutcome::SignedIn {
                token,
                second_factor,
            } => {
                let to = match second_factor {
                    SecondFactor::Challenge => "/login/second-factor".to_owned(),
                    SecondFactor::Enrol => "/account/second-factor".to_owned(),
                    _ => {
                        let signed_in = state.app.session(&token, auth.now).await.for_page(&p)?;
                        after_sign_in(next, signed_in.as_ref().map(|s| &s.actor))
                    }
                };
                let mut response = Redirect::to(&to).into_response();
                if let Some(cookie) = set_cookie(SESSION_COOKIE, &token, None, secure(&state)) {
                    response.headers_mut().append(header::SET_COOKIE, cookie);
                }
                return Ok(response);
            }
            LoginOutcome::Unconfirmed => errors.push(FieldError {
                field: "email",
                message: p.t("login-unconfirmed"),
            }),
            LoginOutcome::Refused => errors.push(FieldError {
                field: "email",
                message: p.t("login-refused"),
            }),
            LoginOutcome::Disabled => errors.push(FieldError {
                field: "email",
                message: p.t("login-disabled"),
            }),
            LoginOutcome::Locked { until_ms } => {
                let minutes = ((until_ms - auth.now) / 60_000).max(1);
                errors.push(FieldError {
                    field: "email",
                    message: p.t1("login-locked", "minutes", minutes),
                });
            }
            LoginOutcome::Throttled { until_ms } => {
                let seconds = crate::api::session::retry_after_seconds(until_ms, auth.now);
                retry_after = Some(seconds);
                errors.push(FieldError {
                    field: "email",
                    message: p.t1("login-throttled", "seconds", seconds),
                });
            }
        }
    }
    let page = LoginPage {
        reset: false,
        title: p.t("login-title"),
        section: "account",
        errors,
        email: form.email.chars().take(254).collect(),
        next,
        p: &p,
    };
    let Some(seconds) = retry_after else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, render(&page)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    Ok(response)
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    /// Enrolment only: the secret, its QR code as SVG, and the otpauth URI.
    enrol: Option<Enrolment>,
    /// Where to go once the code is accepted.
    next: String,
}

struct Enrolment {
    secret: String,
    qr_svg: String,
}

fn signed_in(auth: &Auth) -> Result<&qiaoyi_app::accounts::CurrentSession, AppError> {
    auth.session().ok_or(AppError::Unauthenticated)
}

async fn second_factor_form(
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<NextQuery>,
) -> PageResult {
    signed_in(&auth).for_page(&p)?;
    let page = SecondFactorPage {
        title: p.t("totp-title"),
        section: "account",
        errors: Vec::new(),
        enrol: None,
        next: safe_next(q.next.as_deref()),
        p: &p,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    next: Option<String>,
}

async fn second_factor(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let passed = match state.app.pass_second_factor(&auth, &form.code).await {
        // Too many wrong codes ended this sign-in: back to the password, saying why.
        Err(AppError::Invalid {
            reason: Reason::AttemptsExhausted,
            ..
        }) => {
            let page = LoginPage {
                reset: false,
                title: p.t("login-title"),
                section: "account",
                errors: vec![FieldError {
                    field: "email",
                    message: p.t("totp-attempts-exhausted"),
                }],
                email: String::new(),
                next: safe_next(form.next.as_deref()),
                p: &p,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
        other => other.for_page(&p)?,
    };
    if passed {
        let to = after_sign_in(
            safe_next(form.next.as_deref()),
            auth.session.as_ref().map(|s| &s.actor),
        );
        return Ok(Redirect::to(&to).into_response());
    }
    let errors = vec![FieldError {
        field: "code",
        message: p.t("totp-wrong"),
    }];
    let page = SecondFactorPage {
        title: p.t("totp-title"),
        section: "account",
        errors,
        enrol: None,
        next: safe_next(form.next.as_deref()),
        p: &p,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

fn enrolment(secret: String, email: &str) -> Enrolment {
    let uri = otpauth_uri(&secret, email);
    let qr_svg = super::qr_svg(&uri);
    Enrolment { secret, qr_svg }
}

async fn enrol_form(
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let session = signed_in(&auth).for_page(&p)?;
    let page = SecondFactorPage {
        title: p.t("totp-enrol-title"),
        section: "account",
        errors: Vec::new(),
        enrol: Some(enrolment(new_totp_secret(), &session.email)),
        next: "/account".into(),
        p: &p,
    };
    Ok(render(&page))
}

async fn enrol(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let session = signed_in(&auth).for_page(&p)?;
    let secret = form.secret.trim().to_owned();
    let valid_secret = secret.len() == 32
        && secret
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    if valid_secret
        && let Some(codes) = state
            .app
            .enrol_second_factor(&auth, &secret, &form.code)
            .await
            .for_page(&p)?
    {
        return Ok(recovery_codes_page(&p, codes));
    }
    let secret = if valid_secret {
        secret
    } else {
        new_totp_secret()
    };
    let page = SecondFactorPage {
        title: p.t("totp-enrol-title"),
        section: "account",
        errors: vec![FieldError {
            field: "code",
            message: p.t("totp-wrong"),
        }],
        enrol: Some(enrolment(secret, &session.email)),
        next: "/account".into(),
        p: &p,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    codes: Vec<String>,
}

/// The recovery codes, shown this once.
fn recovery_codes_page(p: &Prefs, codes: Vec<String>) -> Response {
    let page = RecoveryCodesPage {
        title: p.t("recovery-title"),
        section: "account",
        codes,
        p,
    };
    render(&page)
}

async fn new_recovery_codes(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let codes = state.app.renew_recovery_codes(&auth).await.for_page(&p)?;
    Ok(recovery_codes_page(&p, codes))
}

async fn logout(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    if auth.session.is_some() {
        state.app.logout(&auth).await.for_page(&p)?;
    }
    let mut response = Redirect::to("/").into_response();
    if let Some(cookie) = set_cookie(SESSION_COOKIE, "", Some(0), secure(&state)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

struct SessionLine {
    started: String,
    last_seen: String,
    client: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    name: String,
    email: String,
    roles: Vec<String>,
    sessions: Vec<SessionLine>,
    ended: Option<u64>,
    password_changed: Option<u64>,
    is_admin: bool,
    is_auditor: bool,
    is_consultant: bool,
    is_staff: bool,
    can_find_people: bool,
    can_read_stats: bool,
    is_duty_leader: bool,
    is_officer: bool,
    serves_in_care: bool,
    is_applicant: bool,
    /// Station staff, officers and administrators hand out password reset codes.
    resets_passwords: bool,
    /// Administrators, from 1 November: next year has no official holiday calendar yet.
    calendar_missing: Option<i16>,
    /// This server has a WeChat Official Account to link to.
    wechat_available: bool,
}

pub(super) fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct AccountQuery {
    ended: Option<u64>,
    /// Set after the password was changed: how many other sessions that ended.
    password_changed: Option<u64>,
}

async fn account(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<AccountQuery>,
) -> PageResult {
    state
        .app
        .authorize_own(&auth, qiaoyi_app::domain::access::Action::ManageOwnAccount)
        .await
        .for_page(&p)?;
    let session = signed_in(&auth).for_page(&p)?;
    let sessions = state.app.sessions(session).await.for_page(&p)?;
    let is_admin = session.actor.has(qiaoyi_app::domain::access::Role::Admin);
    let calendar_missing = if is_admin {
        state
            .app
            .calendar_missing_next_year(auth.now)
            .await
            .for_page(&p)?
    } else {
        None
    };
    let names = GrantNames::load(&state, &p).await;
    let page = AccountPage {
        title: p.t("account-title"),
        section: "account",
        name: session.display_name.clone(),
        email: session.email.clone(),
        roles: session
            .actor
            .grants
            .iter()
            .map(|g| names.role(&p, g.role().as_str(), g.scope()))
            .collect(),
        sessions: sessions
            .iter()
            .map(|s| SessionLine {
                started: when(s.created_at),
                last_seen: when(s.last_seen_at),
                client: s.client.clone(),
                current: s.current,
            })
            .collect(),
        ended: q.ended,
        password_changed: q.password_changed,
        is_admin,
        calendar_missing,
        is_auditor: session.actor.has(qiaoyi_app::domain::access::Role::Auditor),
        is_consultant: session
            .actor
            .has(qiaoyi_app::domain::access::Role::Consultant),
        is_staff: session.actor.is_staff(),
        can_find_people: qiaoyi_app::domain::access::decide(
            &session.actor,
            qiaoyi_app::domain::access::Action::ListPeople,
            &qiaoyi_app::domain::access::Resource::System,
        )
        .is_allowed(),
        is_officer: session.actor.has(qiaoyi_app::domain::access::Role::Officer),
        resets_passwords: super::password_reset::resets_passwords(&auth),
        serves_in_care: session
            .actor
            .has(qiaoyi_app::domain::access::Role::CareCoordinator)
            || session
                .actor
                .has(qiaoyi_app::domain::access::Role::CareVolunteer),
        is_applicant: session
            .actor
            .has(qiaoyi_app::domain::access::Role::Applicant),
        is_duty_leader: session
            .actor
            .has(qiaoyi_app::domain::access::Role::DutyLeader),
        can_read_stats: qiaoyi_app::domain::access::decide(
            &session.actor,
            qiaoyi_app::domain::access::Action::ReadStatistics,
            &qiaoyi_app::domain::access::Resource::System,
        )
        .is_allowed(),
        wechat_available: state.app.wechat_available(),
        p: &p,
    };
    Ok(render(&page))
}

async fn end_other_sessions(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let ended = state.app.logout_other_sessions(&auth).await.for_page(&p)?;
    Ok(Redirect::to(&format!("/account?ended={ended}")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    /// For password managers, which file the new password under this address.
    email: String,
    errors: Vec<FieldError>,
}

async fn password_page(p: &Prefs, auth: &Auth, errors: Vec<FieldError>) -> PageResult {
    let session = signed_in(auth).for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PasswordPage {
        title: p.t("password-change-title"),
        section: "account",
        email: session.email.clone(),
        errors,
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn password_form(
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    password_page(&p, &auth, Vec::new()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let mut errors = Vec::new();
    if form.current_password.is_empty() {
        errors.push(FieldError {
            field: "current_password",
            message: p.t("password-change-current-missing"),
        });
    }
    if form.new_password.is_empty() {
        errors.push(FieldError {
            field: "new_password",
            message: p.t("password-too-short"),
        });
    }
    if !errors.is_empty() {
        return password_page(&p, &auth, errors).await;
    }
    match state
        .app
        .change_password(&auth, &form.current_password, &form.new_password)
        .await
    {
        Ok(ended) => {
            Ok(Redirect::to(&format!("/account?password_changed={ended}")).into_response())
        }
        Err(AppError::Invalid { field, reason, .. }) => {
            let (field, key) = match (field, reason) {
                ("current_password", Reason::AttemptsExhausted) => {
                    ("current_password", "password-change-locked")
                }
                ("current_password", _) => ("current_password", "password-change-wrong"),
                (_, Reason::Duplicate) => ("new_password", "password-change-same"),
                (_, Reason::TooCommon) => ("new_password", "password-too-common"),
                (_, Reason::TooWeak) => ("new_password", "password-too-weak"),
                (_, Reason::TooLong) => ("new_password", "password-too-long"),
                _ => ("new_password", "password-too-short"),
            };
            password_page(
                &p,
                &auth,
                vec![FieldError {
                    field,
                    message: p.t(key),
                }],
            )
            .await
        }
        Err(other) => Err(other).for_page(&p),
    }
}
