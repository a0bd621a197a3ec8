//! The care programme on pages: coordinators list their area's children and volunteers their paired ones (one township or all), record a
//! child with a guardian's consent, read a child's record and record home visits; a parent abroad
//! sees her own children and their visits (`/account/children`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::care::{Child, ChildRequest, ParentInput, VisitInput};
use qiaoyi_app::care_pairing::{PairChoice, Pairing};
use qiaoyi_app::domain::care::{ActivitySummary, Wish};
use qiaoyi_app::domain::care::{CONSENT_VERSION, LANGUAGES, Topic};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::form::{pairs, status_of, value};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

const PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/care", get(children))
        .route("/care/children/new", get(new_child).post(record))
        .route("/care/children/{id}", get(child))
        .route("/care/children/{id}/visits", axum::routing::post(visit))
        .route("/care/children/{id}/wishes", axum::routing::post(wish))
        .route("/care/children/{id}/pairing", axum::routing::post(repair))
        .route(
            "/care/children/{id}/preference",
            axum::routing::post(preference),
        )
        .route("/account/children", get(mine))
        .route(
            "/account/children/{id}/messages",
            axum::routing::post(message),
        )
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
    /// The proxy parent in force, and the ones before (name, from, until).
    pub proxy: Option<ProxyLine>,
    pub history: Vec<(String, String, String)>,
    pub preferred: Option<String>,
    pub wishes: Vec<WishLine>,
    pub activities: Vec<ActivityLine>,
    pub messages: Vec<MessageLine>,
}

pub struct ProxyLine {
    pub pairing_id: String,
    pub name: String,
    pub since: String,
    pub overdue: bool,
    pub waiting: String,
}

pub struct WishLine {
    pub id: String,
    pub child_id: String,
    pub wish: String,
    pub state: String,
    pub state_code: String,
    pub by: String,
    pub note: String,
    pub township: String,
}

pub struct ActivityLine {
    pub id: String,
    pub theme: String,
    pub date: String,
    pub township: String,
    pub place: String,
    pub organisers: String,
    pub attendance: String,
}

pub struct MessageLine {
    pub from: String,
    pub to: String,
    pub body: String,
    pub when: String,
}

pub fn wish_line(p: &Prefs, w: Wish) -> WishLine {
    WishLine {
        state: p.t(&format!("care-wish-state-{}", w.state.as_str())),
        by: if w.donor.is_empty() {
            w.taken_by_name
        } else {
            w.donor
        },
        state_code: w.state.as_str().into(),
        id: w.id,
        child_id: w.child_id,
        wish: w.wish,
        note: w.note,
        township: w.township,
    }
}

pub fn activity_line(p: &Prefs, a: ActivitySummary) -> ActivityLine {
    ActivityLine {
        attendance: format!(
            "{} · {}",
            p.t1("care-activity-children", "count", a.children),
            p.t1("care-activity-volunteers", "count", a.volunteers)
        ),
        id: a.id,
        theme: a.theme,
        date: a.date.to_string(),
        township: a.township,
        place: a.place,
        organisers: a.organisers,
    }
}

pub fn proxy_line(p: &Prefs, pairing: &Pairing) -> ProxyLine {
    ProxyLine {
        pairing_id: pairing.row.id.clone(),
        name: pairing.row.volunteer_name.clone(),
        since: when(pairing.row.paired_at),
        overdue: pairing.overdue,
        waiting: p.t1("care-waiting-days", "count", pairing.waiting_days),
    }
}

pub struct VisitLine {
    pub date: String,
    pub topics: String,
    pub notes: String,
    pub follow_up: bool,
    pub volunteer: String,
}

/// A visit as the pages show it: its topics in the reader's language.
pub(super) fn visit_line(p: &Prefs, v: qiaoyi_app::care::Visit) -> VisitLine {
    VisitLine {
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
    }
}

fn topic_name(p: &Prefs, t: Topic) -> String {
    p.t(&format!("care-topic-{}", t.as_str()))
}

