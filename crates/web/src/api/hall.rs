//! A station's service hall over the API: taking a number (on a phone, anyone; at the kiosk or
//! reception, the hall's staff), following it by its secret, giving it back; the hall's board;
//! the staff's day, calls and moves; the hall's rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use qiaoyi_app::AppError;
use qiaoyi_app::domain::hall::{Priority, QueueRules, TakenVia, Ticket};
use qiaoyi_app::domain::lang::Lang;
use qiaoyi_app::hall::{CallInput, FollowedNumber, TakeInput, TicketMove};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::Auth;
use crate::problem::Problem;
use crate::rate_limit::{Bucket, Limits};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HallTakeBody {
    /// The service: a catalogue category's code (`exit-entry`, `household`, …).
    group: String,
    /// `over-70`, `disability` or `pregnant` (anyone); also `green-channel` or `booked` at
    /// reception. Omitted or empty for none.
    #[serde(default)]
    priority: String,
    /// `phone` (the default: anyone, while the hall is open, at most ten an hour per address),
    /// `kiosk` or `reception` (the hall's staff).
    #[serde(default)]
    via: String,
    /// The language of her number's page: `zh-CN` (the default), `en`, `it` or `es`.
    #[serde(default)]
    lang: String,
}

/// A number as staff and the API see it.
#[derive(Serialize, ToSchema)]
pub struct HallTicketView {
    id: String,
    /// What the hall shows and speaks, e.g. `A007`.
    label: String,
    number: u32,
    /// The hall's day, `YYYY-MM-DD`, in its own zone.
    day: String,
    group: String,
    priority: Option<String>,
    /// `kiosk`, `phone` or `reception`.
    via: String,
    /// `waiting`, `called`, `served`, `no_show` or `given_back`.
    state: String,
    /// Milliseconds since 1970 (UTC).
    taken_at: i64,
    called_at: Option<i64>,
    calls: u32,
    window: Option<String>,
    /// Why it was called when it was: `turn`, `after-priority-run` or a priority.
    call_reason: Option<String>,
    done_at: Option<i64>,
}

