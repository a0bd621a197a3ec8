//! Who is asking: the session cookie or an API token, CSRF protection for every state-changing request, and the
//! client address for the audit log.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qiaoyi_app::Caller;
use qiaoyi_app::accounts::{Client, random_hex};

use crate::AppState;
use crate::i18n::Prefs;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits};

pub const SESSION_COOKIE: &str = "qiaoyi_session";
pub const CSRF_COOKIE: &str = "qiaoyi_csrf";
const CSRF_FIELD: &str = "csrf";
const CSRF_HEADER: &str = "x-csrf-token";
/// The one path posted by a machine outside the API (`crate::wechat`).
const WECHAT_CALLBACK: &str = "/wechat/callback";
/// Largest form body read to find its CSRF token.
const MAX_FORM: usize = 1 << 20;

/// The request's caller, put in the request's extensions for handlers, which pass `&auth` to the
/// use cases. Its `now` is the moment the request arrived, read once from the app's clock.
#[derive(Clone)]
pub struct Auth(pub Caller);

impl std::ops::Deref for Auth {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl Auth {
    /// Whether the reader may take `action` on the system as a whole, asked before a form or body
    /// is judged so that strangers learn nothing from its errors.
    pub async fn may(
        &self,
        app: &qiaoyi_app::App,
        action: qiaoyi_app::domain::access::Action,
    ) -> Result<(), qiaoyi_app::AppError> {
        app.authorize(self, action, &qiaoyi_app::domain::access::Resource::System)
            .await
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a cookie only our pages read.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_seconds: Option<i64>,
    secure: bool,
) -> Option<HeaderValue> {
    let age = max_age_seconds
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{age}{secure}"
    ))
    .ok()
}

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether the request comes from a page of this site, as far as the browser says: `Sec-Fetch-Site`
/// when it sends one (`same-origin`, or `none` for what the person typed or bookmarked), otherwise
/// `Origin` naming this host or the configured public address. Clients that are not browsers send
/// neither and pass; what protects them is that they hold no cookie a page could borrow.
pub(crate) fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    (!host.is_empty() && origin_host == host) || origin == public_url.trim_end_matches('/')
}

/// A websocket opens only from this site's pages: another site's page cannot open one with the
/// reader's cookie. The refusal of one opened from elsewhere; `what` names it ("a video room").
pub(crate) fn socket_from_elsewhere(
    headers: &HeaderMap,
    state: &AppState,
    what: &str,
) -> Option<Problem> {
    (!same_origin(headers, &state.app.config().public_url)).then(|| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "cross-origin",
            format!("{what} opens only from this site's pages"),
        )
    })
}

/// RFC 8058's one-click unsubscribe: a mail provider posts `List-Unsubscribe=One-Click` to the
/// link in a reminder's `List-Unsubscribe` header, with no cookie and no form. The link's signed
/// token is what allows it, not a session, so it needs no CSRF token.
fn is_one_click_unsubscribe(path: &str, fields: &[(String, String)]) -> bool {
    path.starts_with("/unsubscribe/")
        && fields
            .iter()
            .any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
}

/// Whether a response may be kept by shared caches (static files): such a response never sets a
/// cookie, which a cache would hand to everyone.
pub(crate) fn shared_cacheable(response: &Response) -> bool {
    response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|d| d.trim() == "public"))
}

