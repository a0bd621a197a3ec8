//! `/api/v1`: JSON over HTTP, documented by the OpenAPI document generated from these handlers.

mod api_tokens;
mod calendar;
mod care;
mod care_board;
mod case_status;
pub(crate) mod cases;
mod catalog;
mod certificates;
mod consultations;
mod evaluations;
mod extract;
mod fees;
mod green_channel;
mod hall;
mod health;
mod identity;
mod mandates;
mod notifications;
mod password_reset;
mod persons;
mod search;
pub(crate) mod session;
pub(crate) mod signed_in;
mod stations;
pub(crate) mod stats;
mod users;
mod video;
mod wechat_link;

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
        (name = "certificates", description = "Electronic certificates: public verification, revocation"),
        (name = "fees", description = "Fees of a case: statement, payments (also on someone's behalf), refunds, write-offs, receipts"),
        (name = "identity", description = "Resident ID numbers and machine-readable zones checked for the forms"),
        (name = "consultations", description = "The 24-hour consultation line: questions, messages, the consultants' inbox, shifts and canned answers"),
        (name = "mandates", description = "Proxy handling (代办): mandates from a principal to an agent, confirmed, used, revoked"),
        (name = "persons", description = "The people an account applies for and their identity documents"),
        (name = "green-channel", description = "The emergency green channel (绿色通道): requests on cases, the duty leaders' board, decisions, evidence"),
        (name = "care", description = "The care programme for children whose parents work abroad: children recorded with consent, every read audited; volunteers, pairing with proxy parents, visit alerts, micro-wishes, activities; parents follow their own and write to the proxy parent"),
        (name = "video", description = "Video identity checks: slots in Beijing time shown in each person's zone, bookings, moves, cancellations, no-shows; participants, what the officer recorded of each, and the rooms"),
        (name = "hall", description = "A station's service hall: numbers taken on a phone, at the kiosk or at reception, followed by their secret; calls to windows by the hall's rules; the hall's board"),
        (name = "evaluation", description = "Public evaluation (好差评): five-level ratings of hall visits and closed cases, follow-ups of poor ones with their call-backs, satisfaction rates"),
        (name = "statistics", description = "Matters handled, consultations, money and working days saved, processing times; exports; the cost model"),
        (name = "accounts", description = "Signing in and out, the second factor, the signed-in account; accounts, roles and API tokens"),
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
        .routes(routes!(search::search))
        .routes(routes!(stations::put))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::show))
        .routes(routes!(users::roles))
        .routes(routes!(users::status))
        .routes(routes!(users::role_requests))
        .routes(routes!(users::approve_roles))
        .routes(routes!(users::reject_roles))
        .routes(routes!(api_tokens::list, api_tokens::create))
        .routes(routes!(api_tokens::revoke))
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::second_factor))
        .routes(routes!(session::me))
        .routes(routes!(session::access_log))
        .routes(routes!(session::change_password))
        .routes(routes!(password_reset::forgot))
        .routes(routes!(password_reset::reset))
        .routes(routes!(password_reset::reset_with_code))
        .routes(routes!(password_reset::issue_code))
        .routes(routes!(password_reset::reset_second_factor))
        .routes(routes!(certificates::jwks))
        .routes(routes!(case_status::request_code))
        .routes(routes!(case_status::status))
        .routes(routes!(cases::open, cases::list))
        .routes(routes!(cases::show))
        .routes(routes!(cases::step))
        .routes(routes!(cases::upload))
        .routes(routes!(cases::download))
        .routes(routes!(cases::deadline))
        .routes(routes!(calendar::years))
        .routes(routes!(calendar::import))
        .routes(routes!(fees::statement, fees::record))
        .routes(routes!(fees::receipt))
        .routes(routes!(fees::recorded))
        .routes(routes!(certificates::verify))
        .routes(routes!(certificates::revoke))
        .routes(routes!(certificates::pdf))
        .routes(routes!(identity::resident_id))
        .routes(routes!(identity::mrz))
        .routes(routes!(consultations::list, consultations::open))
        .routes(routes!(consultations::inbox))
        .routes(routes!(consultations::show))
        .routes(routes!(consultations::post_message))
        .routes(routes!(consultations::attach))
        .routes(routes!(consultations::download))
        .routes(routes!(consultations::transfer))
        .routes(routes!(consultations::close))
        .routes(routes!(consultations::link_case))
        .routes(routes!(consultations::rota))
        .routes(routes!(consultations::set_shifts))
        .routes(routes!(consultations::answers, consultations::save_answer))
        .routes(routes!(mandates::list, mandates::request))
        .routes(routes!(mandates::show))
        .routes(routes!(mandates::confirm))
        .routes(routes!(mandates::revoke))
        .routes(routes!(mandates::add_document))
        .routes(routes!(mandates::document))
        .routes(routes!(persons::list, persons::add))
        .routes(routes!(persons::show, persons::update))
        .routes(routes!(persons::add_document))
        .routes(routes!(persons::remove_document))
        .routes(routes!(notifications::choices, notifications::save))
        .routes(routes!(
            wechat_link::show,
            wechat_link::link,
            wechat_link::unlink
        ))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::retry))
        .routes(routes!(green_channel::request))
        .routes(routes!(green_channel::board))
        .routes(routes!(green_channel::show))
        .routes(routes!(green_channel::decide))
        .routes(routes!(green_channel::add_evidence))
        .routes(routes!(green_channel::evidence))
        .routes(routes!(video::publish, video::mine))
        .routes(routes!(video::case_video, video::book))
        .routes(routes!(video::calendar))
        .routes(routes!(video::cancel))
        .routes(routes!(video::no_show))
        .routes(routes!(video::reschedule))
        .routes(routes!(video::participants, video::add_participant))
        .routes(routes!(video::remove_participant))
        .routes(routes!(video::record_verdict))
        .routes(routes!(video::room))
        .routes(routes!(care::list, care::record))
        .routes(routes!(care::show))
        .routes(routes!(care::add_visit))
        .routes(routes!(care::mine))
        .routes(routes!(care_board::volunteers))
        .routes(routes!(care_board::my_profile, care_board::save_profile))
        .routes(routes!(care_board::my_children))
        .routes(routes!(care_board::my_visits))
        .routes(routes!(care_board::proposal))
        .routes(routes!(care_board::pairings, care_board::confirm))
        .routes(routes!(care_board::preference))
        .routes(routes!(care_board::wishes))
        .routes(routes!(care_board::add_wish))
        .routes(routes!(care_board::advance_wish))
        .routes(routes!(care_board::activities, care_board::add_activity))
        .routes(routes!(care_board::activity))
        .routes(routes!(care_board::attendance))
        .routes(routes!(care_board::send_message))
        .routes(routes!(hall::take))
        .routes(routes!(hall::follow, hall::give_back))
        .routes(routes!(hall::board))
        .routes(routes!(hall::day))
        .routes(routes!(hall::call))
        .routes(routes!(hall::move_number))
        .routes(routes!(hall::rules, hall::save_rules))
        .routes(routes!(evaluations::rate_visit))
        .routes(routes!(evaluations::rate_case))
        .routes(routes!(evaluations::follow_ups))
        .routes(routes!(evaluations::call_back))
        .routes(routes!(evaluations::satisfaction))
        .routes(routes!(stats::statistics))
        .routes(routes!(stats::cases))
        .routes(routes!(stats::export))
        .routes(routes!(stats::cost_model, stats::save_cost_model))
        .route_layer(axum::middleware::from_fn(signed_in::require_session))
}

