//! Who may call an operation before anything else is read: the few operations open to anyone, and
//! a session for all the others. Checked before the handler's extractors run, so a caller without
//! a session learns nothing from the API's answers to malformed input (a 400 or 422 naming the
//! wrong parameter would tell her the operation and its parameters are there for the taking).

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qiaoyi_app::AppError;

use crate::auth::Auth;
use crate::problem::Problem;

/// The operations anyone may call: public information, signing in and setting a forgotten
/// password, a case's status with a code sent to its applicant, checking a certificate or an
/// identity number, a guest's consultation (which its key admits), and a hall's numbers (taken on a
/// phone, followed by their secret, and rated by it) and board, and the satisfaction rates.
pub const OPEN_TO_ANYONE: &[(Method, &str)] = &[
    (Method::GET, "/healthz"),
    (Method::GET, "/readyz"),
    // Its own bearer token, or loopback.
    (Method::GET, "/metrics"),
    (Method::GET, "/api/v1/openapi.json"),
    (Method::GET, "/api/v1/catalog/categories"),
    (Method::GET, "/api/v1/catalog/items"),
    (Method::GET, "/api/v1/catalog/items/{code}"),
    (Method::GET, "/api/v1/guides"),
    (Method::GET, "/api/v1/guides/{code}"),
    (Method::GET, "/api/v1/stations"),
    (Method::GET, "/api/v1/search"),
    (Method::GET, "/api/v1/calendar/deadline"),
    (Method::POST, "/api/v1/session"),
    (Method::DELETE, "/api/v1/session"),
    (Method::POST, "/api/v1/session/second-factor"),
    (Method::POST, "/api/v1/password/forgot"),
    (Method::POST, "/api/v1/password/reset"),
    (Method::POST, "/api/v1/password/reset-with-code"),
    (Method::POST, "/api/v1/case-status/codes"),
    (Method::POST, "/api/v1/case-status"),
    (Method::GET, "/api/v1/verify/{id}"),
    (Method::GET, "/.well-known/jwks.json"),
    (Method::POST, "/api/v1/identity/resident-id"),
    (Method::POST, "/api/v1/identity/mrz"),
    (Method::POST, "/api/v1/consultations"),
    (Method::GET, "/api/v1/consultations/{id}"),
    (Method::POST, "/api/v1/consultations/{id}/messages"),
    (Method::POST, "/api/v1/consultations/{id}/files"),
    (Method::GET, "/api/v1/consultations/{id}/files/{seq}"),
    (Method::POST, "/api/v1/consultations/{id}/close"),
    (Method::POST, "/api/v1/consultations/{id}/transfer"),
    (Method::POST, "/api/v1/consultations/{id}/case"),
    (Method::POST, "/api/v1/halls/{station}/numbers"),
    (Method::GET, "/api/v1/hall/numbers/{secret}"),
    (Method::DELETE, "/api/v1/hall/numbers/{secret}"),
    (Method::GET, "/api/v1/halls/{station}/board"),
    (Method::GET, "/api/v1/halls/{station}/rules"),
    (Method::POST, "/api/v1/hall/numbers/{secret}/evaluation"),
    (Method::GET, "/api/v1/satisfaction"),
];

/// Whether `method` on the route `path` (its pattern) is open to anyone. HEAD is GET's.
pub fn open_to_anyone(method: &Method, path: &str) -> bool {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    OPEN_TO_ANYONE
        .iter()
        .any(|(m, p)| m == method && *p == path)
}

/// Answers 401 to a caller without a session on every operation not open to anyone, before the
/// operation reads its path, query or body.
pub async fn require_session(request: Request, next: Next) -> Response {
    let extensions = request.extensions();
    let signed_in = extensions
        .get::<Auth>()
        .is_some_and(|auth| auth.session().is_some());
    let allowed = signed_in
        || extensions
            .get::<MatchedPath>()
            .is_some_and(|path| open_to_anyone(request.method(), path.as_str()));
    if allowed {
        next.run(request).await
    } else {
        Problem::from(AppError::Unauthenticated).into_response()
    }
}
