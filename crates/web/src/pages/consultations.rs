//! The consultation line on pages: asking a question (signed in, or as a guest with a name and an
//! e-mail address, limited per address), one's consultations, a conversation (messages, reply,
//! close and rate; for consultants canned answers, handing on, linking the case filed for the
//! person), the consultants' inbox by urgency, the rota of shifts and the canned answers. Every
//! form works without the script; `static/app.js` adds live messages over `/ws/consultations/{id}`.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::consultations::{
    AnswerRequest, ChatMessage, Consultation, OpenRequest, Side, SystemNote, canned_text,
};
use qiaoyi_app::domain::access::{Action, Grant};
use qiaoyi_app::domain::catalog::station::format_hours;
use qiaoyi_app::domain::consultations::Author;
use qiaoyi_app::{AppError, Reason};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors, when};
use super::{ForPage, PageResult, SentFile, message_page, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::rate_limit::Bucket;

const PER_PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consult", get(new_form).post(open))
        .route("/consultations", get(mine))
        .route("/consultations/{id}", get(show))
        .route("/consultations/{id}/messages", post(reply))
        .route("/consultations/{id}/files", post(attach))
        .route("/consultations/{id}/files/{seq}", get(download))
        .route("/consultations/{id}/close", post(close))
        .route("/consultations/{id}/transfer", post(transfer))
        .route("/consultations/{id}/case", post(link_case))
        .route("/consult/inbox", get(inbox))
        .route("/consult/shifts", get(rota))
        .route("/consult/shifts/{id}", post(save_shifts))
        .route("/consult/answers", get(answers).post(save_answer))
}

/// A message as a line of the conversation; the script builds the same from the socket.
pub(crate) struct MessageLine {
    pub seq: i64,
    /// `person`, `consultant` or `system`.
    pub side: String,
    pub author: String,
    pub body: String,
    pub at: String,
    /// An attached file: its name and where to download it (a guest adds her key).
    pub file: Option<(String, String)>,
}

/// A system message worded in the reader's language.
pub(crate) fn note_text(p: &Prefs, body: &str) -> String {
    match SystemNote::parse(body) {
        Some(SystemNote::Transferred { to }) => p.t1("chat-note-transferred", "name", to),
        Some(SystemNote::Closed { by }) if by == "person" => p.t("chat-note-closed-person"),
        Some(SystemNote::Closed { .. }) => p.t("chat-note-closed-consultant"),
        Some(SystemNote::CaseLinked { number }) => p.t1("chat-note-case", "number", number),
        None => String::new(),
    }
}

pub(crate) fn message_line(p: &Prefs, m: &ChatMessage) -> MessageLine {
    let body = if m.side == Author::System {
        note_text(p, &m.body)
    } else {
        m.body.clone()
    };
    MessageLine {
        seq: m.seq,
        side: m.side.as_str().into(),
        author: match m.side {
            Author::System => String::new(),
            Author::Person | Author::Consultant => m.author_name.clone(),
        },
        body,
        at: when(m.created_at),
        file: m.file.as_ref().map(|f| {
            (
                f.file_name.clone(),
                format!("/consultations/{}/files/{}", m.consultation_id, m.seq),
            )
        }),
    }
}

fn field_error(p: &Prefs, field: &'static str, reason: Reason) -> FieldError {
    let key = match field {
        "subject" if reason == Reason::TooLong => "chat-error-subject-long",
        "subject" => "chat-error-subject",
        "body" | "comment" if reason == Reason::TooLong => "chat-error-body-long",
        "body" | "comment" => "chat-error-body",
        "guest_name" => "chat-error-name",
        "guest_email" => "chat-error-email",
        "rating" => "chat-error-rating",
        "to" => "chat-error-transfer",
        "number" if reason == Reason::OtherPerson => "chat-error-case-other",
        "number" => "chat-error-case",
        "answer" => "chat-error-answer",
        "hours" => "station-error-hours",
        "title" => "chat-error-subject",
        _ => "chat-error-body",
    };
    FieldError {
        field,
        message: p.t(key),
    }
}

