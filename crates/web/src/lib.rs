//! HTTP for Qiaoyi: the JSON API under `/api/v1` (with its OpenAPI document), the HTML pages, static
//! assets, health and metrics, and the WeChat account's callback. This crate alone knows HTTP; it maps every [`qiaoyi_app::AppError`] to
//! a status in one place for the API ([`problem`]) and one for pages ([`pages::PageError`]).

mod api;
mod assets;
mod auth;
mod chat;
mod failure;
mod hall_display;
mod i18n;
mod metrics;
mod pages;
mod problem;
mod rate_limit;
mod security_headers;
mod video_room;
mod wechat;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use qiaoyi_app::App;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_json;
pub use api::signed_in::{OPEN_TO_ANYONE, open_to_anyone};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub limits: rate_limit::Limits,
    /// The video rooms with someone in them, on this node.
    pub rooms: video_room::Rooms,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`trusted_proxies`).
    pub proxies: std::sync::Arc<[ipnet::IpNet]>,
}

/// The whole router: API, pages, assets, health and metrics.
pub fn router(app: App) -> Router {
    metrics::install();
    // Uploads are the largest bodies: the configured file size and room for the form around it.
    let body_limit =
        usize::try_from(app.config().max_upload_mb).unwrap_or(10) * 1024 * 1024 + 64 * 1024;
    let security_headers = security_headers::for_deployment(&app.config().public_url);
    let secure_cookies = i18n::SecureCookies(app.config().public_url.starts_with("https://"));
    // Checked when the configuration was read.
    let proxies = app.config().proxies().unwrap_or_default().into();
    let state = AppState {
        proxies,
        app,
        limits: rate_limit::Limits::default(),
        rooms: video_room::Rooms::default(),
    };
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(chat::router())
        .merge(hall_display::router())
        .merge(video_room::router())
        .merge(wechat::router())
        .merge(assets::router())
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            secure_cookies,
            i18n::preferences,
        ))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn_with_state(
            security_headers,
            security_headers::add,
        ))
        // Pages and API answers are personal: no shared cache may keep them. Static assets set
        // their own long lifetime.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                // The route pattern only: paths can carry tokens (unsubscribe links) and query strings
                // what people typed, which stay out of logs.
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("unmatched", |m| m.as_str());
                tracing::info_span!("request", method = %request.method(), route = %route)
            }),
        )
}

/// Serves `app` on an already bound listener until `shutdown` resolves. Tests bind port 0 and call
/// this, so they run the same start-up path as `qiaoyi serve`.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}
