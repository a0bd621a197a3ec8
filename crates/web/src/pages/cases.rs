//! Case pages: "my cases" (or the station's, or the bureau's queue), one case with its timeline,
//! materials and the steps the reader may take, and the message keys other pages share for a
//! case's states, steps, relations and delivery methods.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::cases::{
    CaseAtAGlance, CaseDetail, CaseList, FeeGlance, StepRequest, Upload, beijing_today,
};
use qiaoyi_app::domain::access::{Grant, Role};
use qiaoyi_app::domain::cases::{CaseState, Channel, Relation, Step};
use qiaoyi_app::domain::catalog::Delivery;
use qiaoyi_app::domain::evaluation::Subject;
use qiaoyi_app::domain::fees::format_yuan;
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::fees::{FeeForm, FeeSection};
use super::{ForPage, PageResult, page_number, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

const PER_PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/steps", post(step))
        .route("/cases/{id}/files", post(upload))
        .route("/cases/{id}/files/{file}", get(download))
}

pub fn delivery_key(d: Delivery) -> &'static str {
    match d {
        Delivery::Window => "delivery-window",
        Delivery::Station => "delivery-station",
        Delivery::Courier => "delivery-courier",
        Delivery::Home => "delivery-home",
    }
}

pub fn state_key(s: CaseState) -> String {
    format!("case-state-{}", s.as_str().replace('_', "-"))
}

pub fn step_key(s: &str) -> String {
    format!("case-step-{}", s.replace('_', "-"))
}

pub fn relation_key(r: Relation) -> String {
    format!("relation-{}", r.as_str())
}

/// A relation as the reader would say it: "my child" to the one who applied, "the applicant's
/// child" to staff reading or taking the case.
pub fn relation_words(r: Relation, to_the_applicant: bool) -> String {
    if to_the_applicant {
        relation_key(r)
    } else {
        format!("relation-of-{}", r.as_str())
    }
}

/// The localized message for a field the app refused.
pub(super) fn field_error(p: &Prefs, field: &'static str, reason: Reason) -> FieldError {
    let key = match field {
        "person_name" => "case-error-person-name",
        "person_name_latin" => "case-error-person-name-latin",
        "birth_date" => "case-error-birth-date",
        "relation" => "case-error-relation",
        "delivery" => "case-error-delivery",
        "applicant_email" => "case-error-applicant-email",
        "person" => "case-error-person",
        "materials" => "case-error-materials",
        "reason" => "case-error-reason",
        "file" if reason == Reason::TooLarge => "case-error-file-size",
        "file" if reason == Reason::WrongState => "case-error-file-state",
        "file" => "case-error-file",
        "material" => "case-error-material",
        "carrier" => "case-error-carrier",
        "tracking" => "case-error-tracking",
        "visit_date" => "case-error-visit-date",
        "code" if reason == Reason::AttemptsExhausted => "case-error-code-replaced",
        "code" => "case-error-code",
        "signature" if reason == Reason::HomeDeliveryOnly => "case-error-signature-home",
        "signature" => "case-error-signature",
        "signer" => "case-error-signer",
        "video" => "case-error-video",
        _ => "case-error-step",
    };
    FieldError {
        field,
        message: p.t(key),
    }
}

