//! Video identity checks over the API: officers publish slots and mark no-shows; the applicant's
//! side of a case sees the open slots in its own zone beside Beijing's, books one, gives it back.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use qiaoyi_app::video::SlotView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::resolve;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::{Auth, now_ms};
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
            state: v.row.state,
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
        .publish_slots(
            auth.session.as_ref(),
            &body.date,
            &body.times,
            body.minutes,
            &auth.client,
            now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Published { published })))
}

/// The signed-in officer's slots from now on.
#[utoipa::path(get, path = "/api/v1/video/slots", tag = "video",
    responses(
        (status = 200, body = Vec<SlotInfo>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
) -> Result<Json<Vec<SlotInfo>>, Problem> {
    let slots = state
        .app
        .my_slots(auth.session.as_ref(), &auth.client, now_ms())
        .await?;
    Ok(Json(slots.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, utoipa::IntoParams)]
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
    let now = now_ms();
    let detail = state
        .app
        .case(auth.session.as_ref(), &id, &auth.client, now)
        .await?;
    let video = state
        .app
        .case_video(auth.session.as_ref(), &detail.case, &q.time_zone, now)
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
        .book_video_slot(
            auth.session.as_ref(),
            &id,
            &body.slot,
            &body.time_zone,
            &auth.client,
            now_ms(),
        )
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
    state
        .app
        .cancel_video_slot(auth.session.as_ref(), &id, &auth.client, now_ms())
        .await?;
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
    state
        .app
        .mark_video_no_show(auth.session.as_ref(), &id, &auth.client, now_ms())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
