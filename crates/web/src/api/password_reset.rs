//! Setting a new password without the old one over the API: a link by e-mail (the same answer
//! for every address), the link's token or a desk code with the new password, codes handed over
//! by station staff, officers and administrators, and an administrator resetting a lost
//! authenticator.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use qiaoyi_app::accounts::SendBy;

use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    email: String,
    /// `email` (a link to the address; the default) or `sms` (a code by text message to the
    /// mobile number on file).
    #[serde(default)]
    by: String,
}

/// Ask for a link to set a new password, or a code by text message. The answer is 202 whether or
/// not an account has the address; if one has, a link valid for 30 minutes goes to it, or a code
/// valid for 15 minutes to its mobile number on file (at most three an hour each).
#[utoipa::path(post, path = "/api/v1/password/forgot", tag = "accounts", request_body = ForgotBody,
    responses(
        (status = 202, description = "If an account has the address, a link is on its way"),
        (status = 422, description = "`field` `email`: not an e-mail address; `field` `by`: neither `email` nor `sms`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn forgot(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<StatusCode, Problem> {
    if !state.limits.allow(Bucket::Signup, &auth.client.address) {
        return Err(Limits::refused());
    }
    let by = SendBy::parse(&body.by)
        .ok_or_else(|| qiaoyi_app::AppError::malformed("by", "send it by email or sms"))?;
    state
        .app
        .request_password_reset(&auth, &body.email, by)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The token of the link sent by e-mail (the last part of its path).
    token: String,
    /// 12 to 128 characters, not a common or breached password, not easy to guess.
    new_password: String,
}

/// Set a new password with a link's token: once, within 30 minutes. Every session of the account
/// ends, and its owner is told by e-mail.
#[utoipa::path(post, path = "/api/v1/password/reset", tag = "accounts", request_body = ResetBody,
    responses(
        (status = 204, description = "The password is set"),
        (status = 422, description = "`field` `token`: used, replaced or too old (`reason` `lapsed`); `field` `new_password`: too short, too long, too common or too weak",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn reset(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<StatusCode, Problem> {
    if !state.limits.allow(Bucket::Signup, &auth.client.address) {
        return Err(Limits::refused());
    }
    state
        .app
        .reset_password_with_link(&auth, &body.token, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeResetBody {
    email: String,
    /// The code sent by text message, or handed over at a station or by an officer (with or
    /// without its dash).
    code: String,
    /// 12 to 128 characters, not a common or breached password, not easy to guess.
    new_password: String,
}

/// Set a new password with a code sent by text message (15 minutes) or handed over after an
/// identity check (24 hours): once. Five wrong codes for an account end its codes.
/// Wrong codes count towards the address's lockout from this client, as wrong passwords do.
#[utoipa::path(post, path = "/api/v1/password/reset-with-code", tag = "accounts", request_body = CodeResetBody,
    responses(
        (status = 204, description = "The password is set"),
        (status = 422, description = "`field` `code`: the address or code is not right or the code no longer works (`reason` `mismatch`), or too many wrong ones (`attempts-exhausted`); `field` `new_password`: too short, too long, too common or too weak",
            body = Problem, content_type = "application/problem+json")
    ))]
pub async fn reset_with_code(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<CodeResetBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .reset_password_with_code(&auth, &body.email, &body.code, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The address of the account whose owner's identity was checked.
    email: String,
    /// How: `in_person` (her identity document at the desk) or `video`.
    check: String,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedCodeView {
    /// Shown once: tell it to her or write it down for her.
    code: String,
    /// Milliseconds since 1970 (UTC).
    expires_at: i64,
    /// The account's name, to check it is hers.
    display_name: String,
}

/// Hand a person a one-time code to set a new password after checking her identity: station
/// staff and officers for people's accounts, administrators for staff accounts; never one's own.
/// Audited, and shown in her "who read my file".
#[utoipa::path(post, path = "/api/v1/password/reset-codes", tag = "accounts", request_body = CodeRequest,
    responses(
        (status = 201, body = IssuedCodeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours to reset (a staff account for a clerk, a person's for an administrator, or your own)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`field` `email`: no account in use has it; `field` `check`: not `in_person` or `video`", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn issue_code(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<CodeRequest>,
) -> Result<(StatusCode, Json<IssuedCodeView>), Problem> {
    let issued = state
        .app
        .issue_reset_code(&auth, &body.email, &body.check)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCodeView {
            code: issued.code,
            expires_at: issued.expires_at,
            display_name: issued.display_name,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorResetBody {
    /// Why, and how you made sure it is her: at most 500 characters.
    reason: String,
}

/// Reset the authenticator of an account whose owner lost hers (administrators, never their
/// own): she sets up a new one at her next sign-in, every session of hers ends, and she is told
/// by e-mail. The reason is audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/second-factor/reset", tag = "accounts",
    params(("id" = String, Path)), request_body = SecondFactorResetBody,
    responses(
        (status = 204, description = "Reset"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`field` `reason`: missing or too long", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn reset_second_factor(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SecondFactorResetBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .reset_second_factor(&auth, &id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
