//! Mandates (代办) on pages: the list of mandates one granted or holds, the form an agent asks for
//! one with, and a mandate's page, where the principal confirms or revokes it, the agent confirms
//! it with the principal's code, applies for her, and both see what was done under it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::domain::cases::Relation;
use qiaoyi_app::domain::fees::format_yuan;
use qiaoyi_app::domain::mandates::{MandateState, Refusal};
use qiaoyi_app::mandates::{Mandate, MandateRequest};
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::cases::{relation_key, state_key};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

const PER_PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/mandates", get(list).post(create))
        .route("/account/mandates/new", get(new_form))
        .route("/account/mandates/{id}", get(show))
        .route("/account/mandates/{id}/confirm", post(confirm))
        .route("/account/mandates/{id}/revoke", post(revoke))
        .route("/account/mandates/{id}/documents", post(add_document))
        .route("/account/mandates/{id}/documents/{document}", get(document))
}

/// Why a mandate does not allow an act, in the reader's language.
pub(super) fn refusal_text(p: &Prefs, refusal: &Refusal) -> String {
    let key = format!("mandate-refused-{}", refusal.code());
    match refusal.date() {
        Some(date) => p.t1(&key, "date", date.to_string()),
        None => p.t(&key),
    }
}

fn state_label(p: &Prefs, state: MandateState) -> String {
    p.t(&format!("mandate-state-{}", state.as_str()))
}

/// One mandate as a line of a list or the head of its page.
struct MandateLine {
    id: String,
    principal: String,
    agent: String,
    relation: String,
    items: String,
    period: String,
    state: String,
    /// Empty when it may be used today; otherwise why not.
    unusable: String,
    i_am_principal: bool,
}

fn line(p: &Prefs, m: &Mandate, me: &str, now: i64) -> MandateLine {
    MandateLine {
        id: m.id.clone(),
        principal: format!("{} <{}>", m.principal.name, m.principal.email),
        agent: format!("{} <{}>", m.agent.name, m.agent.email),
        relation: p.t(&relation_key(m.relation)),
        items: m
            .terms
            .items
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        period: format!("{} – {}", m.terms.valid_from, m.terms.valid_to),
        state: state_label(p, m.state()),
        unusable: m
            .usable(now)
            .err()
            .map(|r| refusal_text(p, &r))
            .unwrap_or_default(),
        i_am_principal: m.principal.id == me,
    }
}

#[derive(Template)]
#[template(path = "mandates.html")]
struct ListPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    lines: Vec<MandateLine>,
    may_ask: bool,
    page: u64,
    pages: u64,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

/// Relatives, stations and consultants may ask for mandates.
fn may_ask(auth: &Auth) -> bool {
    use qiaoyi_app::domain::access::Role;
    auth.session().is_some_and(|s| {
        s.actor.has(Role::Applicant) || s.actor.has(Role::Station) || s.actor.has(Role::Consultant)
    })
}

async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = super::page_number(q.page.as_deref());
    let now = auth.now;
    let mandates = state
        .app
        .my_mandates(&auth, (page - 1).saturating_mul(PER_PAGE), PER_PAGE)
        .await
        .for_page(&p)?;
    let me = auth
        .session
        .as_ref()
        .map(|s| s.actor.user_id.clone())
        .unwrap_or_default();
    let view = ListPage {
        title: p.t("mandates-title"),
        section: "account",
        lines: mandates
            .items
            .iter()
            .map(|m| line(&p, m, &me, now))
            .collect(),
        may_ask: may_ask(&auth),
        page,
        pages: mandates.total.div_ceil(PER_PAGE).max(1),
        p: &p,
    };
    Ok(render(&view))
}

#[derive(Deserialize, Default)]
pub struct MandateForm {
    #[serde(default)]
    principal_email: String,
    #[serde(default)]
    relation: String,
    /// Ticked items arrive as repeated `items` fields.
    #[serde(default)]
    items: Vec<String>,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    evidence: String,
}

