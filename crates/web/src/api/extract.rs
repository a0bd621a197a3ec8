//! Extractors whose refusals are problem JSON rather than axum's plain-text rejections.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// Query parameters; a malformed query is a 400 problem that says which parameter is wrong.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "bad-query",
                format!("{}; check the query parameters", rejection.body_text()),
            )),
        }
    }
}

/// A JSON body; a malformed one is a 400 or 422 problem saying what is wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(Problem::new(
                rejection.status(),
                "bad-body",
                format!(
                    "{}; send a JSON object as the API document describes",
                    rejection.body_text()
                ),
            )),
        }
    }
}

/// Path parameters; one that does not parse (a negative index, bad percent-encoding) is a 400
/// problem naming it.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "bad-path",
                format!("{}; check the address", rejection.body_text()),
            )),
        }
    }
}
