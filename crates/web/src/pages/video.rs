//! Video identity checks on pages: the officers' slots (publish a day's times in Beijing, see
//! bookings, mark no-shows), the case page's section (the booking in one's own zone beside
//! Beijing's, or the open slots to choose from; moving or giving a booking back; the participants
//! and what the officer recorded of each) and the room of a booked check (`/video/room/{slot}`,
//! whose live part is `crate::video_room` and the page's script).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use qiaoyi_app::domain::video::SlotState;
use qiaoyi_app::domain::video_check::{Document, GateError, Role, Verdict};
use qiaoyi_app::video::{CaseVideo, SlotView};
use qiaoyi_app::video_check::{ParticipantInput, RoomRole, VerdictInput, VideoCheck};
use qiaoyi_app::{AppError, ConflictKind, Reason, StoreError};
use serde::Deserialize;

use super::account::{FieldError, FieldErrors};
use super::{ForPage, PageResult, render};
use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/video/slots", get(slots).post(publish))
        .route("/video/slots/{id}/cancel", post(cancel))
        .route("/video/slots/{id}/no-show", post(no_show))
        .route("/cases/{id}/video", post(book))
        .route("/cases/{id}/video/move", post(reschedule))
        .route("/cases/{id}/video/participants", post(add_participant))
        .route(
            "/cases/{id}/video/participants/{pid}/remove",
            post(remove_participant),
        )
        .route(
            "/cases/{id}/video/participants/{pid}/record",
            post(record_verdict),
        )
        .route("/video/room/{slot}", get(room))
        .route("/cases/{id}/video.ics", get(calendar))
}

/// A booked check as an iCalendar file (RFC 5545), named after its case, for the case page's
/// link and the API: the start and end as instants, the times in `time_zone` and Beijing's and
/// the officer in the reader's words, the room's link, a reminder half an hour before. `None`
/// when the case has no check booked.
pub(crate) async fn calendar_file(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    case_id: &str,
    time_zone: &str,
) -> Result<Option<(String, String)>, AppError> {
    use qiaoyi_app::domain::calendar_file::{Event, ics};
    let detail = state.app.case(auth, case_id).await?;
    let case = &detail.case;
    let Some(video) = state.app.case_video(auth, case, time_zone).await? else {
        return Ok(None);
    };
    let Some(booked) = video.booked else {
        return Ok(None);
    };
    let instant = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map_err(|e| AppError::Internal(format!("a slot's time is out of range: {e}")))
    };
    let base = state.app.public_url();
    let room = format!("{base}/video/room/{}", booked.row.id);
    let summary = p.t2(
        "video-ics-summary",
        ("item", case.item.name.get(p.lang).to_owned()),
        ("number", case.number.clone()),
    );
    let description = p.t_with(
        "video-ics-description",
        &[
            ("local", booked.local.clone().into()),
            ("beijing", booked.beijing.clone().into()),
            ("minutes", booked.row.minutes.into()),
            ("officer", booked.row.officer_name.clone().into()),
            ("link", format!("{base}/cases/{}#video", case.id).into()),
        ],
    );
    let host = base.split("://").nth(1).unwrap_or(base);
    let uid = format!(
        "{}@{}",
        booked.row.id,
        host.split(['/', ':']).next().unwrap_or(host)
    );
    let file = ics(&Event {
        uid: &uid,
        stamp: instant(auth.now)?,
        starts: instant(booked.row.starts_at)?,
        ends: instant(booked.row.starts_at + booked.row.minutes * 60_000)?,
        summary: &summary,
        description: &description,
        url: &room,
        remind_minutes: 30,
    });
    Ok(Some((format!("qiaoyi-video-{}.ics", case.number), file)))
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    tz: String,
}

async fn calendar(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<CalendarQuery>,
) -> PageResult {
    match calendar_file(&state, &p, &auth, &id, &q.tz)
        .await
        .for_page(&p)?
    {
        Some((name, file)) => Ok(calendar_response(&name, file)),
        None => Err(AppError::NotFound("a booked video check".into())).for_page(&p),
    }
}

/// An iCalendar file as a download.
pub(crate) fn calendar_response(name: &str, file: String) -> axum::response::Response {
    use axum::http::header;
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        file,
    )
        .into_response()
}

pub struct SlotLine {
    pub id: String,
    pub local: String,
    pub beijing: String,
    pub minutes: i64,
    pub state: String,
    pub booked: bool,
    pub case_id: String,
    pub case_number: String,
    pub officer: String,
}

fn line(p: &Prefs, v: SlotView) -> SlotLine {
    SlotLine {
        state: p.t(&format!(
            "video-state-{}",
            v.row.state.as_str().replace('_', "-")
        )),
        booked: v.row.state == SlotState::Booked,
        id: v.row.id,
        local: v.local,
        beijing: v.beijing,
        minutes: v.row.minutes,
        case_id: v.row.case_id.unwrap_or_default(),
        case_number: v.row.case_number.unwrap_or_default(),
        officer: v.row.officer_name,
    }
}

