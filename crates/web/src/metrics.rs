//! Prometheus metrics: one process-wide recorder, request counts and latencies per route, and who
//! may read them.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Upper bounds of the request-duration buckets, in seconds: the 25 ms write budget, the 1 s alert.
const DURATION_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder once per process; later calls (tests start many servers) reuse it. Every
/// family is described (Prometheus' `# HELP`) as it is installed.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            // Request durations as a histogram with buckets, not a summary: buckets add up
            // across nodes, and the slow-requests alert (ops/prometheus-alerts.yml) reads them.
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("qiaoyi_http_request_duration_seconds".into()),
                    &DURATION_BUCKETS,
                )
                .ok()?
                .install_recorder()
                .ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!(
        "qiaoyi_http_requests_total",
        "HTTP requests answered, by method, route pattern and status"
    );
    metrics::describe_histogram!(
        "qiaoyi_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer an HTTP request, by method, route pattern and status"
    );
    qiaoyi_app::outbox::describe_metrics();
}

/// The metrics in Prometheus' text format.
pub fn render() -> String {
    match install() {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => String::new(),
    }
}

/// Counts each request and its duration under the route's pattern (never the raw path, which would
/// put identifiers into labels).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = method_label(request.method()).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("qiaoyi_http_requests_total", &labels).increment(1);
    metrics::histogram!("qiaoyi_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else as `other`, since a client may
/// send any token as a method and each would otherwise become a new series.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Whether a request may read `/metrics`: with the configured bearer token when there is one,
/// otherwise only from this machine. Metrics name routes, rates and errors, which tell an outsider
/// what the service is doing; they are for the operator's scraper, not for accounts, so this is not
/// a question for the role policy.
pub fn may_read(token: Option<&str>, authorization: Option<&str>, peer: Option<IpAddr>) -> bool {
    match token {
        Some(token) => authorization
            .and_then(|a| a.strip_prefix("Bearer "))
            .is_some_and(|given| crate::auth::constant_time_eq(given.trim(), token)),
        None => peer.is_some_and(|ip| ip.is_loopback()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        let odd = axum::http::Method::from_bytes(b"XYZZY").expect("a token");
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&axum::http::Method::GET), "GET");
    }

    #[test]
    fn metrics_need_the_token_or_this_machine() {
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        let there = Some(IpAddr::from([203, 0, 113, 9]));
        assert!(may_read(None, None, here));
        assert!(!may_read(None, None, there));
        assert!(!may_read(None, None, None));
        let token = Some("scrape-token-of-the-bureau");
        assert!(may_read(
            token,
            Some("Bearer scrape-token-of-the-bureau"),
            there
        ));
        assert!(!may_read(
            token,
            Some("Bearer scrape-token-of-the-bureaX"),
            there
        ));
        assert!(!may_read(token, Some("scrape-token-of-the-bureau"), there));
        // With a token, this machine needs it too: a proxy in front makes every caller local.
        assert!(!may_read(token, None, here));
    }
}
