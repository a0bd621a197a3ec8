//! The people an account applies for, over the API. Document numbers are returned masked; the
//! full numbers stay sealed at rest.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::persons::{DocumentInput, Person, PersonInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
pub struct PersonBody {
    /// `self`, `child`, `parent`, `spouse`, `grandparent`, `grandchild`, `sibling` or `other`.
    relation: String,
    name: String,
    #[serde(default)]
    name_latin: String,
    /// `YYYY-MM-DD`
    birth_date: String,
    /// ISO 3166-1 alpha-2 code of the country of residence.
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    phone: String,
    /// Recorded (sealed) only with `disability_consent: true`.
    #[serde(default)]
    disability: String,
    #[serde(default)]
    disability_consent: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    id: String,
    /// `resident_id`, `passport` or `permit`.
    kind: &'static str,
    /// The number with most characters hidden.
    masked: String,
    /// `YYYY-MM-DD`
    expires_on: Option<String>,
    /// Whole months until expiry; negative once expired.
    months_left: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    id: String,
    relation: &'static str,
    name: String,
    name_latin: String,
    birth_date: String,
    /// Derived from the birth date today, never stored.
    minor: bool,
    senior: bool,
    country: String,
    city: String,
    phone: String,
    /// Whether a disability is recorded (its text is shown only on the person's own page).
    disability_recorded: bool,
    documents: Vec<DocumentView>,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        PersonView {
            id: p.id.clone(),
            relation: p.relation.as_str(),
            name: p.name.clone(),
            name_latin: p.name_latin.clone(),
            birth_date: p.birth_date.to_string(),
            minor: p.minor,
            senior: p.senior,
            country: p.country.clone(),
            city: p.city.clone(),
            phone: p.phone.clone(),
            disability_recorded: p.disability.is_some(),
            documents: p
                .documents
                .iter()
                .map(|d| DocumentView {
                    id: d.id.clone(),
                    kind: d.kind.as_str(),
                    masked: d.masked.clone(),
                    expires_on: d.expires_on.map(|e| e.to_string()),
                    months_left: d.months_left,
                })
                .collect(),
        }
    }
}

impl From<PersonBody> for PersonInput {
    fn from(b: PersonBody) -> Self {
        PersonInput {
            relation: b.relation,
            name: b.name,
            name_latin: b.name_latin,
            birth_date: b.birth_date,
            country: b.country,
            city: b.city,
            phone: b.phone,
            disability: b.disability,
            disability_consent: b.disability_consent,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct DocumentBody {
    /// `resident_id`, `passport` or `permit`.
    kind: String,
    number: String,
    /// `YYYY-MM-DD`; required for passports and permits.
    #[serde(default)]
    expires_on: String,
}

/// The people you apply for, yourself first.
#[utoipa::path(get, path = "/api/v1/persons", operation_id = "list_persons", tag = "persons",
    responses((status = 200, body = Vec<PersonView>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<PersonView>>, Problem> {
    let persons = state.app.my_persons(&auth).await?;
    Ok(Json(persons.iter().map(PersonView::from).collect()))
}

/// Add a person to your list.
#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", request_body = PersonBody,
    responses(
        (status = 201, body = PersonView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<(StatusCode, Json<PersonView>), Problem> {
    let person = state.app.save_person(&auth, None, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(PersonView::from(&person))))
}

/// One person on your list.
#[utoipa::path(get, path = "/api/v1/persons/{id}", operation_id = "show_person", tag = "persons", params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), (status = 200, body = PersonView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PersonView>, Problem> {
    let person = state.app.my_person(&auth, &id).await?;
    Ok(Json(PersonView::from(&person)))
}

/// Change a person on your list.
#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "persons", request_body = PersonBody, params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), 
        (status = 200, body = PersonView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<Json<PersonView>, Problem> {
    let person = state
        .app
        .save_person(&auth, Some(&id), &body.into())
        .await?;
    Ok(Json(PersonView::from(&person)))
}

/// Add an identity document; the number is checked by the kind's rules and stored sealed.
#[utoipa::path(post, path = "/api/v1/persons/{id}/documents", operation_id = "add_person_document", tag = "persons", request_body = DocumentBody, params(("id" = String, Path)),
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), 
        (status = 201, body = PersonView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_document(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DocumentBody>,
) -> Result<(StatusCode, Json<PersonView>), Problem> {
    let person = state
        .app
        .add_document(
            &auth,
            &id,
            &DocumentInput {
                kind: body.kind.clone(),
                number: body.number.clone(),
                expires_on: body.expires_on.clone(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(PersonView::from(&person))))
}

/// Remove an identity document.
#[utoipa::path(delete, path = "/api/v1/persons/{id}/documents/{document}", tag = "persons",
    params(("id" = String, Path), ("document" = String, Path)),
    responses((status = 401, description = "Sign in first", body = Problem, content_type = "application/problem+json"), (status = 200, body = PersonView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_document(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, document)): ApiPath<(String, String)>,
) -> Result<Json<PersonView>, Problem> {
    let person = state.app.remove_document(&auth, &id, &document).await?;
    Ok(Json(PersonView::from(&person)))
}