/// The case page's video section.
pub struct VideoSection {
    pub booked: Option<SlotLine>,
    pub open: Vec<SlotLine>,
    pub may_book: bool,
    pub time_zone: String,
    pub zones: Vec<String>,
    pub check: Option<CheckSection>,
}

/// A participant's line.
pub struct ParticipantLine {
    pub id: String,
    pub name: String,
    pub role: String,
    pub document: String,
    pub own_device: bool,
    pub required: bool,
    pub pending: bool,
    pub verdict: String,
    pub verdict_class: &'static str,
    pub matched: String,
    pub note: String,
}

/// The participants of a check and what may be done with them (the case page and the room).
pub struct CheckSection {
    pub case_id: String,
    pub lines: Vec<ParticipantLine>,
    pub guardians: bool,
    pub needs: bool,
    pub waiting: String,
    pub may_edit: bool,
    pub may_record: bool,
    pub room: Option<String>,
    /// Where the forms come back to: the room's slot, or empty for the case page.
    pub back_room: String,
    pub roles: Vec<(&'static str, String)>,
    pub documents: Vec<(&'static str, String)>,
    pub verdicts: Vec<(&'static str, String)>,
}

fn document_name(p: &Prefs, code: &str) -> String {
    p.t(&format!("video-document-{}", code.replace('_', "-")))
}

pub fn check_section(p: &Prefs, case_id: &str, check: VideoCheck, back_room: &str) -> CheckSection {
    let waiting = match &check.waiting {
        None => String::new(),
        // "Add … below" only where the form below is: before the case is sent there is none.
        Some(GateError::NoSubject | GateError::NoGuardian) if !check.may_edit => {
            p.t("video-gate-after-sending")
        }
        Some(GateError::NoSubject) => p.t("video-gate-no-subject"),
        Some(GateError::NoGuardian) => p.t("video-gate-no-guardian"),
        Some(GateError::NotConfirmed(names)) => p.t1("video-gate-waiting", "names", names.clone()),
    };
    let lines = check
        .participants
        .into_iter()
        .map(|v| {
            let r = v.row;
            ParticipantLine {
                role: p.t(&format!("video-role-{}", r.role.as_str())),
                document: document_name(p, r.document_type.as_str()),
                own_device: r.user_id.is_some(),
                required: v.required,
                pending: r.verdict == Verdict::Pending,
                verdict: p.t(&format!(
                    "video-verdict-{}",
                    r.verdict.as_str().replace('_', "-")
                )),
                verdict_class: match r.verdict {
                    Verdict::Confirmed => "valid",
                    Verdict::Pending => "",
                    Verdict::NotConfirmed | Verdict::Absent => "invalid",
                },
                matched: match r.document_matched {
                    Some(true) => p.t("video-matched-yes"),
                    Some(false) => p.t("video-matched-no"),
                    None => String::new(),
                },
                note: r.note,
                name: r.name,
                id: r.id,
            }
        })
        .collect();
    CheckSection {
        case_id: case_id.to_owned(),
        lines,
        guardians: check.guardians,
        needs: check.needs,
        waiting,
        may_edit: check.may_edit,
        may_record: check.may_record,
        room: check.room,
        back_room: back_room.to_owned(),
        roles: Role::ALL
            .into_iter()
            .filter(|r| check.guardians || *r == Role::Subject)
            .map(|r| (r.as_str(), p.t(&format!("video-role-{}", r.as_str()))))
            .collect(),
        documents: Document::ALL
            .into_iter()
            .map(|d| (d.as_str(), document_name(p, d.as_str())))
            .collect(),
        verdicts: Verdict::ALL[1..]
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    p.t(&format!("video-verdict-{}", v.as_str().replace('_', "-"))),
                )
            })
            .collect(),
    }
}

pub fn section(v: CaseVideo, check: Option<CheckSection>, zones: Vec<String>) -> VideoSection {
    let plain = |s: SlotView| SlotLine {
        booked: s.row.state == SlotState::Booked,
        state: String::new(),
        id: s.row.id,
        local: s.local,
        beijing: s.beijing,
        minutes: s.row.minutes,
        case_id: String::new(),
        case_number: String::new(),
        officer: s.row.officer_name,
    };
    VideoSection {
        booked: v.booked.map(plain),
        open: v.open.into_iter().map(plain).collect(),
        may_book: v.may_book,
        time_zone: v.time_zone,
        zones,
        check,
    }
}