/// Finds the session, enforces CSRF on unsafe methods, and gives pages the token for their forms.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let now = state.app.now_ms();
    let headers = request.headers().clone();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = Client {
        address: client_address(peer, &headers, &state.proxies)
            .map(|ip| ip.to_string())
            .unwrap_or_default(),
    };
    let api = request.uri().path().starts_with("/api/");
    // Another system calls the API with an API token instead of a session cookie; a token that
    // is not in force is answered at once, never taken as no one.
    let via_token = api && headers.contains_key(header::AUTHORIZATION);
    let session = if via_token {
        match token_session(&state, &headers, &client, now).await {
            Ok(session) => Some(session),
            Err(refusal) => return refusal,
        }
    } else {
        cookie_session(&state, &headers, now).await
    };
    let (csrf, new_csrf_cookie) = match (&session, cookie(&headers, CSRF_COOKIE)) {
        (Some(s), _) => (s.csrf.clone(), None),
        (None, Some(token)) if is_token(token) => (token.to_owned(), None),
        (None, _) => {
            let token = random_hex(32);
            (token.clone(), Some(token))
        }
    };

    let (mut parts, body) = request.into_parts();
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    // A form sent from another site is refused whatever it carries, before anything reads it.
    if unsafe_method && !same_origin(&headers, &state.app.config().public_url) {
        let prefs = parts.extensions.get::<Prefs>().cloned();
        return csrf_refused(parts.uri.path(), prefs);
    }
    // Every form needs the token, also without cookies: a form posted from another site to
    // `/login` would otherwise sign the browser in to the sender's account (login CSRF). A page
    // sets the token's cookie when it shows a form. API calls without a session are JSON, which a
    // cross-site form cannot send, so only those made with the session cookie need it: a page
    // cannot make the browser send an `Authorization` header to another site.
    // WeChat's callback is signed with the account's token, which a cross-site form cannot do,
    // and comes without cookies: its signature stands in for the CSRF token.
    let wechat = parts.uri.path() == WECHAT_CALLBACK;
    let needs_token = if api {
        session.is_some() && !via_token
    } else {
        !wechat
    };
    let mut one_click = false;
    let body = if unsafe_method && needs_token {
        let multipart = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let (given, body) = match headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            Some(token) => (Some(token.to_owned()), body),
            // A file upload is too large to read here: its form carries the token in its address.
            None if multipart => (query_value(parts.uri.query(), CSRF_FIELD), body),
            None => match to_bytes(body, MAX_FORM).await {
                Ok(bytes) => {
                    let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                        .unwrap_or_default();
                    one_click = is_one_click_unsubscribe(parts.uri.path(), &fields);
                    let token = fields
                        .into_iter()
                        .find(|(k, _)| k == CSRF_FIELD)
                        .map(|(_, v)| v);
                    (token, Body::from(bytes))
                }
                Err(_) => (None, Body::empty()),
            },
        };
        if !one_click && !given.is_some_and(|g| constant_time_eq(&g, &csrf)) {
            let prefs = parts.extensions.get::<Prefs>().cloned();
            return csrf_refused(parts.uri.path(), prefs);
        }
        body
    } else {
        body
    };

    // Elder mode follows the account: a choice made while signed in is remembered with it, and a
    // browser that has made no choice of its own gets the account's.
    let asked_elder = query_value(parts.uri.query(), "elder").and_then(|v| match v.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    });
    if let (Some(session), Some(on), false) = (&session, asked_elder, via_token)
        && let Err(e) = state.app.set_elder_mode(session, on).await
    {
        tracing::warn!(error = %e, "could not remember elder mode");
    }
    if let Some(prefs) = parts.extensions.get_mut::<Prefs>() {
        prefs.csrf = csrf;
        prefs.signed_in = session.is_some();
        prefs.work = session
            .as_ref()
            .filter(|s| s.is_complete())
            .map(|s| {
                crate::pages::work::work_areas(&s.actor)
                    .into_iter()
                    .map(|a| (a.href, a.key))
                    .collect()
            })
            .unwrap_or_default();
        if asked_elder.is_none() && cookie(&headers, "elder").is_none() {
            prefs.elder |= session.as_ref().is_some_and(|s| s.elder_mode);
        }
    }
    parts.extensions.insert(Auth(Caller {
        session,
        client,
        now,
    }));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(token) = new_csrf_cookie.filter(|_| !api && !wechat && !shared_cacheable(&response))
        && let Some(value) = set_cookie(
            CSRF_COOKIE,
            &token,
            None,
            state.app.config().public_url.starts_with("https://"),
        )
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Who is asking: the connection's peer, or, when the peer is one of the trusted reverse proxies,
/// the nearest address in `X-Forwarded-For` that is not one of them (read from the right, since a
/// client can write anything on the left). A header from anyone else is ignored.
pub(crate) fn client_address(
    peer: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    proxies: &[ipnet::IpNet],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    let trusted = |ip: &std::net::IpAddr| proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return Some(peer);
    }
    let mut hops: Vec<std::net::IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return Some(peer);
        };
        for hop in text.split(',') {
            match hop.trim().parse() {
                Ok(ip) => hops.push(ip),
                // A list we cannot read names no one we can believe.
                Err(_) => return Some(peer),
            }
        }
    }
    Some(
        hops.into_iter()
            .rev()
            .find(|ip| !trusted(ip))
            .unwrap_or(peer),
    )
}

