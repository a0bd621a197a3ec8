//! Video identity checks over the API: officers publish slots and mark no-shows; the applicant's
//! side of a case sees the open slots in its own zone beside Beijing's, books one, gives it back.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::domain::video_check::Participant;
use qiaoyi_app::video::SlotView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::resolve;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// The day, `YYYY-MM-DD`, in Beijing.
    date: String,
    /// Start times in Beijing, `HH:MM`, separated by spaces (at most 48).
    times: String,
    /// 10 to 60.
    minutes: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Published {
    published: usize,
}

#[derive(Serialize, ToSchema)]
pub struct SlotInfo {
    id: String,
    officer: String,
    /// Milliseconds since 1970 (UTC).
    starts_at: i64,
    minutes: i64,
    /// `open`, `booked`, `no_show`.
    state: String,
    /// The booked case's number.
    case_number: Option<String>,
    /// The start in the zone asked for (or the booker's), and in Beijing.
    local: String,
    beijing: String,
}

impl From<SlotView> for SlotInfo {
    fn from(v: SlotView) -> Self {
        SlotInfo {
            id: v.row.id,
            officer: v.row.officer_name,
            starts_at: v.row.starts_at,
            minutes: v.row.minutes,
            state: v.row.state.as_str().into(),
            case_number: v.row.case_number,
            local: v.local,
            beijing: v.beijing,
        }
    }
}

/// Publish slots on one day (officers).
#[utoipa::path(post, path = "/api/v1/video/slots", tag = "video", request_body = PublishBody,
    responses(
        (status = 201, body = Published),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A slot at one of these times exists", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn publish(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiJson(body): ApiJson<PublishBody>,
) -> Result<(StatusCode, Json<Published>), Problem> {
    let published = state
        .app
        .publish_slots(&auth, &body.date, &body.times, body.minutes)
        .await?;
    Ok((StatusCode::CREATED, Json(Published { published })))
}