/// The OpenAPI 3.1 document as JSON.
pub fn openapi_json() -> String {
    let (_, mut doc) = router().split_for_parts();
    document_common_refusals(&mut doc);
    describe_bare_responses(&mut doc);
    declare_security(&mut doc);
    doc.to_pretty_json()
        .unwrap_or_else(|e| unreachable!("the OpenAPI document serialises: {e}"))
}

/// Adds the refusals any operation can give, where its handler did not document them: 400 for a
/// request that cannot be read, 415 for a body of another content type, 422 for values that do
/// not pass the checks (operations that take input), 401 and 429 for API tokens not in force or
/// over their limit, 503 while the database is unreachable or its disk is full. All are problem
/// JSON.
fn document_common_refusals(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for operation in operations_mut(doc) {
        let has_body = operation.request_body.is_some();
        let takes_input = has_body || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let responses = &mut operation.responses.responses;
        let mut add = |status: &str, description: &str| {
            responses
                .entry(status.to_owned())
                .or_insert_with(|| problem(description));
        };
        if takes_input {
            add(
                "400",
                "The request cannot be read: malformed JSON, query or path",
            );
            add("422", "A value does not pass the checks; `field` names it");
        }
        if has_body {
            add(
                "415",
                "The body is not of the content type this operation takes",
            );
        }
        // Any operation refuses an `Authorization` header that is not an API token in force
        // (RFC 6750), and limits a token's requests and an address's refused headers.
        add(
            "401",
            "Not signed in, or an `Authorization` header that is not an API token in force",
        );
        add(
            "429",
            "Too many requests with this API token, or refused ones from this address; wait and try again",
        );
        add(
            "503",
            "The database cannot be reached just now, or its disk is full; try again later",
        );
    }
}

