//! What pages' forms share beyond serde: fields that may repeat (ticked boxes arrive as one
//! field each), read by hand, and the status a form page answers with.

use axum::http::StatusCode;

use super::account::FieldError;

/// The name-value pairs of a form, in order (fields may repeat).
pub(super) fn pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The first value of a field, or empty.
pub(super) fn value(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every value of a repeated field, in order.
pub(super) fn values(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// 422 when the form is shown again with errors, 200 otherwise.
pub(super) fn status_of(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
