//! The consultation line over the API: open a consultation (signed in, or as a guest with a name and
//! an e-mail address, limited per address), read and write its messages, close and rate it; for
//! consultants the inbox, handing on, linking a case, the rota and canned answers. A guest proves
//! she asked with the `key` she was given (query parameter). Live messages come over
//! `/ws/consultations/{id}`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use qiaoyi_app::consultations::{
    AnswerRequest, ChatMessage, Consultation, ConsultationView, OpenRequest,
};
use qiaoyi_app::domain::access::Action;
use qiaoyi_app::domain::catalog::station::format_hours;
use qiaoyi_app::domain::consultations::CannedAnswer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits};

#[derive(Deserialize, ToSchema)]
pub struct OpenBody {
    /// One line, 1 to 120 characters.
    subject: String,
    /// The question, 1 to 4,000 characters.
    body: String,
    /// Without an account: the name to address you by.
    #[serde(default)]
    guest_name: String,
    /// Without an account: where the link to the conversation and answers are sent.
    #[serde(default)]
    guest_email: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationSummary {
    id: String,
    subject: String,
    /// `open` or `closed`.
    state: String,
    /// The asker's name.
    person: String,
    /// How she asked: `account`, `email` (a guest by her address) or `wechat` (a guest on the
    /// bureau's WeChat account, answered there).
    via: &'static str,
    /// The consultant holding it; empty while nobody does.
    consultant: String,
    /// The language answers are written in.
    lang: &'static str,
    /// Milliseconds since 1970 (UTC).
    opened_at: i64,
    first_response_due: i64,
    first_response_at: Option<i64>,
    resolve_due: i64,
    /// The deadline that orders the inbox: the first answer's, then resolution.
    due: i64,
    overdue: bool,
    /// Messages the reader's side has not read.
    unread: i64,
    last_message_at: i64,
    closed_at: Option<i64>,
    rating: Option<i64>,
    /// The case it led to.
    case_number: Option<String>,
}

impl ConsultationSummary {
    fn new(c: &Consultation, now: i64) -> Self {
        let r = &c.row;
        ConsultationSummary {
            id: r.id.clone(),
            subject: r.subject.clone(),
            state: r.state.as_str().into(),
            person: r.person_name.clone(),
            via: r.via(),
            consultant: r.consultant_name.clone(),
            lang: c.lang.tag(),
            opened_at: r.opened_at,
            first_response_due: r.first_response_due,
            first_response_at: r.first_response_at,
            resolve_due: r.resolve_due,
            due: c.due,
            overdue: c.overdue(now),
            unread: c.unread,
            last_message_at: r.last_message_at,
            closed_at: r.closed_at,
            rating: r.rating,
            case_number: r.case_number.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChatMessageView {
    seq: i64,
    /// `person`, `consultant` or `system`.
    side: String,
    author: String,
    /// As written (show it as text, never as HTML). For `system` messages a JSON object:
    /// `{"event":"transferred","to":…}`, `{"event":"closed","by":…}` or
    /// `{"event":"case-linked","number":…}`.
    body: String,
    created_at: i64,
    /// An attached file: download it from `/api/v1/consultations/{id}/files/{seq}`.
    file: Option<AttachedFile>,
}

#[derive(Serialize, ToSchema)]
pub struct AttachedFile {
    name: String,
    media_type: String,
    size: i64,
}

impl From<&ChatMessage> for ChatMessageView {
    fn from(m: &ChatMessage) -> Self {
        ChatMessageView {
            seq: m.seq,
            side: m.side.as_str().into(),
            author: m.author_name.clone(),
            body: m.body.clone(),
            created_at: m.created_at,
            file: m.file.as_ref().map(|f| AttachedFile {
                name: f.file_name.clone(),
                media_type: f.media_type.as_str().into(),
                size: f.size,
            }),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The file's name, whose extension must match its content (`.pdf`, `.jpg`, `.png`).
    name: String,
    /// A guest's key.
    #[serde(default)]
    key: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationDetail {
    consultation: ConsultationSummary,
    /// `person` (the asker) or `consultant`.
    side: &'static str,
    messages: Vec<ChatMessageView>,
}

impl ConsultationDetail {
    fn new(v: &ConsultationView, now: i64) -> Self {
        ConsultationDetail {
            consultation: ConsultationSummary::new(&v.consultation, now),
            side: v.side.as_str(),
            messages: v.messages.iter().map(ChatMessageView::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Opened {
    consultation: ConsultationSummary,
    /// A guest's key: send it as `key` to read and write. Only given once.
    key: Option<String>,
    /// Nobody is on shift: minutes until someone is (absent when no shifts are set at all).
    waiting: bool,
    minutes_until_shift: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationPage {
    total: u64,
    offset: u64,
    items: Vec<ConsultationSummary>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    offset: u64,
    /// 1 to 100; 20 when left out.
    limit: Option<u64>,
    /// Inbox only: every open consultation, not only yours and those nobody holds.
    #[serde(default)]
    all: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyQuery {
    /// A guest's key.
    #[serde(default)]
    key: String,
    /// Only messages after this number.
    #[serde(default)]
    after: i64,
}

fn key_of(q: &KeyQuery) -> Option<&str> {
    Some(q.key.trim()).filter(|k| !k.is_empty())
}

#[derive(Deserialize, ToSchema)]
pub struct MessageBody {
    /// 1 to 4,000 characters; left out when sending a canned answer.
    #[serde(default)]
    body: String,
    /// Consultants: a canned answer's id, sent in the consultation's language.
    #[serde(default)]
    answer: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TransferBody {
    /// The consultant's account id.
    to: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    /// The asker's satisfaction, 1 to 5; also accepted after closing, once.
    rating: Option<i64>,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CaseBody {
    /// The case's number, e.g. `QT-2026-000123`; the case must be the asker's.
    number: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsultantView {
    id: String,
    name: String,
    /// Weekly shifts in Beijing time, one period per line (`mon-fri 09:00-18:00`).
    hours: String,
    on_shift: bool,
    open: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RotaView {
    consultants: Vec<ConsultantView>,
    /// Stretches of the week nobody covers, as `[start, end)` minutes from Monday 00:00 Beijing.
    gaps: Vec<[u32; 2]>,
}

#[derive(Deserialize, ToSchema)]
pub struct ShiftsBody {
    hours: String,
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct AnswerView {
    /// Left out to add a new one.
    #[serde(default)]
    id: String,
    title: String,
    zh: String,
    en: String,
    it: String,
    es: String,
}

impl From<CannedAnswer> for AnswerView {
    fn from(a: CannedAnswer) -> Self {
        AnswerView {
            id: a.id,
            title: a.title,
            zh: a.body_zh,
            en: a.body_en,
            it: a.body_it,
            es: a.body_es,
        }
    }
}

/// The consultations you opened, the latest first.
#[utoipa::path(get, path = "/api/v1/consultations", operation_id = "list_consultations", tag = "consultations", params(ListQuery),
    responses(
        (status = 200, body = ConsultationPage),
        (status = 401, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConsultationPage>, Problem> {
    let now = auth.now;
    let page = state
        .app
        .my_consultations(&auth, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(ConsultationPage {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .iter()
            .map(|c| ConsultationSummary::new(c, now))
            .collect(),
    }))
}

/// Ask a question. It goes to the least-loaded consultant on shift; with nobody on shift it waits
/// and `waiting` says so. Without an account give `guest_name` and `guest_email`: the answer
/// `key` opens the conversation, and a link with it is e-mailed (at most 10 an hour per address).
#[utoipa::path(post, path = "/api/v1/consultations", operation_id = "open_consultation", tag = "consultations", request_body = OpenBody,
    responses(
        (status = 201, body = Opened),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn open(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<OpenBody>,
) -> Result<(StatusCode, Json<Opened>), Problem> {
    if auth.session.is_none() && !state.limits.allow(Bucket::Consult, &auth.client.address) {
        return Err(Limits::refused());
    }
    let now = auth.now;
    let request = OpenRequest {
        subject: body.subject,
        body: body.body,
        guest_name: body.guest_name,
        guest_email: body.guest_email,
    };
    let opened = state.app.open_consultation(&auth, &request, p.lang).await?;
    Ok((
        StatusCode::CREATED,
        Json(Opened {
            consultation: ConsultationSummary::new(&opened.consultation, now),
            key: opened.guest_key,
            waiting: opened.waiting.is_some(),
            minutes_until_shift: opened.waiting.flatten(),
        }),
    ))
}

/// Consultants: open consultations by urgency (the earliest deadline first) with unread counts;
/// yours and those nobody holds, or all with `all=true`.
#[utoipa::path(get, path = "/api/v1/consultations/inbox", tag = "consultations", params(ListQuery),
    responses(
        (status = 200, body = ConsultationPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn inbox(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConsultationPage>, Problem> {
    let now = auth.now;
    let page = state
        .app
        .consultation_inbox(&auth, q.all, q.offset, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(ConsultationPage {
        total: page.total,
        offset: page.offset,
        items: page
            .items
            .iter()
            .map(|c| ConsultationSummary::new(c, now))
            .collect(),
    }))
}

/// A consultation with its messages (after `after`, at most 500): for the asker (her account, or
/// her `key`) and consultants. What is returned counts as read.
#[utoipa::path(get, path = "/api/v1/consultations/{id}", operation_id = "show_consultation", tag = "consultations",
    params(("id" = String, Path, description = "The consultation's id"), KeyQuery),
    responses(
        (status = 200, body = ConsultationDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<KeyQuery>,
) -> Result<Json<ConsultationDetail>, Problem> {
    let now = auth.now;
    let view = state
        .app
        .consultation(&auth, key_of(&q), &id, q.after)
        .await?;
    Ok(Json(ConsultationDetail::new(&view, now)))
}

/// Write a message (or, as a consultant, send a canned answer in the consultation's language).
#[utoipa::path(post, path = "/api/v1/consultations/{id}/messages", tag = "consultations",
    request_body = MessageBody,
    params(("id" = String, Path, description = "The consultation's id"), KeyQuery),
    responses(
        (status = 201, body = ChatMessageView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The consultation is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too long (over 4,000 characters) or control characters", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn post_message(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<KeyQuery>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<ChatMessageView>), Problem> {
    let answer = Some(body.answer.trim()).filter(|a| !a.is_empty());
    let message = state
        .app
        .post_consultation_message(&auth, key_of(&q), &id, &body.body, answer)
        .await?;
    Ok((StatusCode::CREATED, Json(ChatMessageView::from(&message))))
}

/// Consultants: hand a consultation to a colleague, or take one nobody holds.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/transfer", tag = "consultations",
    request_body = TransferBody,
    params(("id" = String, Path, description = "The consultation's id")),
    responses(
        (status = 204, description = "Handed on"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn transfer(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TransferBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .transfer_consultation(&auth, &id, &body.to)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Close a consultation (either side); the asker may rate it, then or later, once.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/close", tag = "consultations",
    request_body = CloseBody,
    params(("id" = String, Path, description = "The consultation's id"), KeyQuery),
    responses(
        (status = 204, description = "Closed (and rated)"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already closed, or already rated", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn close(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<KeyQuery>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .close_consultation(&auth, key_of(&q), &id, body.rating, &body.comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Consultants: name the case the consultation led to (filed for the asker, e.g. under her
/// mandate).
#[utoipa::path(post, path = "/api/v1/consultations/{id}/case", tag = "consultations",
    request_body = CaseBody,
    params(("id" = String, Path, description = "The consultation's id")),
    responses(
        (status = 204, description = "Linked"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The consultation is closed", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn link_case(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CaseBody>,
) -> Result<StatusCode, Problem> {
    state
        .app
        .link_consultation_case(&auth, &id, &body.number)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Consultants and administrators: every consultant's weekly shifts (Beijing time), who is on
/// shift now, and what nobody covers.
#[utoipa::path(get, path = "/api/v1/consultants", tag = "consultations",
    responses(
        (status = 200, body = RotaView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn rota(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<RotaView>, Problem> {
    let rota = state.app.rota(&auth).await?;
    Ok(Json(RotaView {
        consultants: rota
            .consultants
            .iter()
            .map(|s| ConsultantView {
                id: s.consultant.id.clone(),
                name: s.consultant.name.clone(),
                hours: format_hours(&s.hours),
                on_shift: s.on_shift,
                open: s.consultant.open,
            })
            .collect(),
        gaps: rota.gaps.iter().map(|(a, b)| [*a, *b]).collect(),
    }))
}

/// Administrators: set a consultant's weekly shifts, one period per line in Beijing time
/// (`mon-sun 00:00-08:00`; a night shift is two lines, up to 24:00 and from 00:00).
#[utoipa::path(put, path = "/api/v1/consultants/{id}/shifts", tag = "consultations",
    request_body = ShiftsBody,
    params(("id" = String, Path, description = "The consultant's account id")),
    responses(
        (status = 204, description = "Saved"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn set_shifts(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ShiftsBody>,
) -> Result<StatusCode, Problem> {
    state.app.set_shifts(&auth, &id, &body.hours).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Consultants: the canned answers, each in the four languages.
#[utoipa::path(get, path = "/api/v1/canned-answers", tag = "consultations",
    responses(
        (status = 200, body = Vec<AnswerView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn answers(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<AnswerView>>, Problem> {
    let answers = state.app.canned_answers(&auth).await?;
    Ok(Json(answers.into_iter().map(AnswerView::from).collect()))
}

/// Consultants: add a canned answer, or replace one (with its `id`). Every language is required.
#[utoipa::path(post, path = "/api/v1/canned-answers", tag = "consultations", request_body = AnswerView,
    responses(
        (status = 200, body = AnswerView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong; `field` names it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn save_answer(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<AnswerView>,
) -> Result<Json<AnswerView>, Problem> {
    auth.may(&state.app, Action::AnswerConsultation).await?;
    let request = AnswerRequest {
        id: Some(body.id).filter(|id| !id.trim().is_empty()),
        title: body.title,
        zh: body.zh,
        en: body.en,
        it: body.it,
        es: body.es,
    };
    let saved = state.app.save_canned_answer(&auth, &request).await?;
    Ok(Json(AnswerView::from(saved)))
}

/// Attach a file (PDF, JPEG or PNG, recognised by its content, within the upload limit) as a
/// message of its own; the body is the file's bytes.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/files", tag = "consultations",
    params(("id" = String, Path, description = "The consultation's id"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = ChatMessageView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The consultation is closed", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too large, not PDF/JPEG/PNG, or not what its name says", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn attach(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<FileQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ChatMessageView>), Problem> {
    let key = Some(q.key.trim()).filter(|k| !k.is_empty());
    let message = state
        .app
        .attach_to_consultation(&auth, key, &id, &q.name, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(ChatMessageView::from(&message))))
}

/// Download the file attached to message `seq`, always as an attachment.
#[utoipa::path(get, path = "/api/v1/consultations/{id}/files/{seq}", operation_id = "download_consultation_file", tag = "consultations",
    params(("id" = String, Path, description = "The consultation's id"),
           ("seq" = i64, Path, description = "The message's number"), KeyQuery),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn download(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, seq)): ApiPath<(String, i64)>,
    ApiQuery(q): ApiQuery<KeyQuery>,
) -> Result<Response, Problem> {
    let (name, kind, content) = state
        .app
        .consultation_file(&auth, key_of(&q), &id, seq)
        .await?;
    Ok(super::attachment(&kind, &name, content))
}