fn field_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let (field, key) = match &error {
        AppError::Invalid {
            field: "date",
            reason: Reason::OutOfRange,
            ..
        } => ("date", "video-error-when"),
        AppError::Invalid { field: "date", .. } => ("date", "video-error-date"),
        AppError::Invalid { field: "times", .. } => ("times", "video-error-times"),
        AppError::Invalid {
            field: "minutes", ..
        } => ("minutes", "video-error-minutes"),
        AppError::Invalid { .. } => ("slot", "video-error-slot"),
        AppError::Store(StoreError::Conflict {
            kind: ConflictKind::Taken,
            ..
        }) => ("slot", "video-error-taken"),
        AppError::Store(StoreError::Conflict { .. }) => ("slot", "video-error-conflict"),
        _ => return Err(error).for_page(p),
    };
    Ok(FieldError {
        field,
        message: p.t(key),
    })
}

#[derive(Template)]
#[template(path = "video_slots.html")]
struct SlotsPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    form: PublishForm,
    slots: Vec<SlotLine>,
}

#[derive(Deserialize, Default, Clone)]
pub struct PublishForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    times: String,
    #[serde(default)]
    minutes: String,
}

async fn slots_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    errors: Vec<FieldError>,
    form: PublishForm,
) -> PageResult {
    let slots = state.app.my_slots(auth).await.for_page(p)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SlotsPage {
        title: p.t("video-slots-title"),
        section: "account",
        errors,
        form,
        slots: slots.into_iter().map(|v| line(p, v)).collect(),
        p,
    };
    Ok((status, render(&page)).into_response())
}

async fn slots(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
) -> PageResult {
    let form = PublishForm {
        minutes: "20".into(),
        ..PublishForm::default()
    };
    slots_page(&state, &p, &auth, Vec::new(), form).await
}