fn line(p: &Prefs, c: Child) -> ChildLine {
    let proxy = c.proxy_parent().map(|pairing| proxy_line(p, pairing));
    let preferred = c.preferred_volunteer.clone();
    ChildLine {
        proxy,
        preferred,
        history: c
            .pairings
            .iter()
            .filter_map(|pairing| {
                let ended = pairing.row.ended_at?;
                Some((
                    pairing.row.volunteer_name.clone(),
                    when(pairing.row.paired_at),
                    when(ended),
                ))
            })
            .collect(),
        wishes: c.wishes.into_iter().map(|w| wish_line(p, w)).collect(),
        activities: c
            .activities
            .into_iter()
            .map(|a| activity_line(p, a))
            .collect(),
        messages: c
            .messages
            .into_iter()
            .map(|m| MessageLine {
                from: m.from,
                to: m.to,
                body: m.body,
                when: when(m.sent_at),
            })
            .collect(),
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
        visits: c.visits.into_iter().map(|v| visit_line(p, v)).collect(),
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
    /// Coordinators record children and see every one; a volunteer sees hers.
    coordinator: bool,
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
        .care_children(&auth, &q.township, q.offset, PAGE)
        .await
        .for_page(&p)?;
    let next = q.offset.saturating_add(PAGE);
    let page = ChildrenPage {
        coordinator: super::care_board::coordinator(&state, &auth),
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
        let pairs = pairs(body);
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
    let status = status_of(&errors);
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
    // Only coordinators see the form; others are refused (and the refusal audited).
    state.app.care_coordinator(&auth).await.for_page(&p)?;
    form_page(&state, &p, ChildForm::default(), Vec::new())
}

/// A care form's field error, in the reader's language (`care-error-{field}`).
pub(super) fn field_error(p: &Prefs, field: &'static str) -> FieldError {
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
    let request = ChildRequest {
        name: form.name.clone(),
        birth_date: form.birth_date.clone(),
        township: form.township.clone(),
        village: form.village.clone(),
        school: form.school.clone(),
        guardian: form.guardian.clone(),
        languages: form.languages.clone(),
        consent_version: form.consent_version.clone(),
        // Consent not ticked is no consent: the record is refused with that among its other
        // mistakes, all in one answer.
        consent_by: if form.consent_given {
            form.consent_by.clone()
        } else {
            String::new()
        },
        consent_relation: form.consent_relation.clone(),
        photo_allowed: form.photo_allowed,
        parents: vec![ParentInput {
            email: form.parent_email.clone(),
            country: form.parent_country.clone(),
        }],
    };
    match state.app.record_child(&auth, &request).await {
        Ok(c) => Ok(Redirect::to(&format!("/care/children/{}", c.id)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidFields(_))) => {
            let errors = e
                .field_problems()
                .into_iter()
                .map(|f| {
                    if f.field == "birth_date" && f.reason == Reason::NotAMinor {
                        FieldError {
                            field: f.field,
                            message: p.t("care-error-not-a-minor"),
                        }
                    } else if f.field == "parents" {
                        // The form has one parent's address, which the summary links to.
                        FieldError {
                            field: "parent_email",
                            message: p.t("care-error-parents"),
                        }
                    } else {
                        field_error(&p, f.field)
                    }
                })
                .collect();
            form_page(&state, &p, form, errors)
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
    wish: String,
    topics: Vec<(&'static str, String, bool)>,
    /// Volunteers to re-pair with or prefer: id, name, township, places left.
    volunteers: Vec<(String, String, String, i64)>,
    /// Coordinators pair and re-pair; a volunteer sees who the proxy parent is.
    coordinator: bool,
}

/// What the forms on a child's page were sent with, to show them again with their errors.
#[derive(Default)]
struct ChildForms {
    visit: VisitForm,
    wish: String,
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
        let pairs = pairs(body);
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
    forms: ChildForms,
) -> PageResult {
    let c = state.app.care_child(auth, id).await.for_page(p)?;
    let coordinator = super::care_board::coordinator(state, auth);
    let volunteers = if coordinator {
        state
            .app
            .care_volunteers(auth)
            .await
            .for_page(p)?
            .into_iter()
            .map(|v| (v.user_id, v.name, v.township, v.capacity - v.load))
            .collect()
    } else {
        Vec::new()
    };
    let form = forms.visit;
    let status = status_of(&errors);
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
        wish: forms.wish,
        volunteers,
        coordinator,
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
    child_page(&state, &p, &auth, &id, Vec::new(), ChildForms::default()).await
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
    match state.app.record_visit(&auth, &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/care/children/{id}#visits-{id}")).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let key = match (field, reason) {
                ("date", Reason::InFuture) => "care-error-visit-future",
                ("date", Reason::BeforeBirth) => "care-error-visit-before-birth",
                ("date", _) => "care-error-visit-date",
                ("topics", _) => "care-error-topics",
                _ => "care-error-notes",
            };
            let error = FieldError {
                field,
                message: p.t(key),
            };
            let forms = ChildForms {
                visit: form,
                ..ChildForms::default()
            };
            child_page(&state, &p, &auth, &id, vec![error], forms).await
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
    errors: Vec<FieldError>,
    /// The child whose message form the errors and the draft belong to.
    error_child: String,
    draft: String,
}

async fn mine(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    mine_page(&state, &p, &auth, Vec::new(), String::new(), String::new()).await
}

async fn mine_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    error_child: String,
    draft: String,
) -> PageResult {
    let children = state.app.my_children(auth).await.for_page(p)?;
    let status = status_of(&errors);
    let page = MinePage {
        title: p.t("care-mine-title"),
        section: "account",
        children: children.into_iter().map(|c| line(p, c)).collect(),
        errors,
        error_child,
        draft,
        p,
    };
    Ok((status, render(&page)).into_response())
}

/// A parent abroad writes to her child's proxy parent.
async fn message(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let text = value(&pairs(&body), "message");
    match state.app.send_care_message(&auth, &id, &text).await {
        Ok(_) => Ok(Redirect::to(&format!("/account/children#messages-{id}")).into_response()),
        Err(AppError::Invalid { reason, .. }) => {
            let key = match reason {
                Reason::NoProxyParent => "care-error-no-proxy",
                Reason::DailyLimit => "care-error-message-limit",
                _ => "care-error-message",
            };
            let error = FieldError {
                field: "message",
                message: p.t(key),
            };
            mine_page(&state, &p, &auth, vec![error], id, text).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// A coordinator or the proxy parent records a child's micro-wish.
async fn wish(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let text = value(&pairs(&body), "wish");
    match state.app.record_wish(&auth, &id, &text).await {
        Ok(_) => Ok(Redirect::to(&format!("/care/children/{id}#wishes")).into_response()),
        Err(AppError::Invalid { .. }) => {
            let error = field_error(&p, "wish");
            let forms = ChildForms {
                wish: text,
                ..ChildForms::default()
            };
            child_page(&state, &p, &auth, &id, vec![error], forms).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// A coordinator re-pairs a child with another volunteer; the pairing before stays in the history.
async fn repair(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let choice = PairChoice {
        child: id.clone(),
        volunteer: value(&pairs(&body), "volunteer"),
        replaces: value(&pairs(&body), "replaces"),
    };
    match state.app.confirm_pairings(&auth, &[choice]).await {
        Ok(_) => Ok(Redirect::to(&format!("/care/children/{id}#proxy")).into_response()),
        Err(AppError::Invalid { reason, .. }) => {
            let key = match reason {
                Reason::AlreadyPaired => "care-error-same-proxy",
                Reason::Full => "care-error-full",
                _ => "care-error-volunteer",
            };
            let error = FieldError {
                field: "volunteer",
                message: p.t(key),
            };
            child_page(&state, &p, &auth, &id, vec![error], ChildForms::default()).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

/// A coordinator records the volunteer the family asks for (or none).
async fn preference(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let volunteer = value(&pairs(&body), "preferred");
    match state
        .app
        .set_preferred_volunteer(&auth, &id, &volunteer)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/care/children/{id}#proxy")).into_response()),
        Err(AppError::Invalid { .. }) => {
            let error = FieldError {
                field: "preferred",
                message: p.t("care-error-volunteer"),
            };
            child_page(&state, &p, &auth, &id, vec![error], ChildForms::default()).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}
