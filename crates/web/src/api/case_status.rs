//! A case's status without signing in, over the API: a code to the case's applicant for its
//! number and its person's birth date (the same answer whether or not they match), then the
//! status with the code.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use qiaoyi_app::accounts::SendBy;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseStatusCodeBody {
    /// The case number, e.g. `QT-2026-000123`.
    number: String,
    /// The birth date of the person the case is for, `YYYY-MM-DD`.
    birth_date: String,
    /// `email` (to the applicant's address; the default) or `sms` (to her mobile number on file).
    #[serde(default)]
    by: String,
}

/// Ask for a code to see a case's status without signing in. The answer is 202 whether or not
/// the number and birth date match: if they do and the case's applicant has an account, an
/// eight-digit code valid for 15 minutes goes to her (at most three an hour for a case). Audited,
/// and shown in her "who read my file".
#[utoipa::path(post, path = "/api/v1/case-status/codes", tag = "cases", request_body = CaseStatusCodeBody,
    responses(
        (status = 202, description = "If the number and birth date match, a code is on its way to the applicant"),
        (status = 422, description = "`field` `number`: not a case number; `birth_date`: not a date; `by`: neither `email` nor `sms`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn request_code(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<CaseStatusCodeBody>,
) -> Result<StatusCode, Problem> {
    if !state.limits.allow(Bucket::CaseStatus, &auth.client.address) {
        return Err(Limits::refused());
    }
    let by = SendBy::parse(&body.by)
        .ok_or_else(|| qiaoyi_app::AppError::malformed("by", "send it by email or sms"))?;
    state
        .app
        .request_status_code(&auth, &body.number, &body.birth_date, by)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseStatusBody {
    number: String,
    /// `YYYY-MM-DD`.
    birth_date: String,
    /// The eight digits sent to the applicant.
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseStatusView {
    number: String,
    /// `submitted`, `accepted`, `identity_verified`, `under_review`, `approved`, `refused`,
    /// `in_production`, `ready`, `dispatched`, `delivered`, `closed`, `returned`, `withdrawn` or
    /// `draft`.
    state: &'static str,
    /// What happens next: `send`, `bureau_checks`, `identity_check`, `decision`, `production`,
    /// `download`, `collect_at_window`, `collect_at_station`, `sending_out`, `arriving`,
    /// `add_materials` or `nothing`.
    next_step: &'static str,
    /// The working day (Beijing, `YYYY-MM-DD`) by which the bureau must decide, while the case is
    /// under way and has one.
    deadline: Option<String>,
    /// True when the deadline counts days of a year whose official holiday calendar is not
    /// imported yet, and may still move.
    deadline_provisional: bool,
}

/// A case's status with a code sent to its applicant: once, within 15 minutes. Only the state,
/// the next step and the deadline; nothing about the person or the case's contents. Five wrong
/// codes for a case end its codes.
#[utoipa::path(post, path = "/api/v1/case-status", operation_id = "case_status", tag = "cases", request_body = CaseStatusBody,
    responses(
        (status = 200, body = CaseStatusView),
        (status = 422, description = "`field` `code` (`reason` `mismatch`): the number, birth date or code is not right, or the code no longer works; `number`, `birth_date`, `code` (`malformed`): not a case number, a date or a code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn status(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<CaseStatusBody>,
) -> Result<Json<CaseStatusView>, Problem> {
    if !state.limits.allow(Bucket::CaseStatus, &auth.client.address) {
        return Err(Limits::refused());
    }
    let status = state
        .app
        .case_status_with_code(&auth, &body.number, &body.birth_date, &body.code)
        .await?;
    Ok(Json(CaseStatusView {
        number: status.number,
        state: status.state.as_str(),
        next_step: status.next.as_str(),
        deadline: status.deadline.map(|d| d.to_string()),
        deadline_provisional: status.deadline_provisional,
    }))
}
