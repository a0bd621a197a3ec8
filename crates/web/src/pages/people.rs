//! A person's own identity numbers, "who read my file", and staff reading a person's file for a
//! stated purpose.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Form, Router};
use qiaoyi_app::AppError;
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/identity", get(identity_form).post(save_identity))
        .route("/account/access-log", get(access_log))
        .route("/people", get(find_form).post(find))
        .route("/people/{id}", get(file))
}

#[derive(Template)]
#[template(path = "identity.html")]
struct IdentityPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    current_resident_id: Option<String>,
    current_passport: Option<String>,
    resident_id: String,
    passport: String,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: bool,
}

async fn identity_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    form: IdentityForm,
    saved: bool,
) -> PageResult {
    let identity = state.app.my_identity(auth).await.for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = IdentityPage {
        title: p.t("identity-title"),
        section: "account",
        errors,
        current_resident_id: identity.resident_id.map(|r| r.masked()),
        current_passport: identity.passport.map(|n| n.masked()),
        resident_id: form.resident_id,
        passport: form.passport,
        saved,
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn identity_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    identity_page(
        &state,
        &p,
        &auth,
        Vec::new(),
        IdentityForm::default(),
        q.saved,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct IdentityForm {
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    passport: String,
}

async fn save_identity(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<IdentityForm>,
) -> PageResult {
    match state
        .app
        .save_my_identity(&auth, &form.resident_id, &form.passport)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account/identity?saved=true").into_response()),
        Err(AppError::Invalid { field, .. }) => {
            let (field, key) = if field == "passport" {
                ("passport", "identity-passport-invalid")
            } else {
                ("resident_id", "identity-resident-id-invalid")
            };
            let errors = vec![FieldError {
                field,
                message: p.t(key),
            }];
            identity_page(&state, &p, &auth, errors, form, false).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

struct AccessLine {
    at: String,
    role: String,
    station: String,
    what: String,
    /// "3 times", for repeated reads shown as one line.
    times: Option<String>,
    refused: bool,
    purpose: String,
    /// Who, by name: for her children's records in the care programme.
    reader: String,
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    lines: Vec<AccessLine>,
    page: u64,
    pages: u64,
}

const ACCESSES_PER_PAGE: u64 = 50;

#[derive(Deserialize, Default)]
pub struct AccessQuery {
    page: Option<String>,
}

async fn access_log(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<AccessQuery>,
) -> PageResult {
    let page = super::page_number(q.page.as_deref());
    let accesses = state
        .app
        .who_read_my_file(
            &auth,
            (page - 1).saturating_mul(ACCESSES_PER_PAGE),
            ACCESSES_PER_PAGE,
        )
        .await
        .for_page(&p)?;
    let pages = accesses.total.div_ceil(ACCESSES_PER_PAGE).max(1);
    let lines = accesses
        .items
        .into_iter()
        .map(|a| AccessLine {
            // Repeated reads on one line: from the first to the latest.
            at: if a.first_at_ms < a.at_ms {
                format!("{} – {}", when(a.first_at_ms), when(a.at_ms))
            } else {
                when(a.at_ms)
            },
            role: a
                .role
                .split(',')
                .filter(|r| !r.is_empty())
                .map(|r| p.t_or(&format!("role-{r}"), r))
                .collect::<Vec<_>>()
                .join(p.t("list-separator").as_str()),
            station: a.station,
            what: p.t_or(&format!("access-{}", a.action), &p.t("access-other")),
            times: (a.count > 1).then(|| p.t1("access-log-times", "count", a.count)),
            refused: a.refused,
            // A record's own id (a wish's, a slot's) says nothing to her: only words are shown.
            purpose: if a.purpose.split_whitespace().any(is_record_id) {
                String::new()
            } else {
                a.purpose
            },
            reader: a.reader_name,
        })
        .collect();
    let view = AccessLogPage {
        title: p.t("access-log-title"),
        section: "account",
        lines,
        page,
        pages,
        p: &p,
    };
    Ok(render(&view))
}

#[derive(Deserialize, Default, Clone)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    purpose: String,
}

#[derive(Template)]
#[template(path = "people.html")]
struct FindPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    q: String,
    purpose: String,
    searched: bool,
    found: Option<String>,
}

/// The search form; showing it is itself only for those who may search.
async fn find_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(query): Query<FindQuery>,
) -> PageResult {
    state
        .app
        .authorize(
            &auth,
            qiaoyi_app::domain::access::Action::ListPeople,
            &qiaoyi_app::domain::access::Resource::System,
        )
        .await
        .for_page(&p)?;
    let page = FindPage {
        title: p.t("people-title"),
        section: "account",
        errors: Vec::new(),
        q: String::new(),
        purpose: query.purpose,
        searched: false,
        found: None,
        p: &p,
    };
    Ok(render(&page))
}

/// The search itself is a POST, so identity numbers typed into it never appear in a URL or a log.
async fn find(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(query): Form<FindQuery>,
) -> PageResult {
    let searched = true;
    let mut errors = Vec::new();
    let mut found = None;
    match state.app.find_person(&auth, &query.q, &query.purpose).await {
        Ok(id) => found = id,
        Err(AppError::Invalid { field, .. }) => {
            let (field, key) = if field == "purpose" {
                ("purpose", "people-purpose-invalid")
            } else {
                ("q", "people-query-invalid")
            };
            errors.push(FieldError {
                field,
                message: p.t(key),
            });
        }
        Err(other) => return Err(other).for_page(&p),
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FindPage {
        title: p.t("people-title"),
        section: "account",
        errors,
        q: query.q.clone(),
        purpose: query.purpose.clone(),
        searched,
        found,
        p: &p,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    name: String,
    email: String,
    resident_id: Option<String>,
    passport: Option<String>,
    purpose: String,
}

#[derive(Deserialize, Default)]
pub struct PurposeQuery {
    #[serde(default)]
    purpose: String,
}

async fn file(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> PageResult {
    let person = state.app.person_file(&auth, &id, &q.purpose).await;
    let person = match person {
        Ok(person) => person,
        Err(AppError::Invalid { .. }) => {
            let query =
                serde_urlencoded::to_string([("purpose", q.purpose.as_str())]).unwrap_or_default();
            return Ok(Redirect::to(&format!("/people?{query}")).into_response());
        }
        Err(other) => return Err(other).for_page(&p),
    };
    let page = PersonPage {
        title: p.t("person-title"),
        section: "account",
        name: person.display_name,
        email: person.email,
        resident_id: person.identity.resident_id.map(|r| r.expose().to_owned()),
        passport: person.identity.passport.map(|n| n.expose().to_owned()),
        purpose: q.purpose.trim().to_owned(),
        p: &p,
    };
    Ok(render(&page))
}

/// Whether `text` is one of the ids records are given (`cw-` and 12 or more hexadecimal digits),
/// which an access log's purpose sometimes holds.
fn is_record_id(text: &str) -> bool {
    text.split_once('-').is_some_and(|(kind, hex)| {
        (1..=3).contains(&kind.len())
            && kind.bytes().all(|b| b.is_ascii_lowercase())
            && hex.len() >= 12
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::is_record_id;

    #[test]
    fn record_ids_are_told_from_purposes_people_wrote() {
        assert!(is_record_id("cw-2721f6fc0021550ff70cad50"));
        assert!(is_record_id("s-0123456789ab"));
        assert!(
            "mandate m-8fcb849e7cc75b33c0654f7e"
                .split_whitespace()
                .any(is_record_id)
        );
        for purpose in [
            "case QT-2026-000002",
            "phone enquiry about renewal",
            "2026-12-06",
            "x-12",
        ] {
            assert!(!is_record_id(purpose), "{purpose}");
        }
    }
}