/// The two ways to call an operation that is not open to anyone: a browser's session cookie (with
/// its CSRF token on changes), or an API token an administrator made, as `Authorization: Bearer`.
fn declare_security(doc: &mut utoipa::openapi::OpenApi) {
    use axum::http::Method;
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    };
    let components = doc
        .components
        .get_or_insert_with(utoipa::openapi::Components::new);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::auth::SESSION_COOKIE,
            "The session of a person signed in with `POST /api/v1/session` (and the second factor \
             where her role needs one). A change also sends the session's CSRF token as \
             `X-CSRF-Token`.",
        ))),
    );
    components.add_security_scheme(
        "apiToken",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("qyt_ and 64 hex digits")
                .description(Some(
                    "An API token an administrator made for a service account, with one role and \
                     its scope, until it expires or is revoked. No CSRF token is needed; deciding \
                     actions are refused (a person signs in to decide).",
                ))
                .build(),
        ),
    );
    let either = || {
        vec![
            SecurityRequirement::new("session", Vec::<String>::new()),
            SecurityRequirement::new("apiToken", Vec::<String>::new()),
        ]
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, item.get.as_mut()),
            (Method::PUT, item.put.as_mut()),
            (Method::POST, item.post.as_mut()),
            (Method::DELETE, item.delete.as_mut()),
            (Method::PATCH, item.patch.as_mut()),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation
                && !signed_in::open_to_anyone(&method, path)
            {
                operation.security = Some(either());
            }
        }
    }
}

/// Every operation of the document, whatever its method.
fn operations_mut(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ]
        .into_iter()
        .flatten()
    })
}

/// Gives every response its handler left undescribed (`(status = 201, body = …)`) the meaning of
/// its status: OpenAPI requires a description on each, and clients generated from the document
/// show it.
fn describe_bare_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for operation in operations_mut(doc) {
        for (status, response) in operation.responses.responses.iter_mut() {
            if let RefOr::T(response) = response
                && response.description.is_empty()
            {
                response.description = status_meaning(status).to_owned();
            }
        }
    }
}

/// What a status means in this API, for responses described by their status alone.
fn status_meaning(status: &str) -> &'static str {
    match status {
        "200" => "Done: the result",
        "201" => "Created: the new record",
        "202" => "Accepted: it happens in the background",
        "204" => "Done: nothing to return",
        "303" => "See the page at `Location`",
        "400" => "The request cannot be read: malformed JSON, query or path",
        "401" => {
            "Not signed in, the session lacks a second factor this needs, or the API token is not in force"
        }
        "403" => "Signed in, but not allowed to do this",
        "404" => "No such record, or none the caller may see",
        "409" => "Someone changed it first; read it again and retry",
        "410" => "Gone: it was used, replaced or is too old",
        "413" => "The body is larger than this operation takes",
        "415" => "The body is not of the content type this operation takes",
        "422" => "A value does not pass the checks; `field` names it",
        "429" => "Too many requests from this address; wait and try again",
        "503" => "Not available just now; try again later",
        _ => "See the status code",
    }
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

#[cfg(test)]
mod tests {
    /// utoipa names a schema after its type alone, so two types of one name in different modules
    /// would silently share one schema in the document, and one of them would be described wrong.
    #[test]
    fn schema_names_are_unique() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
        let mut seen = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(dir).expect("api sources") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("source");
            let mut schema_next = false;
            for line in text.lines() {
                let line = line.trim();
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    schema_next = true;
                } else if schema_next
                    && let Some(rest) = line
                        .strip_prefix("pub struct ")
                        .or_else(|| line.strip_prefix("pub enum "))
                {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if let Some(other) = seen.insert(name.clone(), path.clone()) {
                        panic!("{name} is a schema in {other:?} and {path:?}");
                    }
                    schema_next = false;
                }
            }
        }
        assert!(
            seen.len() > 30,
            "the scan found the schemas ({})",
            seen.len()
        );
    }

    /// OpenAPI asks every operation id to be unique, and utoipa takes a handler's name for it, so
    /// two handlers of one name in different modules (`board`) would break every tool that reads
    /// the document.
    #[test]
    fn operation_ids_are_unique() {
        let doc: serde_json::Value =
            serde_json::from_str(&super::openapi_json()).expect("the document is JSON");
        let mut seen = std::collections::BTreeMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                let Some(id) = operation["operationId"].as_str() else {
                    continue;
                };
                if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                    panic!("operation id {id} names both {other} and {method} {path}");
                }
            }
        }
        assert!(
            seen.len() > 100,
            "the scan found the operations ({})",
            seen.len()
        );
    }
}