/// Where a form went wrong: the field errors to show, or an error page.
fn form_errors(p: &Prefs, error: AppError) -> Result<Vec<FieldError>, super::PageError> {
    match error {
        AppError::Invalid { .. } | AppError::InvalidFields(_) => Ok(error
            .field_problems()
            .into_iter()
            .map(|f| field_error(p, f.field, f.reason))
            .collect()),
        AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => Ok(vec![FieldError {
            field: "body",
            message: p.t("chat-error-closed"),
        }]),
        other => Err(other).for_page(p),
    }
}

fn unprocessable(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Deserialize, Default)]
pub struct OpenForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    guest_name: String,
    #[serde(default)]
    guest_email: String,
}

#[derive(Template)]
#[template(path = "consult_form.html")]
struct OpenPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    form: OpenForm,
    guest: bool,
    /// The question box above the form: a guide may answer it at once.
    search_q: String,
}

fn open_page(p: &Prefs, auth: &Auth, form: OpenForm, errors: Vec<FieldError>) -> Response {
    let view = OpenPage {
        title: p.t("consult-title"),
        section: "consult",
        guest: auth.session.is_none(),
        search_q: String::new(),
        form,
        p,
        errors,
    };
    (unprocessable(&view.errors), render(&view)).into_response()
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    subject: String,
}

async fn new_form(
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<NewQuery>,
) -> Response {
    let form = OpenForm {
        subject: q.subject.chars().take(120).collect(),
        ..OpenForm::default()
    };
    open_page(&p, &auth, form, Vec::new())
}

async fn open(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<OpenForm>,
) -> PageResult {
    if auth.session.is_none() && !state.limits.allow(Bucket::Consult, &auth.client.address) {
        return Ok(message_page(
            &p,
            StatusCode::TOO_MANY_REQUESTS,
            "error-rate-limited-title",
            "error-rate-limited",
        ));
    }
    let request = OpenRequest {
        subject: form.subject.clone(),
        body: form.body.clone(),
        guest_name: form.guest_name.clone(),
        guest_email: form.guest_email.clone(),
    };
    match state.app.open_consultation(&auth, &request, p.lang).await {
        Ok(opened) => {
            let id = &opened.consultation.row.id;
            let to = match &opened.guest_key {
                Some(key) => format!("/consultations/{id}?key={key}"),
                None => format!("/consultations/{id}"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let errors = form_errors(&p, e)?;
            Ok(open_page(&p, &auth, form, errors))
        }
    }
}

/// A consultation as a line of a list.
struct Line {
    id: String,
    subject: String,
    person: String,
    holder: String,
    state: String,
    open: bool,
    due: String,
    overdue: bool,
    unread: i64,
    last: String,
}

fn list_line(p: &Prefs, c: &Consultation, now: i64) -> Line {
    Line {
        id: c.row.id.clone(),
        subject: c.row.subject.clone(),
        person: if c.row.via() == "wechat" {
            p.t("chat-wechat-guest")
        } else {
            c.row.person_name.clone()
        },
        holder: if c.row.consultant_name.is_empty() {
            p.t("chat-nobody")
        } else {
            c.row.consultant_name.clone()
        },
        state: if c.is_open() {
            p.t("chat-state-open")
        } else {
            p.t("chat-state-closed")
        },
        open: c.is_open(),
        due: when(c.due),
        overdue: c.overdue(now),
        unread: c.unread,
        last: when(c.row.last_message_at),
    }
}

#[derive(Template)]
#[template(path = "consultations.html")]
struct ListPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    lines: Vec<Line>,
    page: u64,
    pages: u64,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
    all: Option<String>,
}

async fn mine(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = super::page_number(q.page.as_deref());
    let now = auth.now;
    let list = state
        .app
        .my_consultations(&auth, (page - 1).saturating_mul(PER_PAGE), PER_PAGE)
        .await
        .for_page(&p)?;
    let view = ListPage {
        title: p.t("consultations-title"),
        section: "consult",
        lines: list.items.iter().map(|c| list_line(&p, c, now)).collect(),
        page,
        pages: list.total.div_ceil(PER_PAGE).max(1),
        p: &p,
    };
    Ok(render(&view))
}

#[derive(Template)]
#[template(path = "consult_inbox.html")]
struct InboxPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    lines: Vec<Line>,
    all: bool,
    page: u64,
    pages: u64,
}