struct CaseLine {
    id: String,
    number: String,
    item: String,
    person: String,
    state: String,
    deadline: String,
    /// Counted on a year whose official calendar is not imported yet.
    deadline_provisional: bool,
    overdue: bool,
    updated: String,
    /// The green channel's due day; empty when not in it.
    green_due: String,
    green_due_provisional: bool,
    /// At a glance, for staff, the materials, the fee and the identity: (words, whether it still
    /// needs doing).
    glance: [(String, bool); 3],
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    view: &'static str,
    views: Vec<(&'static str, String, bool)>,
    /// Queue filters: (category code, or empty for all; label; current).
    categories: Vec<(String, String, bool)>,
    category: String,
    lines: Vec<CaseLine>,
    total: u64,
    page: u64,
    pages: u64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    view: Option<String>,
    category: Option<String>,
    page: Option<String>,
}

fn line(p: &Prefs, glance: &CaseAtAGlance, today: jiff::civil::Date) -> CaseLine {
    let c = &glance.case;
    CaseLine {
        glance: [
            match glance.missing_materials.len() {
                0 => (p.t("cases-glance-materials-complete"), false),
                n => (p.t1("cases-glance-materials-missing", "count", n), true),
            },
            match glance.fee {
                FeeGlance::NoFee => (p.t("cases-glance-fee-none"), false),
                FeeGlance::Owed(fen) => (
                    p.t1("cases-glance-fee-owed", "amount", format_yuan(fen)),
                    true,
                ),
                FeeGlance::Settled => (p.t("cases-glance-fee-settled"), false),
            },
            if glance.identity_verified {
                (p.t("cases-glance-identity-verified"), false)
            } else {
                (p.t("cases-glance-identity-not-yet"), true)
            },
        ],
        id: c.id.clone(),
        number: c.number.clone(),
        item: c.item.name.get(p.lang).to_owned(),
        person: c.person_name.clone(),
        state: p.t(&state_key(c.state)),
        deadline: c.deadline.map(|d| d.to_string()).unwrap_or_default(),
        deadline_provisional: c.deadline_provisional,
        overdue: c.is_overdue(today),
        updated: when(c.updated_at),
        green_due: c.green_due.map(|d| d.to_string()).unwrap_or_default(),
        green_due_provisional: c.green_due_provisional,
    }
}

async fn list(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let Some(session) = auth.session() else {
        return Err(AppError::Unauthenticated).for_page(&p);
    };
    let actor = &session.actor;
    // The lists this account has, the first being its natural home.
    let mut available = Vec::new();
    if actor.has(Role::Officer) || actor.has(Role::DutyLeader) {
        available.push(("queue", "cases-view-queue"));
    }
    if actor.has(Role::Station) {
        available.push(("station", "cases-view-station"));
    }
    available.push(("mine", "cases-view-mine"));
    let chosen = q
        .view
        .as_deref()
        .and_then(|v| available.iter().find(|(name, _)| *name == v))
        .unwrap_or(&available[0]);
    // The queue can be narrowed to one of the categories the account works in.
    let all_categories = state.app.categories().await.for_page(&p)?;
    let mine: Vec<_> = all_categories
        .iter()
        .filter(|c| {
            actor
                .grants
                .iter()
                .any(|g| *g == Grant::DutyLeader || *g == Grant::Officer(c.code.clone()))
        })
        .collect();
    let category = q
        .category
        .as_deref()
        .filter(|c| chosen.0 == "queue" && mine.iter().any(|m| m.code.as_str() == *c))
        .unwrap_or_default()
        .to_owned();
    let list = CaseList::parse(chosen.0, Some(&category)).unwrap_or(CaseList::Mine);
    let page = page_number(q.page.as_deref());
    let now = auth.now;
    let result = state
        .app
        .cases_at_a_glance(&auth, list, (page - 1) * PER_PAGE, PER_PAGE)
        .await
        .for_page(&p)?;
    let categories = if chosen.0 == "queue" && mine.len() > 1 {
        std::iter::once((
            String::new(),
            p.t("cases-all-categories"),
            category.is_empty(),
        ))
        .chain(mine.iter().map(|c| {
            (
                c.code.to_string(),
                c.name.get(p.lang).to_owned(),
                c.code.as_str() == category,
            )
        }))
        .collect()
    } else {
        Vec::new()
    };
    let today = beijing_today(now);
    let view = CasesPage {
        title: p.t(chosen.1),
        section: "cases",
        view: chosen.0,
        views: available
            .iter()
            .map(|(name, key)| (*name, p.t(key), *name == chosen.0))
            .collect(),
        categories,
        category,
        lines: result.items.iter().map(|c| line(&p, c, today)).collect(),
        total: result.total,
        page,
        pages: result.total.div_ceil(PER_PAGE).max(1),
        p: &p,
    };
    Ok(render(&view))
}

struct MaterialLine {
    index: usize,
    /// Its upload was just refused.
    failed: bool,
    name: String,
    required: bool,
    files: Vec<FileLine>,
}

struct FileLine {
    id: String,
    name: String,
    size_kb: i64,
}

struct EventLine {
    at: String,
    role: String,
    step: String,
    state: String,
    note: String,
}

struct StepButton {
    step: &'static str,
    label: String,
    needs_reason: bool,
    deciding: bool,
    /// What else the step asks: `courier` (carrier and tracking), `home` (visit day), `code`
    /// (the applicant's handover code), or nothing.
    asks: &'static str,
}

/// How the document was sent, as the case page shows it.
struct HandoverLine {
    carrier: String,
    tracking: String,
    visit_date: String,
    dispatched: String,
    confirmed: String,
    code: String,
    signature_path: String,
    signed_by_name: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    /// Just after she sent it: what happens next and by when.
    sent: Option<String>,
    id: String,
    item_code: String,
    item_name: String,
    state: String,
    is_draft: bool,
    version: i64,
    person_name: String,
    person_name_latin: String,
    birth_date: String,
    minor: bool,
    relation: String,
    /// Whether the reader filed the case (the answers then speak to her).
    filer_reads: bool,
    delivery: String,
    channel: String,
    station: String,
    /// Filed by an agent under this mandate.
    mandate: String,
    deadline: String,
    /// Counted on a year whose official calendar is not imported yet.
    deadline_provisional: bool,
    overdue: bool,
    reason: String,
    can_upload: bool,
    /// Other cases under way for the same service and person: (id, number).
    duplicates: Vec<(String, String)>,
    materials: Vec<MaterialLine>,
    events: Vec<EventLine>,
    steps: Vec<StepButton>,
    fees: FeeSection,
    /// The certificate issued for the case: its id and what verification says now (code, text).
    certificate: Option<(String, &'static str, String)>,
    handover: Option<HandoverLine>,
    green_due: String,
    green_due_provisional: bool,
    green: Vec<super::green_channel::RequestLine>,
    may_request_green: bool,
    grounds: Vec<(&'static str, String)>,
    video: Option<super::video::VideoSection>,
    /// Her closed case: whether she may rate it, the level she rated it, and the form.
    may_rate: bool,
    rated: Option<String>,
    rating: super::evaluations::RatingForm,
}

fn case_page(
    p: &Prefs,
    detail: &CaseDetail,
    fees: FeeSection,
    certificate: Option<(String, &'static str, String)>,
    errors: Vec<FieldError>,
    video: Option<super::video::VideoSection>,
    shown: Shown,
) -> Response {
    let Shown {
        now,
        sent,
        upload_failed,
        filer_reads,
        rating,
    } = shown;
    let c = &detail.case;
    let today = beijing_today(now);
    let can_upload = detail
        .steps
        .iter()
        .any(|s| matches!(s, Step::Submit | Step::Resubmit));
    let materials = c
        .item
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| MaterialLine {
            index: i,
            failed: upload_failed == Some(i),
            name: m.name.get(p.lang).to_owned(),
            required: m.required,
            files: detail
                .files
                .iter()
                .filter(|f| f.material == i as i64)
                .map(|f| FileLine {
                    id: f.id.clone(),
                    name: f.file_name.clone(),
                    size_kb: (f.size + 1023) / 1024,
                })
                .collect(),
        })
        .collect();
    let events = detail
        .events
        .iter()
        .map(|e| EventLine {
            at: when(e.at),
            role: e
                .role
                .map(|r| p.t(&format!("role-{}", r.as_str())))
                .unwrap_or_default(),
            step: p.t(&step_key(e.kind.as_str())),
            state: p.t(&state_key(e.to_state)),
            note: e.note.clone(),
        })
        .collect();
    let steps = detail
        .steps
        .iter()
        .map(|s| StepButton {
            step: s.as_str(),
            label: p.t(&step_key(s.as_str())),
            needs_reason: s.needs_reason(),
            deciding: s.action().is_deciding(),
            asks: match (s, c.delivery) {
                (Step::Dispatch, Delivery::Courier) => "courier",
                (Step::Dispatch, Delivery::Home) => "home",
                (Step::Deliver, Delivery::Home) if detail.handover.is_some() => "code-or-signature",
                (Step::Deliver, _) if detail.handover.is_some() => "code",
                _ => "",
            },
        })
        .collect();
    let handover = detail.handover.as_ref().map(|h| HandoverLine {
        carrier: h.carrier.clone(),
        tracking: h.tracking.clone(),
        visit_date: h.visit_date.clone().unwrap_or_default(),
        dispatched: when(h.dispatched_at),
        confirmed: h.confirmed_at.map(when).unwrap_or_default(),
        code: h.code.clone().unwrap_or_default(),
        signature_path: h.signature_path.clone().unwrap_or_default(),
        signed_by_name: h.signed_by_name.clone(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let sent = (sent && c.state == CaseState::Submitted).then(|| match c.deadline {
        Some(due) => p.t1("case-sent-by", "date", due.to_string()),
        None => p.t1(
            "case-sent-within",
            "count",
            i64::from(c.item.time_limit_days),
        ),
    });
    let page = CasePage {
        may_rate: rating.as_ref().is_some_and(Option::is_none),
        rated: rating.flatten(),
        rating: super::evaluations::RatingForm::new(
            p,
            format!("/cases/{}/evaluation", c.id),
            &Default::default(),
        ),
        title: p.t1("case-title", "number", c.number.clone()),
        section: "cases",
        errors,
        sent,
        id: c.id.clone(),
        item_code: c.item.code.to_string(),
        item_name: c.item.name.get(p.lang).to_owned(),
        state: p.t(&state_key(c.state)),
        is_draft: c.state == CaseState::Draft,
        version: c.version,
        person_name: c.person_name.clone(),
        person_name_latin: c.person_name_latin.clone(),
        birth_date: c.birth_date.to_string(),
        minor: c.is_minor(today),
        relation: p.t(&relation_words(c.relation, filer_reads)),
        filer_reads,
        delivery: p.t(delivery_key(c.delivery)),
        channel: p.t(&format!("channel-{}", c.channel.as_str())),
        station: c
            .station
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        mandate: c.mandate_id.clone().unwrap_or_default(),
        deadline: c.deadline.map(|d| d.to_string()).unwrap_or_default(),
        deadline_provisional: c.deadline_provisional,
        overdue: c.is_overdue(today),
        reason: c.reason.clone(),
        can_upload,
        duplicates: detail
            .possible_duplicates
            .iter()
            .map(|c| (c.id.clone(), c.number.clone()))
            .collect(),
        materials,
        events,
        steps,
        fees,
        certificate,
        handover,
        green_due: c.green_due.map(|d| d.to_string()).unwrap_or_default(),
        green_due_provisional: c.green_due_provisional,
        green: detail
            .green
            .iter()
            .map(|g| super::green_channel::request_line(p, g))
            .collect(),
        may_request_green: detail.may_request_green,
        grounds: super::green_channel::grounds(p),
        video,
        p,
    };
    (status, render(&page)).into_response()
}

/// When the case page is shown, and whether just after she sent it.
#[derive(Clone)]
struct Shown {
    now: i64,
    sent: bool,
    upload_failed: Option<usize>,
    /// The reader filed the case online herself: its answers speak to her ("my child"); to
    /// anyone else (an officer, a station) they speak of the applicant.
    filer_reads: bool,
    /// Her closed case: the level she rated it, or `None` when she may still rate it; absent for
    /// anyone else and before it closes.
    rating: Option<Option<String>>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// The zone to show video-check times in.
    #[serde(default)]
    tz: String,
    /// Set by the redirect after sending a draft: the page says what happens next.
    #[serde(default)]
    sent: bool,
    /// The material whose upload was refused: its file box takes the id `file` that the error
    /// summary links to, and shows the error beside it.
    #[serde(skip)]
    upload_failed: Option<usize>,
}

async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    case_in_zone(&state, &p, &auth, &id, Vec::new(), None, &q).await
}

/// The case page, with messages at the top (after a refused step, upload or fee entry) and the fee
/// form as it was sent.
pub(super) async fn case_with(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    errors: Vec<FieldError>,
    fee_form: Option<FeeForm>,
) -> PageResult {
    case_in_zone(state, p, auth, id, errors, fee_form, &ShowQuery::default()).await
}

/// The case page as `query` asks: video-check times in its zone (the default when empty or
/// unknown), and what happens next just after she sent it.
async fn case_in_zone(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    errors: Vec<FieldError>,
    fee_form: Option<FeeForm>,
    query: &ShowQuery,
) -> PageResult {
    let tz = query.tz.as_str();
    let now = auth.now;
    let detail = state.app.case(auth, id).await.for_page(p)?;
    let fees = super::fees::section(
        p,
        &detail.fees,
        &detail.case.person_name,
        state.app.payment_providers(),
        fee_form,
    );
    let certificate = detail.certificate.as_ref().map(|c| {
        let code = c.verdict.as_str();
        let text = p.t(&format!("verify-status-{}", code.replace('_', "-")));
        (c.row.id.clone(), code, text)
    });
    let video = match state
        .app
        .case_video(auth, &detail.case, tz)
        .await
        .for_page(p)?
    {
        Some(v) => {
            let check = state
                .app
                .video_check(auth, &detail.case)
                .await
                .for_page(p)?
                .map(|c| super::video::check_section(p, &detail.case.id, c, ""));
            Some(super::video::section(
                v,
                check,
                state.app.video_zones().await.for_page(p)?,
            ))
        }
        None => None,
    };
    let hers = auth
        .session()
        .is_some_and(|s| detail.case.applicant_id.as_deref() == Some(s.actor.user_id.as_str()));
    let rating = if hers && detail.case.state == CaseState::Closed {
        Some(
            state
                .app
                .evaluation_of(Subject::Case, &detail.case.id)
                .await
                .for_page(p)?
                .map(|e| super::evaluations::rating_words(p, &e)),
        )
    } else {
        None
    };
    let shown = Shown {
        rating,
        now,
        sent: query.sent,
        upload_failed: query.upload_failed,
        // Filed online by the reader: her own answers. A desk's case (a station's or the
        // window's) records the visitor's answers, so it speaks of the applicant to its filer too.
        filer_reads: detail.case.channel == Channel::Online
            && auth
                .session()
                .is_some_and(|s| s.actor.user_id == detail.case.filed_by),
    };
    Ok(case_page(
        p,
        &detail,
        fees,
        certificate,
        errors,
        video,
        shown,
    ))
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking: String,
    #[serde(default)]
    visit_date: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    signer: String,
}

/// Shows the case again with one message at the top, after a refused step or upload.
async fn refused(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    error: FieldError,
) -> PageResult {
    case_with(state, p, auth, id, vec![error], None).await
}

/// The case page again after a refused upload, the error beside the material's file box.
async fn refused_upload(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    error: FieldError,
    material: Option<usize>,
) -> PageResult {
    let query = ShowQuery {
        upload_failed: material,
        ..ShowQuery::default()
    };
    case_in_zone(state, p, auth, id, vec![error], None, &query).await
}

async fn step(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<StepForm>,
) -> PageResult {
    let request = StepRequest {
        step: form.step,
        expected_version: form.version.trim().parse().unwrap_or(-1),
        reason: form.reason,
        carrier: form.carrier,
        tracking: form.tracking,
        visit_date: form.visit_date,
        code: form.code,
        signature: form.signature,
        signer: form.signer,
    };
    let sending = request.step == "submit";
    match state.app.step_case(&auth, &id, &request).await {
        Ok(case) if sending => {
            Ok(Redirect::to(&format!("/cases/{}?sent=true", case.id)).into_response())
        }
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            refused(&state, &p, &auth, &id, field_error(&p, field, reason)).await
        }
        Err(AppError::Mandate(refusal)) => {
            let error = FieldError {
                field: "mandate",
                message: super::mandates::refusal_text(&p, &refusal),
            };
            refused(&state, &p, &auth, &id, error).await
        }
        Err(AppError::FreshSecondFactorRequired) => {
            let next =
                serde_urlencoded::to_string([("next", format!("/cases/{id}"))]).unwrap_or_default();
            Ok(Redirect::to(&format!("/login/second-factor?{next}")).into_response())
        }
        Err(AppError::CaseConflict { .. }) => {
            let error = FieldError {
                field: "step",
                message: p.t("error-case-conflict"),
            };
            refused(&state, &p, &auth, &id, error).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

async fn upload(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let mut material = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    if let Ok(mut multipart) = multipart {
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("material") => {
                        material = field.text().await.ok().and_then(|t| t.trim().parse().ok());
                    }
                    Some("file") => {
                        let name = field.file_name().unwrap_or_default().to_owned();
                        match field.bytes().await {
                            // A form sent without choosing a file carries an empty part.
                            Ok(bytes) if bytes.is_empty() && name.is_empty() => {}
                            Ok(bytes) => file = Some((name, bytes.to_vec())),
                            Err(_) => too_large = true,
                        }
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(_) => {
                    too_large = true;
                    break;
                }
            }
        }
    }
    let error = |field: &'static str, key: &str| FieldError {
        field,
        message: p.t(key),
    };
    if too_large {
        let error = error("file", "case-error-file-size");
        return refused_upload(&state, &p, &auth, &id, error, material).await;
    }
    let (Some(material), Some((name, content))) = (material, file) else {
        let error = error("file", "case-error-file-missing");
        return refused_upload(&state, &p, &auth, &id, error, material).await;
    };
    let upload = Upload {
        material,
        file_name: &name,
        content: &content,
    };
    match state.app.upload_case_file(&auth, &id, &upload).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#materials")).into_response()),
        Err(AppError::Invalid { field, reason, .. }) => {
            let error = field_error(&p, field, reason);
            refused_upload(&state, &p, &auth, &id, error, Some(material)).await
        }
        Err(AppError::Mandate(refusal)) => {
            let error = FieldError {
                field: "mandate",
                message: super::mandates::refusal_text(&p, &refusal),
            };
            refused(&state, &p, &auth, &id, error).await
        }
        Err(other) => Err(other).for_page(&p),
    }
}

async fn download(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, file)): Path<(String, String)>,
) -> PageResult {
    let f = state.app.case_file(&auth, &id, &file).await.for_page(&p)?;
    Ok(crate::api::attachment(
        f.file.media_type.as_str(),
        &f.file.file_name,
        f.content,
    ))
}
