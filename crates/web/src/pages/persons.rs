//! "People I apply for": the holder and family members with their identity documents, kept by the
//! account so that an application starts with one tap and expiry dates are known.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::cases::Relation;
use qiaoyi_app::domain::identity::DocumentKind;
use qiaoyi_app::persons::{DocumentInput, Person, PersonInput};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::cases::relation_key;
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/people", get(list).post(add))
        .route("/account/people/new", get(new_form))
        .route("/account/people/{id}", get(edit_form).post(save))
        .route("/account/people/{id}/documents", post(add_document))
        .route(
            "/account/people/{id}/documents/{doc}/remove",
            post(remove_document),
        )
}

fn kind_key(k: DocumentKind) -> String {
    format!("document-{}", k.as_str().replace('_', "-"))
}

struct PersonLine {
    id: String,
    name: String,
    relation: String,
    birth_date: String,
    place: String,
    documents: Vec<DocumentLine>,
}

struct DocumentLine {
    id: String,
    kind: String,
    masked: String,
    expiry: String,
    /// "expires in 5 months", "expired": empty when nothing to say.
    warning: String,
}

fn document_lines(p: &Prefs, person: &Person) -> Vec<DocumentLine> {
    person
        .documents
        .iter()
        .map(|d| DocumentLine {
            id: d.id.clone(),
            kind: p.t(&kind_key(d.kind)),
            masked: d.masked.clone(),
            expiry: d.expires_on.map(|e| e.to_string()).unwrap_or_default(),
            warning: match d.months_left {
                Some(m) if m < 0 => p.t("person-document-expired"),
                Some(m) if m < 9 => p.t1("person-document-expires-soon", "count", m),
                _ => String::new(),
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "persons.html")]
struct ListPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    persons: Vec<PersonLine>,
}

async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let persons = state.app.my_persons(&auth).await.for_page(&p)?;
    let page = ListPage {
        title: p.t("persons-title"),
        section: "account",
        persons: persons
            .iter()
            .map(|person| PersonLine {
                id: person.id.clone(),
                name: if person.name_latin.is_empty() {
                    person.name.clone()
                } else {
                    format!("{} · {}", person.name, person.name_latin)
                },
                relation: p.t(&relation_key(person.relation)),
                birth_date: person.birth_date.to_string(),
                place: [
                    p.t(&format!("country-{}", person.country)),
                    person.city.clone(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
                documents: document_lines(&p, person),
            })
            .collect(),
        p: &p,
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct PersonForm {
    #[serde(default)]
    relation: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_latin: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    disability: String,
    #[serde(default)]
    disability_consent: Option<String>,
}

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            relation: self.relation.clone(),
            name: self.name.clone(),
            name_latin: self.name_latin.clone(),
            birth_date: self.birth_date.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            phone: self.phone.clone(),
            disability: self.disability.clone(),
            disability_consent: self.disability_consent.is_some(),
        }
    }

    fn from_person(person: &Person) -> PersonForm {
        PersonForm {
            relation: person.relation.as_str().into(),
            name: person.name.clone(),
            name_latin: person.name_latin.clone(),
            birth_date: person.birth_date.to_string(),
            country: person.country.clone(),
            city: person.city.clone(),
            phone: person.phone.clone(),
            disability: person.disability.clone().unwrap_or_default(),
            disability_consent: person.disability.as_ref().map(|_| "on".into()),
        }
    }
}

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    /// Empty for a new person.
    id: String,
    form: PersonForm,
    relations: Vec<Choice>,
    countries: Vec<Choice>,
    documents: Vec<DocumentLine>,
    kinds: Vec<Choice>,
    document_number: String,
    document_expiry: String,
}

#[derive(Deserialize, Default)]
pub struct DocumentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    expires_on: String,
}

/// The countries offered: those with a station, and China.
async fn countries(
    state: &AppState,
    p: &Prefs,
    chosen: &str,
) -> Result<Vec<Choice>, super::PageError> {
    let mut codes: Vec<String> = state
        .app
        .stations()
        .await
        .for_page(p)?
        .iter()
        .map(|s| s.country.to_string())
        .collect();
    codes.push("CN".into());
    codes.sort();
    codes.dedup();
    let mut choices: Vec<Choice> = codes
        .into_iter()
        .map(|c| Choice {
            label: p.t(&format!("country-{c}")),
            checked: c == chosen,
            value: c,
        })
        .collect();
    choices.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(choices)
}