impl From<Ticket> for HallTicketView {
    fn from(t: Ticket) -> Self {
        HallTicketView {
            label: t.label,
            number: t.number,
            day: t.day.to_string(),
            group: t.group.to_string(),
            priority: t.priority.map(|p| p.as_str().to_owned()),
            via: t.via.as_str().to_owned(),
            state: t.state.as_str().to_owned(),
            taken_at: t.taken_at,
            called_at: t.called_at,
            calls: t.calls,
            window: t.window,
            call_reason: t.call_reason.map(|r| r.as_str().to_owned()),
            done_at: t.done_at,
            id: t.id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HallTakenView {
    ticket: HallTicketView,
    /// The secret her phone follows the number by (`GET /api/v1/hall/numbers/{secret}`); shown
    /// once, kept only as a hash.
    follow: String,
    /// The page that follows it.
    follow_url: String,
}

/// Takes a number in a station's hall.
#[utoipa::path(post, path = "/api/v1/halls/{station}/numbers", operation_id = "take_hall_number", tag = "hall", request_body = HallTakeBody,
    params(("station" = String, Path, description = "The station's code, e.g. `IT-ROM`")),
    responses(
        (status = 201, body = HallTakenView),
        (status = 403, description = "`kiosk` or `reception` by someone who does not serve this hall", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such station", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`group`: not one of the hall's services; `priority`: not one this way of taking may claim; `hall` (`not-open-yet`): the hall is closed now", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn take(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(station): ApiPath<String>,
    ApiJson(body): ApiJson<HallTakeBody>,
) -> Result<Response, Problem> {
    let via = match body.via.as_str() {
        "" => TakenVia::Phone,
        text => TakenVia::parse(text)
            .ok_or_else(|| AppError::malformed("via", "take it by phone, kiosk or reception"))?,
    };
    if via == TakenVia::Phone && !state.limits.allow(Bucket::HallNumber, &auth.client.address) {
        return Err(Limits::refused());
    }
    let lang = match body.lang.as_str() {
        "" => Lang::Zh,
        tag => {
            Lang::from_tag(tag).ok_or_else(|| AppError::malformed("lang", "zh-CN, en, it or es"))?
        }
    };
    let input = TakeInput {
        group: body.group,
        priority: body.priority,
        lang: Some(lang),
    };
    let taken = state
        .app
        .take_hall_number(&auth, &station, via, &input)
        .await?;
    let follow_url = format!(
        "{}/hall/numbers/{}",
        state.app.config().public_url.trim_end_matches('/'),
        taken.follow
    );
    let view = HallTakenView {
        ticket: taken.ticket.into(),
        follow: taken.follow,
        follow_url,
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct HallFollowView {
    label: String,
    /// The station's code.
    station: String,
    group: String,
    /// `waiting`, `called`, `served`, `no_show` or `given_back`.
    state: String,
    /// The window it is called to, once called.
    window: Option<String>,
    /// Numbers to be called before it, while it waits.
    ahead: Option<u32>,
    /// The estimated wait in milliseconds, while it waits.
    wait_ms: Option<i64>,
    /// Three numbers or fewer before it: time to come close.
    near: bool,
}

/// A number followed by its secret: its place and estimated wait, or the window it is called
/// to. No sign-in: the secret is the proof.
#[utoipa::path(get, path = "/api/v1/hall/numbers/{secret}", operation_id = "follow_hall_number", tag = "hall",
    params(("secret" = String, Path, description = "The 32 hexadecimal digits given when it was taken")),
    responses(
        (status = 200, body = HallFollowView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn follow(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(secret): ApiPath<String>,
) -> Result<Json<HallFollowView>, Problem> {
    let FollowedNumber {
        ticket,
        ahead,
        wait_ms,
        near,
        ..
    } = state.app.follow_hall_number(&secret, auth.now).await?;
    Ok(Json(HallFollowView {
        label: ticket.label,
        station: ticket.station.to_string(),
        group: ticket.group.to_string(),
        state: ticket.state.as_str().to_owned(),
        window: ticket.window,
        ahead,
        wait_ms,
        near,
    }))
}

/// Gives back a number still waiting.
#[utoipa::path(delete, path = "/api/v1/hall/numbers/{secret}", operation_id = "give_back_hall_number", tag = "hall",
    params(("secret" = String, Path)),
    responses(
        (status = 204, description = "Given back"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`ticket` (`wrong-state`): it is no longer waiting", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn give_back(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(secret): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    state.app.give_back_hall_number(&secret, auth.now).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct HallBoardView {
    /// The hall's day, `YYYY-MM-DD`.
    day: String,
    open: bool,
    /// The numbers at windows now, latest call first.
    calls: Vec<HallBoardCall>,
    groups: Vec<HallBoardGroup>,
}

#[derive(Serialize, ToSchema)]
pub struct HallBoardCall {
    label: String,
    window: String,
    calls: u32,
}

#[derive(Serialize, ToSchema)]
pub struct HallBoardGroup {
    code: String,
    letter: String,
    waiting: usize,
}

/// The hall's board as its screen shows it: labels, windows and counts, nothing about anyone.
#[utoipa::path(get, path = "/api/v1/halls/{station}/board", operation_id = "hall_board", tag = "hall",
    params(("station" = String, Path)),
    responses(
        (status = 200, body = HallBoardView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn board(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(station): ApiPath<String>,
) -> Result<Json<HallBoardView>, Problem> {
    let day = state.app.hall_day_of(&station, auth.now).await?;
    Ok(Json(HallBoardView {
        day: day.hall.day.clone(),
        open: day.hall.open,
        calls: day
            .called()
            .iter()
            .map(|t| HallBoardCall {
                label: t.label.clone(),
                window: t.window.clone().unwrap_or_default(),
                calls: t.calls,
            })
            .collect(),
        groups: day
            .hall
            .groups
            .iter()
            .map(|g| HallBoardGroup {
                code: g.code.to_string(),
                letter: g.letter.to_string(),
                waiting: day.waiting().filter(|t| t.group == g.code).count(),
            })
            .collect(),
    }))
}

/// Every number of the hall's day, in the order taken: its staff.
#[utoipa::path(get, path = "/api/v1/halls/{station}/day", operation_id = "hall_day", tag = "hall",
    params(("station" = String, Path)),
    responses(
        (status = 200, body = Vec<HallTicketView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn day(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(station): ApiPath<String>,
) -> Result<Json<Vec<HallTicketView>>, Problem> {
    let day = state.app.hall_desk(&auth, &station).await?;
    Ok(Json(
        day.tickets.into_iter().map(HallTicketView::from).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HallCallBody {
    /// The window, as the hall shows it: 1 to 20 characters.
    window: String,
    /// The services the window calls; empty or omitted for all.
    #[serde(default)]
    groups: Vec<String>,
}

/// Calls the next number to a window by the hall's rules: 200 with the number, 204 when nobody
/// waits for the window's services.
#[utoipa::path(post, path = "/api/v1/halls/{station}/calls", operation_id = "call_hall_number", tag = "hall", request_body = HallCallBody,
    params(("station" = String, Path)),
    responses(
        (status = 200, body = HallTicketView),
        (status = 204, description = "Nobody waits for these services"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other windows called every candidate first; call again", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`window` or `groups` refused", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn call(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(station): ApiPath<String>,
    ApiJson(body): ApiJson<HallCallBody>,
) -> Result<Response, Problem> {
    let input = CallInput {
        window: body.window,
        groups: body.groups,
    };
    Ok(
        match state.app.call_next_number(&auth, &station, &input).await? {
            Some(ticket) => Json(HallTicketView::from(ticket)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HallMoveBody {
    /// `recall`, `served`, `no_show` (only once it was called as often as the hall's rules
    /// say) or `transfer`.
    r#do: String,
    /// For `transfer`: the service it now waits for, keeping its place.
    #[serde(default)]
    group: String,
}

/// Moves a number at a window: called again, served, not come, or sent to another service.
#[utoipa::path(post, path = "/api/v1/halls/{station}/numbers/{id}/moves", operation_id = "move_hall_number", tag = "hall", request_body = HallMoveBody,
    params(("station" = String, Path), ("id" = String, Path, description = "The number's id")),
    responses(
        (status = 200, body = HallTicketView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`do` unknown; `ticket` (`wrong-state`): not at a window; (`calls-left`): call it again first; (`attempts-exhausted`): called as often as the rules allow; `group`: not another service", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn move_number(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath((station, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<HallMoveBody>,
) -> Result<Json<HallTicketView>, Problem> {
    let how = match body.r#do.as_str() {
        "recall" => Some(TicketMove::Recall),
        "served" => Some(TicketMove::Served),
        "no_show" => Some(TicketMove::NoShow),
        "transfer" => None,
        _ => {
            return Err(AppError::malformed("do", "recall, served, no_show or transfer").into());
        }
    };
    let ticket = match how {
        Some(how) => {
            state
                .app
                .move_hall_number(&auth, &station, &id, how)
                .await?
        }
        None => {
            state
                .app
                .transfer_hall_number(&auth, &station, &id, &body.group)
                .await?
        }
    };
    Ok(Json(ticket.into()))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HallRulesBody {
    /// The priorities served before their turn: `over-70`, `disability`, `pregnant`,
    /// `green-channel`, `booked`.
    honoured: Vec<String>,
    /// At most this many priority calls in a row while others wait (1–10).
    priority_run: u8,
    /// Calls before a number may be marked not come (1–5).
    no_show_after: u8,
}

impl From<&QueueRules> for HallRulesBody {
    fn from(r: &QueueRules) -> Self {
        HallRulesBody {
            honoured: r.honoured.iter().map(|p| p.as_str().to_owned()).collect(),
            priority_run: r.priority_run,
            no_show_after: r.no_show_after,
        }
    }
}

/// How the hall calls its numbers (the defaults until an administrator sets them).
#[utoipa::path(get, path = "/api/v1/halls/{station}/rules", operation_id = "hall_rules", tag = "hall",
    params(("station" = String, Path)),
    responses(
        (status = 200, body = HallRulesBody),
        (status = 404, body = Problem, content_type = "application/problem+json")
    ))]
pub async fn rules(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(station): ApiPath<String>,
) -> Result<Json<HallRulesBody>, Problem> {
    let hall = state.app.hall(&station, auth.now).await?;
    Ok(Json(HallRulesBody::from(&hall.rules)))
}

/// Sets how the hall calls its numbers: administrators. Audited.
#[utoipa::path(put, path = "/api/v1/halls/{station}/rules", operation_id = "save_hall_rules", tag = "hall", request_body = HallRulesBody,
    params(("station" = String, Path)),
    responses(
        (status = 200, body = HallRulesBody),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`honoured`: an unknown priority; `priority_run` or `no_show_after` (`out-of-range`)", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn save_rules(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    ApiPath(station): ApiPath<String>,
    ApiJson(body): ApiJson<HallRulesBody>,
) -> Result<Json<HallRulesBody>, Problem> {
    let honoured = body
        .honoured
        .iter()
        .map(|h| {
            Priority::parse(h).ok_or_else(|| {
                AppError::malformed(
                    "honoured",
                    "over-70, disability, pregnant, green-channel or booked",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rules = QueueRules {
        honoured,
        priority_run: body.priority_run,
        no_show_after: body.no_show_after,
    };
    state.app.save_hall_rules(&auth, &station, &rules).await?;
    Ok(Json(HallRulesBody::from(&rules)))
}