async fn cookie_session(
    state: &AppState,
    headers: &HeaderMap,
    now: i64,
) -> Option<qiaoyi_app::accounts::CurrentSession> {
    let token = cookie(headers, SESSION_COOKIE)?;
    match state.app.session(token, now).await {
        Ok(session) => session,
        Err(e) => {
            // Failing to look the session up must not let the request through as someone.
            tracing::warn!(error = %e, "session lookup failed");
            None
        }
    }
}

/// The session an `Authorization: Bearer` API token stands for, or the answer to give: 401 with
/// `WWW-Authenticate` (RFC 6750) for a header that is not a bearer token in force, 429 when the
/// token, or the address sending refused ones, is over its limit.
async fn token_session(
    state: &AppState,
    headers: &HeaderMap,
    client: &Client,
    now: i64,
) -> Result<qiaoyi_app::accounts::CurrentSession, Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let found = match given {
        Some(token) => match state.app.api_token_session(token, client, now).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "API token lookup failed");
                None
            }
        },
        None => None,
    };
    let Some(session) = found else {
        if !state.limits.allow(Bucket::BadToken, &client.address) {
            return Err(Limits::refused().into_response());
        }
        let (code, detail) = if given.is_some() {
            (
                "invalid_token",
                "the API token is unknown, expired or revoked; ask an administrator for a new one",
            )
        } else {
            (
                "invalid_request",
                "send an API token as `Authorization: Bearer qyt_…`, or sign in and use the session cookie",
            )
        };
        let mut response =
            Problem::new(StatusCode::UNAUTHORIZED, "invalid-token", detail).into_response();
        if let Ok(value) = HeaderValue::from_str(&format!("Bearer error=\"{code}\"")) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        return Err(response);
    };
    if !state.limits.allow(Bucket::ApiToken, &session.actor.user_id) {
        return Err(Limits::refused().into_response());
    }
    Ok(session)
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query?)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn csrf_refused(path: &str, prefs: Option<Prefs>) -> Response {
    let detail =
        "the form's security token is missing or out of date; reload the page and send it again";
    match prefs {
        Some(p) if !path.starts_with("/api/") => {
            crate::pages::message_page(&p, StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf")
        }
        _ => Problem::new(StatusCode::FORBIDDEN, "csrf", detail).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", HeaderValue::from_str(v).expect("ascii"));
        }
        map
    }

    fn ip(text: &str) -> std::net::IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy_read_from_the_right() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let forged = headers(&["1.2.3.4"]);
        // Sent straight to the server: the header is ignored.
        assert_eq!(
            client_address(Some(ip("203.0.113.9")), &forged, &proxies),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &forged, &proxies),
            Some(ip("1.2.3.4"))
        );
        // What the client wrote on the left is passed over for what the proxies added.
        let chain = headers(&["6.6.6.6, 198.51.100.7", "10.0.0.3"]);
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &chain, &proxies),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            client_address(
                Some(ip("10.0.0.2")),
                &headers(&["not an address"]),
                &proxies
            ),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &HeaderMap::new(), &proxies),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(client_address(None, &forged, &proxies), None);
        assert_eq!(
            client_address(Some(ip("10.0.0.2")), &forged, &[]),
            Some(ip("10.0.0.2"))
        );
    }
}