async fn form_page(
    state: &AppState,
    p: &Prefs,
    person: Option<&Person>,
    form: PersonForm,
    document: DocumentForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        title: match person {
            Some(person) => person.name.clone(),
            None => p.t("person-new-title"),
        },
        section: "account",
        errors,
        id: person.map(|x| x.id.clone()).unwrap_or_default(),
        relations: Relation::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: p.t(&relation_key(*r)),
                checked: form.relation == r.as_str(),
            })
            .collect(),
        countries: countries(state, p, &form.country).await?,
        documents: person.map(|x| document_lines(p, x)).unwrap_or_default(),
        kinds: DocumentKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: p.t(&kind_key(*k)),
                checked: document.kind == k.as_str(),
            })
            .collect(),
        document_number: document.number,
        document_expiry: document.expires_on,
        form,
        p,
    };
    Ok((status, render(&page)).into_response())
}

fn field_error(p: &Prefs, field: &'static str) -> FieldError {
    let key = match field {
        "relation" => "person-error-relation",
        "name" => "person-error-name",
        "name_latin" => "person-error-name-latin",
        "birth_date" => "person-error-birth-date",
        "country" => "person-error-country",
        "city" => "person-error-city",
        "phone" => "person-error-phone",
        "disability_consent" => "person-error-consent",
        "kind" => "person-error-kind",
        "number" => "person-error-number",
        _ => "person-error-expiry",
    };
    FieldError {
        field,
        message: p.t(key),
    }
}

async fn new_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    if auth.session.is_none() {
        return Err(AppError::Unauthenticated).for_page(&p);
    }
    form_page(
        &state,
        &p,
        None,
        PersonForm::default(),
        DocumentForm::default(),
        Vec::new(),
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    let person = state.app.my_person(&auth, &id).await.for_page(&p)?;
    let form = PersonForm::from_person(&person);
    form_page(
        &state,
        &p,
        Some(&person),
        form,
        DocumentForm::default(),
        Vec::new(),
    )
    .await
}

async fn saved(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: Option<&str>,
    form: PersonForm,
) -> PageResult {
    match state.app.save_person(auth, id, &form.input()).await {
        Ok(person) => Ok(Redirect::to(&format!("/account/people/{}", person.id)).into_response()),
        Err(AppError::Invalid { field, .. }) => {
            let person = match id {
                Some(id) => Some(state.app.my_person(auth, id).await.for_page(p)?),
                None => None,
            };
            let errors = vec![field_error(p, field)];
            form_page(
                state,
                p,
                person.as_ref(),
                form,
                DocumentForm::default(),
                errors,
            )
            .await
        }
        Err(other) => Err(other).for_page(p),
    }
}

async fn add(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<PersonForm>,
) -> PageResult {
    saved(&state, &p, &auth, None, form).await
}

async fn save(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> PageResult {
    saved(&state, &p, &auth, Some(&id), form).await
}

async fn add_document(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(document): Form<DocumentForm>,
) -> PageResult {
    match state
        .app
        .add_document(
            &auth,
            &id,
            &DocumentInput {
                kind: document.kind.clone(),
                number: document.number.clone(),
                expires_on: document.expires_on.clone(),
            },
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/account/people/{id}#documents")).into_response()),
        Err(AppError::Invalid { field, .. }) => {
            let person = state.app.my_person(&auth, &id).await.for_page(&p)?;
            let form = PersonForm::from_person(&person);
            let errors = vec![field_error(&p, field)];
            form_page(&state, &p, Some(&person), form, document, errors).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

async fn remove_document(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, super::PageError> {
    state
        .app
        .remove_document(&auth, &id, &doc)
        .await
        .for_page(&p)?;
    Ok(Redirect::to(&format!("/account/people/{id}#documents")).into_response())
}
