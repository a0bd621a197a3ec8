//! The care programme on pages: care workers list the children (one township or all), record a
//! child with a guardian's consent, read a child's record and record home visits; a parent abroad
//! sees her own children and their visits (`/account/children`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::AppError;
use qiaoyi_app::care::{Child, ChildRequest, ParentInput, VisitInput};
use qiaoyi_app::domain::care::{CONSENT_VERSION, LANGUAGES, Topic};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::{Auth, now_ms};
use crate::i18n::Prefs;

const PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care", get(children))
        .route("/care/children/new", get(new_child).post(record))
        .route("/care/children/{id}", get(child))
        .route("/care/children/{id}/visits", axum::routing::post(visit))
        .route("/account/children", get(mine))
}

/// A child as the pages show her.
pub struct ChildLine {
    pub id: String,
    pub name: String,
    pub age: i16,
    pub birth_date: String,
    pub township: String,
    pub village: String,
    pub school: String,
    pub guardian: String,
    pub languages: String,
    pub consent: String,
    pub photo: String,
    pub parents: Vec<(String, String)>,
    pub visits: Vec<VisitLine>,
}

pub struct VisitLine {
    pub date: String,
    pub topics: String,
    pub notes: String,
    pub follow_up: bool,
    pub volunteer: String,
}

fn topic_name(p: &Prefs, t: Topic) -> String {
    p.t(&format!("care-topic-{}", t.as_str()))
}

fn line(p: &Prefs, c: Child) -> ChildLine {
    ChildLine {
        languages: c
            .languages
            .iter()
            .map(|l| p.t(&format!("care-language-{l}")))
            .collect::<Vec<_>>()
            .join(", "),
        consent: format!(
            "{} · {} · v{} · {}",
            c.consent_by,
            p.t(&format!("care-consent-{}", c.consent_relation)),
            c.consent_version,
            when(c.consented_at)
        ),
        photo: p.t(if c.photo_allowed {
            "care-photo-allowed"
        } else {
            "care-photo-not-allowed"
        }),
        parents: c
            .parents
            .into_iter()
            .map(|parent| {
                let country = p.t_or(&format!("country-{}", parent.country), &parent.country);
                (parent.display_name, country)
            })
            .collect(),
        visits: c
            .visits
            .into_iter()
            .map(|v| VisitLine {
                topics: v
                    .topics
                    .iter()
                    .map(|t| topic_name(p, *t))
                    .collect::<Vec<_>>()
                    .join(", "),
                date: v.date,
                notes: v.notes,
                follow_up: v.follow_up,
                volunteer: v.volunteer,
            })
            .collect(),
        id: c.id,
        name: c.name,
        age: c.age,
        birth_date: c.birth_date,
        township: c.township,
        village: c.village,
        school: c.school,
        guardian: c.guardian,
    }
}

#[derive(Template)]
#[template(path = "care_children.html")]
struct ChildrenPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    children: Vec<ChildLine>,
    townships: Vec<String>,
    township: String,
    total: u64,
    previous: Option<u64>,
    next: Option<u64>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    township: String,
    #[serde(default)]
    offset: u64,
}

async fn children(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let page = state
        .app
        .care_children(
            auth.session.as_ref(),
            &q.township,
            q.offset,
            PAGE,
            &auth.client,
            now_ms(),
        )
        .await
        .for_page(&p)?;
    let next = q.offset + PAGE;
    let page = ChildrenPage {
        title: p.t("care-title"),
        section: "account",
        previous: q.offset.checked_sub(PAGE).or((q.offset > 0).then_some(0)),
        next: (next < page.total).then_some(next),
        total: page.total,
        children: page.items.into_iter().map(|c| line(&p, c)).collect(),
        townships: state
            .app
            .townships()
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        township: q.township,
        p: &p,
    };
    Ok(render(&page))
}

/// The child form as it was sent.
#[derive(Default, Clone)]
pub struct ChildForm {
    pub name: String,
    pub birth_date: String,
    pub township: String,
    pub village: String,
    pub school: String,
    pub guardian: String,
    pub languages: Vec<String>,
    pub consent_version: String,
    pub consent_by: String,
    pub consent_relation: String,
    pub consent_given: bool,
    pub photo_allowed: bool,
    pub parent_email: String,
    pub parent_country: String,
}

impl ChildForm {
    fn from_body(body: &[u8]) -> ChildForm {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut form = ChildForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "name" => form.name = value,
                "birth_date" => form.birth_date = value,
                "township" => form.township = value,
                "village" => form.village = value,
                "school" => form.school = value,
                "guardian" => form.guardian = value,
                "languages" => form.languages.push(value),
                "consent_version" => form.consent_version = value,
                "consent_by" => form.consent_by = value,
                "consent_relation" => form.consent_relation = value,
                "consent_given" => form.consent_given = value == "yes",
                "photo_allowed" => form.photo_allowed = value == "yes",
                "parent_email" => form.parent_email = value,
                "parent_country" => form.parent_country = value,
                _ => {}
            }
        }
        form
    }
}