/// The signed-in officer's slots from now on.
#[utoipa::path(get, path = "/api/v1/video/slots", operation_id = "my_video_slots", tag = "video",
    responses(
        (status = 200, body = Vec<SlotInfo>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<SlotInfo>>, Problem> {
    let slots = state.app.my_slots(&auth).await?;
    Ok(Json(slots.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZoneQuery {
    /// An IANA zone such as `Europe/Rome`; by default the station's, or that of the country of
    /// the person on file, else Beijing's.
    #[serde(default)]
    time_zone: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseVideoView {
    /// Absent when the case's service needs no video check.
    booked: Option<SlotInfo>,
    open: Vec<SlotInfo>,
    may_book: bool,
    time_zone: String,
}

/// A case's booked video check as an iCalendar file (RFC 5545): the start and end as UTC
/// instants, the times in `time_zone` and Beijing's in the description (in the language of
/// `Accept-Language`), the room's link, a reminder 30 minutes before.
#[utoipa::path(get, path = "/api/v1/cases/{id}/video/calendar", tag = "video",
    params(("id" = String, Path, description = "Case id or number"), ZoneQuery),
    responses(
        (status = 200, description = "The event", content_type = "text/calendar"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no video check booked for it", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn calendar(
    State(state): State<AppState>,
    Extension(p): Extension<crate::i18n::Prefs>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ZoneQuery>,
) -> Result<axum::response::Response, Problem> {
    let id = resolve(&state, &id).await?;
    match crate::pages::video::calendar_file(&state, &p, &auth, &id, &q.time_zone).await? {
        Some((name, file)) => Ok(crate::pages::video::calendar_response(&name, file)),
        None => Err(qiaoyi_app::AppError::NotFound("a booked video check".into()).into()),
    }
}

/// A case's video check: its booking, or the open slots to choose from.
#[utoipa::path(get, path = "/api/v1/cases/{id}/video", tag = "video",
    params(("id" = String, Path, description = "Case id or number"), ZoneQuery),
    responses(
        (status = 200, body = CaseVideoView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or its service needs no video check", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn case_video(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ZoneQuery>,
) -> Result<Json<CaseVideoView>, Problem> {
    let id = resolve(&state, &id).await?;
    let detail = state.app.case(&auth, &id).await?;
    let video = state
        .app
        .case_video(&auth, &detail.case, &q.time_zone)
        .await?
        .ok_or_else(|| qiaoyi_app::AppError::NotFound("a video check for this case".into()))?;
    Ok(Json(CaseVideoView {
        booked: video.booked.map(Into::into),
        open: video.open.into_iter().map(Into::into).collect(),
        may_book: video.may_book,
        time_zone: video.time_zone,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    slot: String,
    /// The zone the booking's messages tell the time in; by default as for `GET`.
    #[serde(default)]
    time_zone: String,
}

/// Book an open slot for a case (its applicant's side). Of two bookings of one slot exactly one
/// succeeds; the other is 409.
#[utoipa::path(post, path = "/api/v1/cases/{id}/video", tag = "video",
    params(("id" = String, Path, description = "Case id or number")),
    request_body = BookBody,
    responses(
        (status = 201, body = SlotInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn book(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<BookBody>,
) -> Result<(StatusCode, Json<SlotInfo>), Problem> {
    let id = resolve(&state, &id).await?;
    let booked = state
        .app
        .book_video_slot(&auth, &id, &body.slot, &body.time_zone)
        .await?;
    Ok((StatusCode::CREATED, Json(booked.into())))
}

/// Give a booked slot back (the case's applicant side, or the officer); it opens again.
#[utoipa::path(post, path = "/api/v1/video/slots/{id}/cancel", tag = "video",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Given back"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    state.app.cancel_video_slot(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark that nobody came to a booked check that has started (its officer).
#[utoipa::path(post, path = "/api/v1/video/slots/{id}/no-show", tag = "video",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Marked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn no_show(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    state.app.mark_video_no_show(&auth, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The open slot to move to.
    slot: String,
    /// The zone the messages tell the time in; by default as for `GET`.
    #[serde(default)]
    time_zone: String,
}

/// Move a booked check to another open time in one step (the case's applicant side). If someone
/// takes the new time first the answer is 409 and the booking stays as it was.
#[utoipa::path(post, path = "/api/v1/video/slots/{id}/reschedule", tag = "video",
    params(("id" = String, Path, description = "The booked slot")),
    request_body = MoveBody,
    responses(
        (status = 200, body = SlotInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn reschedule(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<SlotInfo>, Problem> {
    let moved = state
        .app
        .reschedule_video_slot(&auth, &id, &body.slot, &body.time_zone)
        .await?;
    Ok(Json(moved.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantInfo {
    id: String,
    /// `subject`, `parent` or `guardian`.
    role: String,
    name: String,
    /// `passport`, `id_card`, `travel_permit` or `residence_permit`.
    document_type: String,
    /// Joins on her own account's device, rather than beside the applicant.
    own_device: bool,
    /// Whether she must be confirmed before the identity may be recorded as verified.
    required: bool,
    /// `pending`, `confirmed`, `not_confirmed` or `absent`.
    verdict: String,
    /// Whether the document shown matched the one on file (absent when none was shown).
    document_matched: Option<bool>,
    note: String,
    /// Milliseconds since 1970 (UTC).
    recorded_at: Option<i64>,
}

impl ParticipantInfo {
    fn from_row(row: Participant, required: bool) -> Self {
        ParticipantInfo {
            own_device: row.user_id.is_some(),
            id: row.id,
            role: row.role.as_str().into(),
            name: row.name,
            document_type: row.document_type.as_str().into(),
            required,
            verdict: row.verdict.as_str().into(),
            document_matched: row.document_matched,
            note: row.note,
            recorded_at: row.recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VideoCheckView {
    participants: Vec<ParticipantInfo>,
    /// A minor's case: each parent or guardian is checked instead of the person.
    guardians: bool,
    /// Whether the case needs the check (one filed at the window does not).
    needs: bool,
    /// Why "identity verified" is still refused: `no_subject`, `no_guardian` or `not_confirmed`;
    /// absent once it may be recorded.
    waiting: Option<String>,
    waiting_message: Option<String>,
    may_edit: bool,
    may_record: bool,
    /// The open room's slot, when the reader may enter it now (`/ws/video/{room}`).
    room: Option<String>,
}

/// A case's video check: its participants, what was recorded of each, and whether the identity
/// may be recorded as verified.
#[utoipa::path(get, path = "/api/v1/cases/{id}/video/participants", tag = "video",
    params(("id" = String, Path, description = "Case id or number")),
    responses(
        (status = 200, body = VideoCheckView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or its service needs no video check", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn participants(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VideoCheckView>, Problem> {
    use qiaoyi_app::domain::video_check::GateError;
    let id = resolve(&state, &id).await?;
    let detail = state.app.case(&auth, &id).await?;
    let check = state
        .app
        .video_check(&auth, &detail.case)
        .await?
        .ok_or_else(|| qiaoyi_app::AppError::NotFound("a video check for this case".into()))?;
    Ok(Json(VideoCheckView {
        waiting: check.waiting.as_ref().map(|w| {
            match w {
                GateError::NoSubject => "no_subject",
                GateError::NoGuardian => "no_guardian",
                GateError::NotConfirmed(_) => "not_confirmed",
            }
            .to_owned()
        }),
        waiting_message: check.waiting.as_ref().map(ToString::to_string),
        participants: check
            .participants
            .into_iter()
            .map(|v| ParticipantInfo::from_row(v.row, v.required))
            .collect(),
        guardians: check.guardians,
        needs: check.needs,
        may_edit: check.may_edit,
        may_record: check.may_record,
        room: check.room,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantBody {
    /// `subject`, or for a minor's case `parent` or `guardian`.
    role: String,
    name: String,
    /// `passport`, `id_card`, `travel_permit` or `residence_permit`.
    document_type: String,
    /// 5 to 20 letters and digits (spaces and hyphens ignored). Kept only as a digest.
    document_number: String,
    /// The e-mail address of her own account, to join on her own device.
    #[serde(default)]
    email: String,
}

/// Add a participant to a case's video check (the applicant's side, or the bureau).
#[utoipa::path(post, path = "/api/v1/cases/{id}/video/participants", tag = "video",
    params(("id" = String, Path, description = "Case id or number")),
    request_body = ParticipantBody,
    responses(
        (status = 201, body = ParticipantInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn add_participant(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ParticipantBody>,
) -> Result<(StatusCode, Json<ParticipantInfo>), Problem> {
    let id = resolve(&state, &id).await?;
    let input = qiaoyi_app::video_check::ParticipantInput {
        role: body.role,
        name: body.name,
        document_type: body.document_type,
        document_number: body.document_number,
        email: body.email,
    };
    let row = state.app.add_video_participant(&auth, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(ParticipantInfo::from_row(row.row, row.required)),
    ))
}

/// Take a participant off a case's video check, while nothing has been recorded of her.
#[utoipa::path(delete, path = "/api/v1/cases/{id}/video/participants/{participant}", tag = "video",
    params(("id" = String, Path, description = "Case id or number"), ("participant" = String, Path)),
    responses(
        (status = 204, description = "Taken off"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The officer has recorded her", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn remove_participant(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, participant)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    let id = resolve(&state, &id).await?;
    state
        .app
        .remove_video_participant(&auth, &id, &participant)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictBody {
    /// `confirmed`, `not_confirmed` or `absent`.
    verdict: String,
    /// The document shown on camera.
    #[serde(default)]
    document_type: String,
    /// Its number as read on camera; needed to confirm, matched against the one on file.
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    note: String,
}

/// Record what the check found of one participant (the officer holding the booked check, from
/// 30 minutes before its time). Appears in the case's timeline and the audit chain.
#[utoipa::path(post, path = "/api/v1/cases/{id}/video/participants/{participant}/verdict", tag = "video",
    params(("id" = String, Path, description = "Case id or number"), ("participant" = String, Path)),
    request_body = VerdictBody,
    responses(
        (status = 200, body = ParticipantInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not confirmable: the document does not match, or the room has not opened", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn record_verdict(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((id, participant)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<VerdictBody>,
) -> Result<Json<ParticipantInfo>, Problem> {
    let id = resolve(&state, &id).await?;
    let input = qiaoyi_app::video_check::VerdictInput {
        verdict: body.verdict,
        document_type: body.document_type,
        document_number: body.document_number,
        note: body.note,
    };
    let row = state
        .app
        .record_video_verdict(&auth, &id, &participant, &input)
        .await?;
    Ok(Json(ParticipantInfo::from_row(row.row, row.required)))
}

#[derive(Serialize, ToSchema)]
pub struct RoomInfo {
    slot: SlotInfo,
    case_number: String,
    /// `officer` or `participant`.
    role: String,
    /// The name the others see.
    name: String,
    /// The websocket that carries the room's signalling.
    socket: String,
}

/// Whether the signed-in person may enter a booked check's room now: its officer, the case's
/// applicant side or a participant on her own device, from 30 minutes before until an hour after.
#[utoipa::path(get, path = "/api/v1/video/rooms/{slot}", tag = "video",
    params(("slot" = String, Path), ZoneQuery),
    responses(
        (status = 200, body = RoomInfo),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a participant (the attempt is audited)", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The room is not open now", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn room(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(slot): ApiPath<String>,
    ApiQuery(q): ApiQuery<ZoneQuery>,
) -> Result<Json<RoomInfo>, Problem> {
    let pass = state.app.video_room(&auth, &slot, &q.time_zone).await?;
    Ok(Json(RoomInfo {
        socket: format!("/ws/video/{}", pass.slot.row.id),
        slot: pass.slot.into(),
        case_number: pass.case_number,
        role: match pass.role {
            qiaoyi_app::video_check::RoomRole::Officer => "officer",
            qiaoyi_app::video_check::RoomRole::Participant => "participant",
        }
        .into(),
        name: pass.name,
    }))
}
