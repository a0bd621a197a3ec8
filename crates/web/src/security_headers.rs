//! The headers that tell a browser what a page may do: run only the binary's own script and style,
//! never be framed, not sniff types, keep paths out of other sites' referrers, and (behind https)
//! never come back over plain http. Set on every answer unless a handler chose its own.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style anywhere (a test over the templates keeps it so), which is what makes
/// the policy worth having: injected markup cannot run. `data:` images are the empty favicon;
/// `connect-src 'self'` covers the chat's and the video room's websockets on the same host.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// A year, the shortest lifetime browsers' preload lists accept.
const HSTS: &str = "max-age=31536000";

/// The headers for a deployment reached at `public_url`.
pub fn for_deployment(public_url: &str) -> Arc<[(HeaderName, HeaderValue)]> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        // For browsers older than `frame-ancestors`.
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        // The video check needs the camera and microphone of this site only; nothing needs more.
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(self), microphone=(self), geolocation=(), payment=()",
            ),
        ),
    ];
    // Only where the deployment is reached over https: on plain http (a station's intranet, the
    // demo) it would lock browsers out of the host.
    if public_url.starts_with("https://") {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ));
    }
    headers.into()
}

/// Adds each header the handler did not set itself.
pub async fn add(
    State(headers): State<Arc<[(HeaderName, HeaderValue)]>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let set = response.headers_mut();
    for (name, value) in headers.iter() {
        if !set.contains_key(name) {
            set.insert(name.clone(), value.clone());
        }
    }
    response
}
