//! Signing in and out over the API. The session is the same cookie the pages use; state-changing
//! calls made with it send the CSRF token in `X-CSRF-Token`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use qiaoyi_app::AppError;
use qiaoyi_app::accounts::{LoginOutcome, SecondFactor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{Auth, SESSION_COOKIE, set_cookie};
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionStarted {
    /// `not_required`, `challenge` (send a code to /api/v1/session/second-factor) or `enrol`
    /// (set up an authenticator on the account page first).
    second_factor: &'static str,
}

fn second_factor_name(s: SecondFactor) -> &'static str {
    match s {
        SecondFactor::NotRequired => "not_required",
        SecondFactor::Passed(_) => "passed",
        SecondFactor::Challenge => "challenge",
        SecondFactor::Enrol => "enrol",
        SecondFactor::Token => "token",
    }
}

/// Sign in with an e-mail address and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = Credentials,
    responses(
        (status = 200, body = SessionStarted),
        (status = 401, description = "Wrong e-mail or password", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "E-mail address not confirmed, or account disabled", body = Problem, content_type = "application/problem+json"),
        (status = 423, description = "Locked after too many failures for this address from this client; an address without an account answers alike", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This client failed to sign in to too many different addresses lately; try again after `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again")))
    ))]
pub async fn login(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, Problem> {
    match state.app.login(&auth, &body.email, &body.password).await? {
        LoginOutcome::SignedIn {
            token,
            second_factor,
        } => {
            let mut response = Json(SessionStarted {
                second_factor: second_factor_name(second_factor),
            })
            .into_response();
            if let Some(cookie) = set_cookie(
                SESSION_COOKIE,
                &token,
                None,
                state.app.config().public_url.starts_with("https://"),
            ) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        LoginOutcome::Refused => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "login-refused",
            "the e-mail address or the password is not right",
        )),
        LoginOutcome::Unconfirmed => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "unconfirmed",
            "confirm your e-mail address with the code we sent before signing in",
        )),
        LoginOutcome::Disabled => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "disabled",
            "this account has been disabled; contact the bureau if you still need it",
        )),
        LoginOutcome::Locked { until_ms } => Err(Problem::new(
            StatusCode::LOCKED,
            "locked",
            format!(
                "too many wrong attempts; try again after {} minutes",
                ((until_ms - auth.now) / 60_000).max(1)
            ),
        )),
        LoginOutcome::Throttled { until_ms } => {
            let seconds = retry_after_seconds(until_ms, auth.now);
            let mut response = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "sign-in-throttled",
                format!(
                    "too many failed sign-ins from your network lately; try again in {seconds} seconds"
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            Ok(response)
        }
    }
}

/// Whole seconds until `until_ms`, rounded up and at least one.
pub(crate) fn retry_after_seconds(until_ms: i64, now: i64) -> u64 {
    u64::try_from((until_ms - now + 999) / 1_000)
        .unwrap_or(0)
        .max(1)
}

/// Sign out this session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Response, Problem> {
    if auth.session.is_some() {
        state.app.logout(&auth).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = set_cookie(SESSION_COOKIE, "", Some(0), false) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize, ToSchema)]
pub struct Code {
    /// The 6-digit code from the authenticator app.
    code: String,
}

/// Pass the second factor with a TOTP code or a recovery code; each code works once. After 5 wrong
/// codes the session ends (sign in again); 5 within 15 minutes on the account lock it as wrong
/// passwords do.
#[utoipa::path(post, path = "/api/v1/session/second-factor", tag = "accounts", request_body = Code,
    responses(
        (status = 204, description = "Accepted"),
        (status = 401, description = "The code is wrong or was used; or no session", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "Too many wrong codes (`reason` `attempts-exhausted`): the session has ended",
            body = Problem, content_type = "application/problem+json")
    ))]
pub async fn second_factor(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<Code>,
) -> Result<StatusCode, Problem> {
    if state.app.pass_second_factor(&auth, &body.code).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "wrong-code",
            "the code is not right or was already used",
        ))
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    id: String,
    email: String,
    name: String,
    /// Grants as `role` or `role:scope`.
    roles: Vec<String>,
    second_factor: &'static str,
    /// Send this in `X-CSRF-Token` with state-changing calls made with the session cookie.
    csrf: String,
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(Extension(auth): Extension<Auth>) -> Result<Json<Me>, Problem> {
    let session = auth.session().ok_or(AppError::Unauthenticated)?;
    Ok(Json(Me {
        id: session.actor.user_id.clone(),
        email: session.email.clone(),
        name: session.display_name.clone(),
        roles: session
            .actor
            .grants
            .iter()
            .map(ToString::to_string)
            .collect(),
        second_factor: second_factor_name(session.second_factor),
        csrf: session.csrf.clone(),
    }))
}

/// One access to the signed-in person's file by someone else. The staff member's name is not
/// given: their role and station are.
#[derive(Serialize, ToSchema)]
pub struct AccessView {
    /// Milliseconds since the epoch; the latest of the line's reads.
    at: i64,
    /// The first of the line's reads; equal to `at` for one read.
    first_at: i64,
    /// Reads of one thing by one reader for one purpose, each within five minutes of the one
    /// before, are one line: how many.
    count: u64,
    /// Tried and refused: nothing was read.
    refused: bool,
    /// Who read it by name: for her children's records in the care programme only.
    #[serde(skip_serializing_if = "String::is_empty")]
    reader_name: String,
    /// e.g. `officer`, or several joined by commas.
    role: String,
    /// The station's code when a station read it.
    station: String,
    /// What was read or done, e.g. `read_person_file`.
    action: String,
    /// The purpose the reader stated.
    purpose: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccessPage {
    total: u64,
    offset: u64,
    items: Vec<AccessView>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessParams {
    /// Entries to skip; default 0.
    #[serde(default)]
    offset: u64,
    /// Entries to return, 1 to 100; default 50.
    #[serde(default = "default_access_limit")]
    limit: u64,
}

fn default_access_limit() -> u64 {
    50
}

/// "Who read my file": every access to the signed-in person's records by others, newest first;
/// repeated reads of one thing are one line with a count, refused attempts are marked.
#[utoipa::path(get, path = "/api/v1/me/access-log", tag = "accounts", params(AccessParams),
    responses(
        (status = 200, body = AccessPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Limit out of range", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    super::extract::ApiQuery(q): super::extract::ApiQuery<AccessParams>,
) -> Result<Json<AccessPage>, Problem> {
    let page = state.app.who_read_my_file(&auth, q.offset, q.limit).await?;
    Ok(Json(AccessPage {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .into_iter()
            .map(|a| AccessView {
                at: a.at_ms,
                first_at: a.first_at_ms,
                count: a.count,
                refused: a.refused,
                reader_name: a.reader_name,
                role: a.role,
                station: a.station,
                action: a.action,
                purpose: a.purpose,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    /// 12 to 128 characters, not a common or breached password, not easy to guess.
    new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordChanged {
    /// Sessions of this account on other devices, now ended.
    other_sessions_ended: u64,
}

/// Change the signed-in person's password. The current one is required (wrong ones count towards
/// the lockout as at sign-in); every other session ends, and she is told by e-mail.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordChange,
    responses(
        (status = 200, body = PasswordChanged),
        (status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`field` `current_password`: not right (`reason` `mismatch`) or too many wrong ones (`attempts-exhausted`); `field` `new_password`: too short, too long, too common, too weak or the current one (`duplicate`)",
            body = Problem, content_type = "application/problem+json")
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<Json<PasswordChanged>, Problem> {
    let ended = state
        .app
        .change_password(&auth, &body.current_password, &body.new_password)
        .await?;
    Ok(Json(PasswordChanged {
        other_sessions_ended: ended,
    }))
}