impl MandateForm {
    /// Reads the form by hand: ticked items arrive as repeated `items` fields, which the plain
    /// form extractor cannot collect. Unknown fields are ignored, like the extractor does.
    fn from_body(body: &[u8]) -> MandateForm {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut form = MandateForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "principal_email" => form.principal_email = value,
                "relation" => form.relation = value,
                "items" => form.items.push(value),
                "valid_from" => form.valid_from = value,
                "valid_to" => form.valid_to = value,
                "evidence" => form.evidence = value,
                _ => {}
            }
        }
        form
    }
}

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "mandate_form.html")]
struct FormPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    form: MandateForm,
    relations: Vec<Choice>,
    items: Vec<Choice>,
}

async fn form_page(
    state: &AppState,
    p: &Prefs,
    form: MandateForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let items = state.app.items(None).await.for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = FormPage {
        title: p.t("mandate-new-title"),
        section: "account",
        errors,
        relations: Relation::ALL
            .iter()
            .filter(|r| **r != Relation::Myself)
            .map(|r| Choice {
                value: r.as_str().into(),
                label: p.t(&relation_key(*r)),
                checked: form.relation == r.as_str(),
            })
            .collect(),
        items: items
            .iter()
            .map(|i| Choice {
                value: i.code.to_string(),
                label: format!("{} {}", i.code, i.name.get(p.lang)),
                checked: form.items.iter().any(|c| c == i.code.as_str()),
            })
            .collect(),
        form,
        p,
    };
    Ok((status, render(&view)).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    /// Filled in from a consultation: the person who asked.
    #[serde(default)]
    principal_email: String,
}

async fn new_form(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    if auth.session.is_none() {
        return Err(AppError::Unauthenticated).for_page(&p);
    }
    let today = qiaoyi_app::cases::beijing_today(auth.now);
    let form = MandateForm {
        principal_email: q.principal_email.chars().take(254).collect(),
        valid_from: today.to_string(),
        valid_to: today
            .checked_add(jiff::Span::new().years(1))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        ..MandateForm::default()
    };
    form_page(&state, &p, form, Vec::new()).await
}

fn field_error(p: &Prefs, field: &'static str, reason: Reason) -> FieldError {
    let key = match field {
        "principal_email" if reason == Reason::SelfNotAllowed => "mandate-error-self",
        "principal_email" => "mandate-error-principal",
        "relation" => "mandate-error-relation",
        "items" => "mandate-error-items",
        "valid_from" if reason == Reason::InPast => "mandate-error-from-past",
        "valid_to" if reason == Reason::PeriodTooLong => "mandate-error-too-long",
        "valid_to" if reason == Reason::EndBeforeStart => "mandate-error-order",
        "valid_from" | "valid_to" => "mandate-error-date",
        "evidence" => "mandate-error-evidence",
        "code" if reason == Reason::AttemptsExhausted => "mandate-error-code-replaced",
        "code" if reason == Reason::Lapsed => "mandate-error-code-lapsed",
        "code" => "mandate-error-code",
        "reason" => "mandate-error-reason",
        _ => "mandate-error-state",
    };
    FieldError {
        field,
        message: p.t(key),
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = MandateForm::from_body(&body);
    let request = MandateRequest {
        principal_email: form.principal_email.clone(),
        relation: form.relation.clone(),
        items: form.items.clone(),
        valid_from: form.valid_from.clone(),
        valid_to: form.valid_to.clone(),
        evidence: form.evidence.clone(),
    };
    match state.app.request_mandate(&auth, &request).await {
        Ok(m) => Ok(Redirect::to(&format!("/account/mandates/{}", m.id)).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            form_page(&state, &p, form, errors).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

struct CaseLine {
    id: String,
    number: String,
    item: String,
    state: String,
}

struct PaymentLine {
    at: String,
    case_id: String,
    amount: String,
    payer: String,
    receipt: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "mandate.html")]
struct DetailPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    m: MandateLine,
    evidence: String,
    confirmed: String,
    revoked: String,
    revoke_reason: String,
    pending: bool,
    revoked_state: bool,
    is_principal: bool,
    is_agent: bool,
    /// Items the agent may apply for now: (code, label).
    apply: Vec<(String, String)>,
    cases: Vec<CaseLine>,
    payments: Vec<PaymentLine>,
    /// (id, file name, uploaded on)
    documents: Vec<(String, String, String)>,
}

async fn detail_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    errors: Vec<FieldError>,
) -> PageResult {
    let now = auth.now;
    let d = state.app.mandate(auth, id).await.for_page(p)?;
    let me = auth
        .session
        .as_ref()
        .map(|s| s.actor.user_id.clone())
        .unwrap_or_default();
    let m = &d.mandate;
    let apply = if d.is_agent && m.usable(now).is_ok() {
        state
            .app
            .items(None)
            .await
            .for_page(p)?
            .iter()
            .filter(|i| m.terms.items.contains(&i.code))
            .map(|i| (i.code.to_string(), i.name.get(p.lang).to_owned()))
            .collect()
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = DetailPage {
        title: p.t("mandate-title"),
        section: "account",
        errors,
        m: line(p, m, &me, now),
        evidence: m.evidence.clone(),
        confirmed: match (m.confirmed_at, m.confirmed_how.as_deref()) {
            (Some(at), Some("code")) => p.t1("mandate-confirmed-code", "at", when(at)),
            (Some(at), _) => p.t1("mandate-confirmed-account", "at", when(at)),
            _ => String::new(),
        },
        revoked: m.revoked_at.map(when).unwrap_or_default(),
        revoke_reason: if m.lapsed {
            p.t("mandate-lapsed")
        } else {
            m.revoke_reason.clone()
        },
        pending: m.state() == MandateState::Pending,
        revoked_state: m.state() == MandateState::Revoked,
        is_principal: d.is_principal,
        is_agent: d.is_agent,
        apply,
        cases: d
            .cases
            .iter()
            .map(|c| CaseLine {
                id: c.id.clone(),
                number: c.number.clone(),
                item: c.item.name.get(p.lang).to_owned(),
                state: p.t(&state_key(c.state)),
            })
            .collect(),
        payments: d
            .payments
            .iter()
            .map(|e| PaymentLine {
                at: when(e.recorded_at),
                case_id: e.case_id.clone(),
                amount: format_yuan(e.amount_fen),
                payer: e.payer_name.clone(),
                receipt: e.receipt_number.clone().map(|n| (e.id.clone(), n)),
            })
            .collect(),
        documents: d
            .documents
            .iter()
            .map(|doc| (doc.id.clone(), doc.file_name.clone(), when(doc.uploaded_at)))
            .collect(),
        p,
    };
    Ok((status, render(&view)).into_response())
}

/// A document sent from the mandate's page (multipart: `file`).
async fn add_document(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let refuse = |key: &str| FieldError {
        field: "file",
        message: p.t(key),
    };
    let error = match super::sent_file(multipart).await {
        super::SentFile::TooLarge => refuse("case-error-file-size"),
        super::SentFile::Missing => refuse("case-error-file-missing"),
        super::SentFile::File(name, content) => match state
            .app
            .add_mandate_document(&auth, &id, &name, &content)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/account/mandates/{id}#documents")).into_response()
                );
            }
            Err(AppError::Mandate(r)) => FieldError {
                field: "file",
                message: refusal_text(&p, &r),
            },
            Err(e) => super::upload_error(&p, e)?,
        },
    };
    detail_page(&state, &p, &auth, &id, vec![error]).await
}

async fn document(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, document)): Path<(String, String)>,
) -> PageResult {
    let (d, content) = state
        .app
        .mandate_document(&auth, &id, &document)
        .await
        .for_page(&p)?;
    Ok(crate::api::attachment(
        d.media_type.as_str(),
        &d.file_name,
        content,
    ))
}

async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    detail_page(&state, &p, &auth, &id, Vec::new()).await
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

async fn confirm(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    match state.app.confirm_mandate(&auth, &id, &form.code).await {
        Ok(_) => Ok(Redirect::to(&format!("/account/mandates/{id}")).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            detail_page(&state, &p, &auth, &id, errors).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, super::PageError> {
    match state.app.revoke_mandate(&auth, &id, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/account/mandates/{id}")).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let errors = vec![field_error(&p, field, reason)];
            detail_page(&state, &p, &auth, &id, errors).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}