async fn publish(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Form(form): Form<PublishForm>,
) -> PageResult {
    let minutes = form.minutes.trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .publish_slots(&auth, &form.date, &form.times, minutes)
        .await
    {
        Ok(_) => Ok(Redirect::to("/video/slots").into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            let error = if error.field == "slot" {
                FieldError {
                    field: "times",
                    message: p.t("video-error-twice"),
                }
            } else {
                error
            };
            slots_page(&state, &p, &auth, vec![error], form).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BackForm {
    /// Where to go afterwards: a case's id, or empty for the officer's slots.
    #[serde(default)]
    case: String,
}

fn back(case: &str) -> String {
    if case.is_empty() {
        "/video/slots".into()
    } else {
        format!("/cases/{case}#video")
    }
}

async fn cancel(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<BackForm>,
) -> PageResult {
    match state.app.cancel_video_slot(&auth, &id).await {
        Ok(()) => Ok(Redirect::to(&back(form.case.trim())).into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            match form.case.trim() {
                "" => slots_page(&state, &p, &auth, vec![error], PublishForm::default()).await,
                case => super::cases::case_with(&state, &p, &auth, case, vec![error], None).await,
            }
        }
    }
}

async fn no_show(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PageResult {
    match state.app.mark_video_no_show(&auth, &id).await {
        Ok(()) => Ok(Redirect::to("/video/slots").into_response()),
        Err(e) => {
            let error = field_error(&p, e)?;
            slots_page(&state, &p, &auth, vec![error], PublishForm::default()).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct BookForm {
    #[serde(default)]
    slot: String,
    #[serde(default)]
    time_zone: String,
}

async fn book(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<BookForm>,
) -> PageResult {
    match state
        .app
        .book_video_slot(&auth, &id, form.slot.trim(), &form.time_zone)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#video")).into_response()),
        Err(AppError::NotFound(what)) if what == "this slot" => {
            let error = FieldError {
                field: "slot",
                message: p.t("video-error-slot"),
            };
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
        Err(e) => {
            let error = field_error(&p, e)?;
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    /// The booked slot.
    #[serde(default)]
    from: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    time_zone: String,
}

async fn reschedule(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> PageResult {
    match state
        .app
        .reschedule_video_slot(&auth, form.from.trim(), form.slot.trim(), &form.time_zone)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#video")).into_response()),
        Err(AppError::NotFound(what)) if what == "the new time" => {
            let error = FieldError {
                field: "slot",
                message: p.t("video-error-slot"),
            };
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
        Err(e) => {
            let error = field_error(&p, e)?;
            super::cases::case_with(&state, &p, &auth, &id, vec![error], None).await
        }
    }
}

/// A refused participant or record form's message, shown above the participants.
fn check_error(p: &Prefs, error: AppError) -> Result<FieldError, super::PageError> {
    let key = match &error {
        AppError::Invalid { field, reason, .. } => match (*field, reason) {
            ("role", _) => "video-error-role",
            ("name", _) => "video-error-name",
            ("document_type", _) => "video-error-document-type",
            ("document_number", Reason::Mismatch) => "video-error-mismatch",
            ("document_number", _) => "video-error-document-number",
            ("participants", _) => "video-error-too-many",
            ("verdict", Reason::NotOpenYet) => "video-error-not-open",
            ("verdict", _) => "video-error-verdict",
            ("note", _) => "video-error-note",
            ("email", _) => "video-error-email",
            _ => "video-error-no-check",
        },
        AppError::Store(StoreError::Conflict {
            kind: ConflictKind::Recorded,
            ..
        }) => "video-error-recorded",
        AppError::Store(StoreError::Conflict { .. }) => "video-error-conflict",
        _ => return Err(error).for_page(p),
    };
    Ok(FieldError {
        field: "video_check",
        message: p.t(key),
    })
}

/// After a participant or record form: back to the room it came from, or to the case page.
async fn after_check_form(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    case_id: &str,
    room: &str,
    result: Result<(), AppError>,
) -> PageResult {
    let room = room.trim();
    let error = match result {
        Ok(()) if room.is_empty() => {
            return Ok(Redirect::to(&format!("/cases/{case_id}#video-check")).into_response());
        }
        Ok(()) => {
            return Ok(Redirect::to(&format!("/video/room/{room}#video-check")).into_response());
        }
        Err(e) => check_error(p, e)?,
    };
    if room.is_empty() {
        super::cases::case_with(state, p, auth, case_id, vec![error], None).await
    } else {
        room_page(state, p, auth, room, "", vec![error]).await
    }
}

#[derive(Deserialize, Default)]
pub struct ParticipantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    document_type: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    email: String,
    /// The room the form was sent from, if any.
    #[serde(default)]
    room: String,
}

async fn add_participant(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Form(form): Form<ParticipantForm>,
) -> PageResult {
    let input = ParticipantInput {
        role: form.role,
        name: form.name,
        document_type: form.document_type,
        document_number: form.document_number,
        email: form.email,
    };
    let result = state
        .app
        .add_video_participant(&auth, &id, &input)
        .await
        .map(|_| ());
    after_check_form(&state, &p, &auth, &id, &form.room, result).await
}

async fn remove_participant(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, pid)): Path<(String, String)>,
    Form(form): Form<ParticipantForm>,
) -> PageResult {
    let result = state.app.remove_video_participant(&auth, &id, &pid).await;
    after_check_form(&state, &p, &auth, &id, &form.room, result).await
}

#[derive(Deserialize, Default)]
pub struct VerdictForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    document_type: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    room: String,
}

async fn record_verdict(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path((id, pid)): Path<(String, String)>,
    Form(form): Form<VerdictForm>,
) -> PageResult {
    let input = VerdictInput {
        verdict: form.verdict,
        document_type: form.document_type,
        document_number: form.document_number,
        note: form.note,
    };
    let result = state
        .app
        .record_video_verdict(&auth, &id, &pid, &input)
        .await
        .map(|_| ());
    after_check_form(&state, &p, &auth, &id, &form.room, result).await
}

#[derive(Template)]
#[template(path = "video_room.html")]
struct RoomPage<'a> {
    p: &'a Prefs,
    title: String,
    section: &'static str,
    errors: Vec<FieldError>,
    slot: SlotLine,
    case_id: String,
    case_number: String,
    officer: bool,
    name: String,
    socket: String,
    check: CheckSection,
}

#[derive(Deserialize, Default)]
pub struct RoomQuery {
    #[serde(default)]
    tz: String,
}

async fn room(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(slot): Path<String>,
    Query(q): Query<RoomQuery>,
) -> PageResult {
    room_page(&state, &p, &auth, &slot, &q.tz, Vec::new()).await
}

async fn room_page(
    state: &AppState,
    p: &Prefs,
    auth: &Auth,
    slot: &str,
    tz: &str,
    errors: Vec<FieldError>,
) -> PageResult {
    let pass = match state.app.video_room(auth, slot, tz).await {
        Ok(pass) => pass,
        Err(AppError::Invalid { field: "room", .. }) => {
            return Ok(super::message_page(
                p,
                StatusCode::CONFLICT,
                "room-closed-title",
                "room-closed",
            ));
        }
        Err(e) => return Err(e).for_page(p),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RoomPage {
        title: p.t1("room-title", "number", pass.case_number.clone()),
        section: "cases",
        errors,
        officer: pass.role == RoomRole::Officer,
        name: pass.name,
        socket: format!("/ws/video/{}", pass.slot.row.id),
        check: check_section(p, &pass.case_id, pass.check, &pass.slot.row.id),
        slot: line(p, pass.slot),
        case_id: pass.case_id,
        case_number: pass.case_number,
        p,
    };
    Ok((status, render(&page)).into_response())
}