async fn inbox(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let page = super::page_number(q.page.as_deref());
    let all = q.all.as_deref() == Some("1");
    let now = auth.now;
    let list = state
        .app
        .consultation_inbox(&auth, all, (page - 1).saturating_mul(PER_PAGE), PER_PAGE)
        .await
        .for_page(&p)?;
    let view = InboxPage {
        title: p.t("inbox-title"),
        section: "consult",
        lines: list.items.iter().map(|c| list_line(&p, c, now)).collect(),
        all,
        page,
        pages: list.total.div_ceil(PER_PAGE).max(1),
        p: &p,
    };
    Ok(render(&view))
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct ChatPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    id: String,
    /// The guest's key, carried by every form and the socket; empty for accounts.
    key: String,
    line: Line,
    messages: Vec<MessageLine>,
    last_seq: i64,
    consultant: bool,
    /// Nobody has answered yet and nobody holds it: when the answer is due.
    waiting: bool,
    /// Guides that may answer it while one waits.
    guides: Vec<super::search::HitLine>,
    rating: Option<i64>,
    case: Option<(String, String)>,
    draft: String,
    answers: Vec<Choice>,
    colleagues: Vec<Choice>,
    /// For consultants: the asker's account address, to ask her for a mandate.
    principal_email: String,
    /// For consultants: what the same person asked before.
    history: Vec<Line>,
}

#[derive(Deserialize, Default)]
pub struct KeyQuery {
    #[serde(default)]
    key: String,
}

fn key_of(key: &str) -> Option<&str> {
    Some(key.trim()).filter(|k| !k.is_empty())
}

/// The conversation page, optionally with a form's errors and what was being written.
async fn chat_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    id: &str,
    key: &str,
    errors: Vec<FieldError>,
    draft: String,
) -> PageResult {
    let now = auth.now;
    let view = state
        .app
        .consultation(auth, key_of(key), id, 0)
        .await
        .for_page(p)?;
    let c = &view.consultation;
    let waiting = c.is_open() && c.row.consultant_id.is_none() && c.row.first_response_at.is_none();
    let guides = if waiting {
        // Matching guides while one waits; a search failure only leaves them out.
        state
            .app
            .search(&c.row.subject, p.lang, 3)
            .await
            .unwrap_or_default()
            .iter()
            .map(|h| super::search::hit_line(p, h))
            .collect()
    } else {
        Vec::new()
    };
    let page = ChatPage {
        title: c.row.subject.clone(),
        section: "consult",
        id: id.to_owned(),
        key: key_of(key).unwrap_or("").to_owned(),
        line: list_line(p, c, now),
        last_seq: view.messages.last().map_or(0, |m| m.seq),
        messages: view.messages.iter().map(|m| message_line(p, m)).collect(),
        consultant: view.side == Side::Consultant,
        waiting,
        guides,
        rating: c.row.rating,
        case: c.row.case_id.clone().zip(c.row.case_number.clone()),
        draft,
        answers: view
            .answers
            .iter()
            .map(|a| Choice {
                value: a.id.clone(),
                label: format!("{} — {}", a.title, canned_text(a, c.lang)),
            })
            .collect(),
        colleagues: view
            .consultants
            .iter()
            .filter(|k| Some(k.id.as_str()) != c.row.consultant_id.as_deref())
            .map(|k| Choice {
                value: k.id.clone(),
                label: format!("{} ({})", k.name, k.open),
            })
            .collect(),
        history: view.history.iter().map(|h| list_line(p, h, now)).collect(),
        principal_email: if c.row.person_id.is_some() {
            c.row.person_email.clone()
        } else {
            String::new()
        },
        errors,
        p,
    };
    let status = unprocessable(&page.errors);
    let mut response = (status, render(&page)).into_response();
    // A guest's key is in this page's address: never send it to another site.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    Ok(response)
}

