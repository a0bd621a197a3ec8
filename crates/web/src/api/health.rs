use axum::Json;
use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::problem::Problem;
use qiaoyi_app::AppError;

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

/// Readiness: the database answers and holds a catalogue (a load balancer keeps away from a node
/// until both). Warnings (next year's missing holiday calendar) do not make it fail.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer (`not-ready`), or no catalogue has been imported yet (`no-catalogue`)", body = Problem, content_type = "application/problem+json")
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
        Err(AppError::NoCatalog) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-catalogue",
            "no catalogue has been imported yet; run `qiaoyi import catalog DIR`",
        )),
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

/// Metrics in Prometheus' text format, for the operator's scraper: with `metrics_token` set, to a
/// request carrying it as a bearer token; otherwise to callers on the server's own machine.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain"),
        (status = 401, description = "The bearer token is missing or wrong", body = Problem,
            content_type = "application/problem+json"),
        (status = 403, description = "No token is configured and the caller is not on the server's machine",
            body = Problem, content_type = "application/problem+json")))]
pub async fn metrics(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let token = state
        .app
        .config()
        .metrics_token
        .as_ref()
        .map(|t| t.0.as_str());
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !crate::metrics::may_read(token, authorization, peer.map(|p| p.0.0.ip())) {
        return match token {
            Some(_) => (
                [(header::WWW_AUTHENTICATE, "Bearer")],
                Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "metrics-token",
                    "send the configured metrics_token as `Authorization: Bearer <token>`",
                ),
            )
                .into_response(),
            None => Problem::new(
                StatusCode::FORBIDDEN,
                "metrics-local",
                "metrics are served to this machine only; set metrics_token to scrape from elsewhere",
            )
            .into_response(),
        };
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(),
    )
        .into_response()
}