#[derive(Template)]
#[template(path = "care_child_form.html")]
struct FormPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    form: ChildForm,
    townships: Vec<String>,
    languages: Vec<(&'static str, String, bool)>,
    consent_version: u32,
}

fn form_page(state: &AppState, p: &Prefs, form: ChildForm, errors: Vec<FieldError>) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        title: p.t("care-new-title"),
        section: "account",
        errors,
        townships: state
            .app
            .townships()
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        languages: LANGUAGES
            .iter()
            .map(|l| {
                (
                    *l,
                    p.t(&format!("care-language-{l}")),
                    form.languages.iter().any(|x| x == l),
                )
            })
            .collect(),
        consent_version: CONSENT_VERSION,
        form,
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn new_child(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    // Only care workers see the form; others are refused (and the refusal audited) as the list is.
    state
        .app
        .care_children(auth.session.as_ref(), "", 0, 1, &auth.client, now_ms())
        .await
        .for_page(&p)?;
    form_page(&state, &p, ChildForm::default(), Vec::new())
}

fn field_error(p: &Prefs, field: &'static str) -> FieldError {
    FieldError {
        field,
        message: p.t(&format!("care-error-{}", field.replace('_', "-"))),
    }
}

async fn record(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = ChildForm::from_body(&body);
    if !form.consent_given {
        return form_page(&state, &p, form, vec![field_error(&p, "consent")]);
    }
    let request = ChildRequest {
        name: form.name.clone(),
        birth_date: form.birth_date.clone(),
        township: form.township.clone(),
        village: form.village.clone(),
        school: form.school.clone(),
        guardian: form.guardian.clone(),
        languages: form.languages.clone(),
        consent_version: form.consent_version.clone(),
        consent_by: form.consent_by.clone(),
        consent_relation: form.consent_relation.clone(),
        photo_allowed: form.photo_allowed,
        parents: vec![ParentInput {
            email: form.parent_email.clone(),
            country: form.parent_country.clone(),
        }],
    };
    match state
        .app
        .record_child(auth.session.as_ref(), &request, &auth.client, now_ms())
        .await
    {
        Ok(c) => Ok(Redirect::to(&format!("/care/children/{}", c.id)).into_response()),
        Err(AppError::Invalid { field, message }) => {
            let field = if field == "birth_date" && message.contains("18") {
                "not_a_minor"
            } else {
                field
            };
            form_page(&state, &p, form, vec![field_error(&p, field)])
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "care_child.html")]
struct ChildPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    child: ChildLine,
    errors: Vec<FieldError>,
    form: VisitForm,
    topics: Vec<(&'static str, String, bool)>,
}

/// The visit form as it was sent.
#[derive(Default, Clone)]
pub struct VisitForm {
    pub date: String,
    pub topics: Vec<String>,
    pub notes: String,
    pub follow_up: bool,
}

impl VisitForm {
    fn from_body(body: &[u8]) -> VisitForm {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut form = VisitForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "date" => form.date = value,
                "topics" => form.topics.push(value),
                "notes" => form.notes = value,
                "follow_up" => form.follow_up = value == "yes",
                _ => {}
            }
        }
        form
    }
}

async fn child_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    errors: Vec<FieldError>,
    form: VisitForm,
) -> PageResult {
    let c = state
        .app
        .care_child(auth.session.as_ref(), id, &auth.client, now_ms())
        .await
        .for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ChildPage {
        title: c.name.clone(),
        section: "account",
        child: line(p, c),
        errors,
        topics: Topic::ALL
            .iter()
            .map(|t| {
                (
                    t.as_str(),
                    topic_name(p, *t),
                    form.topics.iter().any(|x| x == t.as_str()),
                )
            })
            .collect(),
        form,
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn child(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    child_page(&state, &p, &auth, &id, Vec::new(), VisitForm::default()).await
}

async fn visit(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = VisitForm::from_body(&body);
    let input = VisitInput {
        date: form.date.clone(),
        topics: form.topics.clone(),
        notes: form.notes.clone(),
        follow_up: form.follow_up,
    };
    match state
        .app
        .record_visit(auth.session.as_ref(), &id, &input, &auth.client, now_ms())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/care/children/{id}#visits-{id}")).into_response()),
        Err(AppError::Invalid { field, message }) => {
            let key = match field {
                "date" if message.contains("before it happens") => "care-error-visit-future",
                "date" if message.contains("born") => "care-error-visit-before-birth",
                "date" => "care-error-visit-date",
                "topics" => "care-error-topics",
                _ => "care-error-notes",
            };
            let error = FieldError {
                field,
                message: p.t(key),
            };
            child_page(&state, &p, &auth, &id, vec![error], form).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Template)]
#[template(path = "care_mine.html")]
struct MinePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    children: Vec<ChildLine>,
}

async fn mine(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let children = state
        .app
        .my_children(auth.session.as_ref(), &auth.client, now_ms())
        .await
        .for_page(&p)?;
    let page = MinePage {
        title: p.t("care-mine-title"),
        section: "account",
        children: children.into_iter().map(|c| line(&p, c)).collect(),
        p: &p,
    };
    Ok(render(&page))
}