async fn show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<KeyQuery>,
) -> PageResult {
    chat_page(&state, &p, &auth, &id, &q.key, Vec::new(), String::new()).await
}

fn back(id: &str, key: &str) -> Response {
    match key_of(key) {
        Some(key) => Redirect::to(&format!("/consultations/{id}?key={key}#reply")),
        None => Redirect::to(&format!("/consultations/{id}#reply")),
    }
    .into_response()
}

#[derive(Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    answer: String,
}

async fn reply(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> PageResult {
    let answer = key_of(&form.answer);
    match state
        .app
        .post_consultation_message(&auth, key_of(&form.key), &id, &form.body, answer)
        .await
    {
        Ok(_) => Ok(back(&id, &form.key)),
        Err(e) => {
            let errors = form_errors(&p, e)?;
            chat_page(&state, &p, &auth, &id, &form.key, errors, form.body).await
        }
    }
}

/// A file sent from the conversation page (multipart: `file`; the key in the address for a
/// guest, like the CSRF token).
async fn attach(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<KeyQuery>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let refuse = |key: &str| {
        vec![FieldError {
            field: "file",
            message: p.t(key),
        }]
    };
    let errors = match super::sent_file(multipart).await {
        SentFile::TooLarge => refuse("case-error-file-size"),
        SentFile::Missing => refuse("case-error-file-missing"),
        SentFile::File(name, content) => match state
            .app
            .attach_to_consultation(&auth, key_of(&q.key), &id, &name, &content)
            .await
        {
            Ok(_) => return Ok(back(&id, &q.key)),
            Err(e @ AppError::Invalid { .. }) => vec![super::upload_error(&p, e)?],
            Err(e) => form_errors(&p, e)?,
        },
    };
    chat_page(&state, &p, &auth, &id, &q.key, errors, String::new()).await
}

async fn download(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, seq)): Path<(String, i64)>,
    Query(q): Query<KeyQuery>,
) -> PageResult {
    let (name, kind, content) = state
        .app
        .consultation_file(&auth, key_of(&q.key), &id, seq)
        .await
        .for_page(&p)?;
    Ok(crate::api::attachment(&kind, &name, content))
}

