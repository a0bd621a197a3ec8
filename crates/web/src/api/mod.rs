//! `/api/v1`: JSON over HTTP, documented by the OpenAPI document generated from these handlers.

mod cases;
mod catalog;
mod extract;
mod health;
mod identity;
mod notifications;
mod persons;
mod session;
mod stations;
mod users;

pub(crate) use cases::attachment;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Qiaoyi API",
        description = "Cross-border public services: the catalogue of business items, livelihood guides and overseas stations.",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "catalogue", description = "Categories, business items, livelihood guides, overseas stations"),
        (name = "cases", description = "Applications: opening, steps through the workflow, materials, deadlines"),
        (name = "identity", description = "Resident ID numbers and machine-readable zones checked for the forms"),
        (name = "persons", description = "The people an account applies for and their identity documents"),
        (name = "accounts", description = "Signing in and out, the second factor, the signed-in account"),
        (name = "operations", description = "Health, readiness and metrics")
    )
)]
struct ApiDoc;

/// Every documented route; the OpenAPI document is built from the same list, so a route cannot be
/// served without being documented.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(openapi))
        .routes(routes!(catalog::categories))
        .routes(routes!(catalog::items))
        .routes(routes!(catalog::item))
        .routes(routes!(catalog::guides))
        .routes(routes!(catalog::guide))
        .routes(routes!(catalog::stations))
        .routes(routes!(stations::put))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::show))
        .routes(routes!(users::roles))
        .routes(routes!(users::status))
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::second_factor))
        .routes(routes!(session::me))
        .routes(routes!(session::access_log))
        .routes(routes!(cases::open, cases::list))
        .routes(routes!(cases::show))
        .routes(routes!(cases::step))
        .routes(routes!(cases::upload))
        .routes(routes!(cases::download))
        .routes(routes!(cases::deadline))
        .routes(routes!(identity::resident_id))
        .routes(routes!(identity::mrz))
        .routes(routes!(persons::list, persons::add))
        .routes(routes!(persons::show, persons::update))
        .routes(routes!(persons::add_document))
        .routes(routes!(persons::remove_document))
        .routes(routes!(notifications::choices, notifications::save))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::retry))
}

/// The OpenAPI 3.1 document as JSON.
pub fn openapi_json() -> String {
    let (_, doc) = router().split_for_parts();
    doc.to_pretty_json()
        .unwrap_or_else(|e| unreachable!("the OpenAPI document serialises: {e}"))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
}
