use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::problem::Problem;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    status: &'static str,
    /// `sqlite` or `postgres`, on readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
    /// What an operator should see to, on readiness; the service still serves. From 1 November a
    /// `calendar-missing` warning names next year while its official holiday calendar is not
    /// imported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

#[derive(Serialize, ToSchema)]
pub struct Warning {
    /// `calendar-missing`.
    code: &'static str,
    /// The year concerned.
    year: i16,
    message: String,
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        database: None,
        warnings: Vec::new(),
    })
}

/// Readiness: the database answers. Warnings (next year's missing holiday calendar) do not make
/// it fail.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, Problem> {
    match state.app.ready().await {
        Ok(()) => {
            let missing = state
                .app
                .calendar_missing_next_year(state.app.now_ms())
                .await;
            let warnings = match missing {
                Ok(Some(year)) => vec![Warning {
                    code: "calendar-missing",
                    year,
                    message: format!(
                        "the official holiday calendar for {year} is not imported; deadlines reaching into {year} are provisional until `qiaoyi import calendar {year}.toml`"
                    ),
                }],
                Ok(None) => Vec::new(),
                Err(e) => {
                    tracing::warn!(error = %e, "the working-day calendar could not be read");
                    Vec::new()
                }
            };
            Ok(Json(Health {
                status: "ready",
                database: Some(state.app.backend().as_str()),
                warnings,
            }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "the database does not answer",
            ))
        }
    }
}

/// Metrics in Prometheus' text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(),
    )
}