#[derive(Deserialize, Default)]
pub struct CloseForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn close(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> PageResult {
    let rating = match form.rating.trim() {
        "" => None,
        r => Some(r.parse::<i64>().unwrap_or(0)),
    };
    match state
        .app
        .close_consultation(&auth, key_of(&form.key), &id, rating, &form.comment)
        .await
    {
        Ok(()) => Ok(back(&id, &form.key)),
        Err(e) => {
            let errors = form_errors(&p, e)?;
            chat_page(&state, &p, &auth, &id, &form.key, errors, String::new()).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TransferForm {
    #[serde(default)]
    to: String,
}

async fn transfer(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<TransferForm>,
) -> PageResult {
    match state.app.transfer_consultation(&auth, &id, &form.to).await {
        Ok(()) => Ok(back(&id, "")),
        Err(e) => {
            let errors = form_errors(&p, e)?;
            chat_page(&state, &p, &auth, &id, "", errors, String::new()).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CaseForm {
    #[serde(default)]
    number: String,
}

async fn link_case(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<CaseForm>,
) -> PageResult {
    match state
        .app
        .link_consultation_case(&auth, &id, &form.number)
        .await
    {
        Ok(()) => Ok(back(&id, "")),
        Err(e) => {
            let errors = form_errors(&p, e)?;
            chat_page(&state, &p, &auth, &id, "", errors, String::new()).await
        }
    }
}

struct RotaLine {
    id: String,
    name: String,
    hours: String,
    on_shift: bool,
    open: i64,
}

#[derive(Template)]
#[template(path = "consult_shifts.html")]
struct RotaPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    lines: Vec<RotaLine>,
    gaps: Vec<String>,
    may_edit: bool,
}

/// A stretch of the week in words: `Sat 00:00 – Sun 24:00`.
fn week_span(p: &Prefs, start: u32, end: u32) -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let day = |n: u32| p.t(&format!("day-{}", DAYS[n as usize % 7]));
    let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    // An end on midnight reads as 24:00 of the day before.
    let (end_day, end_minute) = match end {
        0 => (0, 0),
        e if e.is_multiple_of(1440) => (e / 1440 - 1, 1440),
        e => (e / 1440, e % 1440),
    };
    format!(
        "{} {} – {} {}",
        day(start / 1440),
        clock(start % 1440),
        day(end_day),
        clock(end_minute)
    )
}

async fn rota_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
) -> PageResult {
    let rota = state.app.rota(auth).await.for_page(p)?;
    let view = RotaPage {
        title: p.t("shifts-title"),
        section: "consult",
        lines: rota
            .consultants
            .iter()
            .map(|s| RotaLine {
                id: s.consultant.id.clone(),
                name: s.consultant.name.clone(),
                hours: format_hours(&s.hours),
                on_shift: s.on_shift,
                open: s.consultant.open,
            })
            .collect(),
        gaps: rota
            .gaps
            .iter()
            .map(|(a, b)| week_span(p, *a, *b))
            .collect(),
        may_edit: auth
            .session
            .as_ref()
            .is_some_and(|s| s.actor.grants.contains(&Grant::Admin)),
        errors,
        p,
    };
    let status = unprocessable(&view.errors);
    Ok((status, render(&view)).into_response())
}

async fn rota(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    rota_page(&state, &p, &auth, Vec::new()).await
}

#[derive(Deserialize, Default)]
pub struct ShiftsForm {
    #[serde(default)]
    hours: String,
}

async fn save_shifts(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<ShiftsForm>,
) -> PageResult {
    match state.app.set_shifts(&auth, &id, &form.hours).await {
        Ok(()) => Ok(Redirect::to("/consult/shifts").into_response()),
        Err(e) => {
            let errors = form_errors(&p, e)?;
            rota_page(&state, &p, &auth, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    zh: String,
    #[serde(default)]
    en: String,
    #[serde(default)]
    it: String,
    #[serde(default)]
    es: String,
}

struct AnswerLine {
    id: String,
    title: String,
    zh: String,
    en: String,
    it: String,
    es: String,
}

#[derive(Template)]
#[template(path = "consult_answers.html")]
struct AnswersPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    lines: Vec<AnswerLine>,
    form: AnswerForm,
}

async fn answers_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    form: AnswerForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let answers = state.app.canned_answers(auth).await.for_page(p)?;
    let view = AnswersPage {
        title: p.t("answers-title"),
        section: "consult",
        lines: answers
            .into_iter()
            .map(|a| AnswerLine {
                id: a.id,
                title: a.title,
                zh: a.body_zh,
                en: a.body_en,
                it: a.body_it,
                es: a.body_es,
            })
            .collect(),
        form,
        errors,
        p,
    };
    let status = unprocessable(&view.errors);
    Ok((status, render(&view)).into_response())
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    edit: String,
}

async fn answers(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let mut form = AnswerForm::default();
    if !q.edit.is_empty() {
        let all = state.app.canned_answers(&auth).await.for_page(&p)?;
        let a = all
            .into_iter()
            .find(|a| a.id == q.edit)
            .ok_or_else(|| AppError::NotFound("this canned answer".into()))
            .for_page(&p)?;
        form = AnswerForm {
            id: a.id,
            title: a.title,
            zh: a.body_zh,
            en: a.body_en,
            it: a.body_it,
            es: a.body_es,
        };
    }
    answers_page(&state, &p, &auth, form, Vec::new()).await
}

async fn save_answer(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    // Strangers learn nothing from the form's errors.
    auth.may(&state.app, Action::AnswerConsultation)
        .await
        .for_page(&p)?;
    let request = AnswerRequest {
        id: key_of(&form.id).map(str::to_owned),
        title: form.title.clone(),
        zh: form.zh.clone(),
        en: form.en.clone(),
        it: form.it.clone(),
        es: form.es.clone(),
    };
    match state.app.save_canned_answer(&auth, &request).await {
        Ok(_) => Ok(Redirect::to("/consult/answers").into_response()),
        Err(e) => {
            let errors = form_errors(&p, e)?;
            answers_page(&state, &p, &auth, form, errors).await
        }
    }
}
