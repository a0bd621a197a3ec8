//! RFC 9457 problem details: the one place where API errors become status codes.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qiaoyi_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// On a conflict over a case: the state it is in now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// On a conflict over a case: the version to send with the next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
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
            current_state: None,
            current_version: None,
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
        match &error {
            AppError::NotFound(_) => {
                Problem::new(StatusCode::NOT_FOUND, "not-found", error.to_string())
            }
            AppError::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                error.to_string(),
            ),
            AppError::SecondFactorRequired => Problem::new(
                StatusCode::UNAUTHORIZED,
                "second-factor-required",
                error.to_string(),
            ),
            AppError::Forbidden(_) => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", error.to_string())
            }
            AppError::FreshSecondFactorRequired => Problem::new(
                StatusCode::UNAUTHORIZED,
                "second-factor-stale",
                error.to_string(),
            ),
            AppError::Mandate(refusal) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "mandate-refused",
                    refusal.to_string(),
                )
                .with_field("mandate");
                p.part = Some(refusal.code().to_owned());
                p
            }
            AppError::Invalid { field, message } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message.clone())
                    .with_field(*field)
            }
            AppError::Catalog(e) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-catalogue",
                e.to_string(),
            ),
            AppError::NoCatalog => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "no-catalogue",
                error.to_string(),
            ),
            AppError::NoFont(_) => {
                tracing::error!(error = %error, "certificate font missing");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no-certificate-font",
                    "the server cannot print certificates as PDF just now; the printable page works (operators: see the log)",
                )
            }
            AppError::Search(_) => {
                tracing::error!(error = %error, "search index");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "search-unavailable",
                    "search cannot answer just now; browse the catalogue and guides meanwhile (operators: see the log, or run qiaoyi reindex)",
                )
            }
            AppError::Store(e) if e.is_disk_full() => {
                tracing::error!(error = %e, "the database's disk is full");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "disk-full",
                    "the server's disk is full, so nothing was saved; try again later (operators: free space for the database)",
                )
            }
            AppError::Store(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "database unavailable");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the service cannot reach its database just now; try again in a minute",
                )
            }
            AppError::CaseConflict { state, version } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "case-conflict", error.to_string());
                p.current_state = Some((*state).to_owned());
                p.current_version = Some(*version);
                p
            }
            AppError::Calendar(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-calendar",
                error.to_string(),
            ),
            AppError::NoCalendar(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no-calendar",
                error.to_string(),
            ),
            AppError::Store(qiaoyi_app::StoreError::Conflict(message)) => {
                Problem::new(StatusCode::CONFLICT, "conflict", message.clone())
            }
            AppError::Config(_) | AppError::DataDir(_) | AppError::Store(_) => {
                tracing::error!(error = %error, "request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}
