//! RFC 9457 problem details: the one place where API errors become status codes.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qiaoyi_app::{AppError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::failure::classify;

/// An API error as `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and how to fix it.
    pub detail: String,
    /// The field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For an identity number or MRZ: which part failed, e.g. `check_digit.birth_date`. For a
    /// refused mandate: why (`expired`, `out-of-scope`, `revoked`, `not-confirmed`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// For an invalid field: why it was refused, a stable code such as `too-long`, `in-past` or
    /// `attempts-exhausted`; `malformed` when the field is wrong in form. Act on this, not on
    /// `detail`, whose wording may change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// On a conflict over a case: the state it is in now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// On a conflict over a case: the version to send with the next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// When several fields of one request were refused: each of them, in the form's order
    /// (`field`, `reason` and `detail` above repeat the first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldIssue>,
}

/// One refused field of a request that had several.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldIssue {
    pub field: String,
    /// A stable code such as `too-long` or `malformed`, as the problem's `reason`.
    pub reason: String,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            part: None,
            reason: None,
            current_state: None,
            current_version: None,
            errors: Vec::new(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }

    pub fn with_part(mut self, part: impl Into<String>) -> Problem {
        self.part = Some(part.into());
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        let failure = classify(&error);
        crate::failure::log(&failure, &error, "request");
        let detail = match failure.public_detail {
            Some(detail) => detail.to_owned(),
            None => error.to_string(),
        };
        let mut p = Problem::new(failure.status, failure.slug, detail);
        match &error {
            AppError::Invalid {
                field,
                reason,
                message,
            } => {
                p.detail = message.clone();
                p.field = Some((*field).to_owned());
                p.reason = Some(reason.code().to_owned());
            }
            AppError::InvalidFields(problems) => {
                if let Some(first) = problems.first() {
                    p.detail = first.message.clone();
                    p.field = Some(first.field.to_owned());
                    p.reason = Some(first.reason.code().to_owned());
                }
                p.errors = problems
                    .iter()
                    .map(|f| FieldIssue {
                        field: f.field.to_owned(),
                        reason: f.reason.code().to_owned(),
                        detail: f.message.clone(),
                    })
                    .collect();
            }
            AppError::Catalog(e) => {
                p.detail = e.to_string();
            }
            AppError::Mandate(refusal) => {
                p.field = Some("mandate".to_owned());
                p.part = Some(refusal.code().to_owned());
            }
            AppError::CaseConflict { state, version } => {
                p.current_state = Some((*state).to_owned());
                p.current_version = Some(*version);
            }
            AppError::Store(StoreError::Conflict { message, .. }) => {
                p.detail = message.clone();
            }
            _ => {}
        }
        p
    }
}
