//! The hall's display over a websocket: `/ws/halls/{station}`.
//!
//! Open to anyone from a page of this site (the display is a screen in the hall; it shows labels,
//! windows and counts, nothing about anyone). The server reads the hall's day every two seconds
//! on its node (only the numbers: the hall itself is read when the socket opens), so a call made on
//! any node reaches every screen, and sends the board whenever it
//! changed: the numbers at windows (latest first) with the words each call is spoken in, and how
//! many wait per service.

use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use qiaoyi_app::domain::hall::spoken_call;
use qiaoyi_app::hall::{Hall, HallDay};
use serde::Serialize;

use crate::AppState;
use crate::problem::Problem;

/// How often the board is read again.
const POLL: Duration = Duration::from_secs(2);
/// The calls a screen shows.
const SHOWN: usize = 6;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws/halls/{station}", get(upgrade))
}

#[derive(Serialize, PartialEq)]
struct Board {
    calls: Vec<Call>,
    groups: Vec<Group>,
}

#[derive(Serialize, PartialEq)]
struct Call {
    label: String,
    window: String,
    /// How often it was called: a recall changes it, and is spoken again.
    calls: u32,
    /// The words to speak, each with its language.
    say: Vec<Said>,
}

#[derive(Serialize, PartialEq)]
struct Said {
    lang: String,
    text: String,
}

#[derive(Serialize, PartialEq)]
struct Group {
    code: String,
    waiting: usize,
}

fn board(day: &HallDay, voices: &[String]) -> Board {
    Board {
        calls: day
            .called()
            .iter()
            .take(SHOWN)
            .map(|t| {
                let window = t.window.clone().unwrap_or_default();
                Call {
                    say: voices
                        .iter()
                        .filter_map(|lang| {
                            Some(Said {
                                text: spoken_call(lang, &t.label, &window)?,
                                lang: lang.clone(),
                            })
                        })
                        .collect(),
                    label: t.label.clone(),
                    calls: t.calls,
                    window,
                }
            })
            .collect(),
        groups: day
            .hall
            .groups
            .iter()
            .map(|g| Group {
                code: g.code.to_string(),
                waiting: day.waiting().filter(|t| t.group == g.code).count(),
            })
            .collect(),
    }
}

/// Chinese, then the first of the station's own languages the hall has words in.
pub fn voices(languages: &[String]) -> Vec<String> {
    let mut voices = vec!["zh".to_owned()];
    voices.extend(
        languages
            .iter()
            .filter(|l| l.as_str() != "zh" && spoken_call(l, "", "").is_some())
            .take(1)
            .cloned(),
    );
    voices
}

async fn upgrade(
    State(state): State<AppState>,
    Path(station): Path<String>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, Problem> {
    if let Some(refused) = crate::auth::socket_from_elsewhere(&headers, &state, "a hall's display")
    {
        return Err(refused);
    }
    // Refuse an unknown hall before upgrading.
    let hall = state.app.hall(&station, state.app.now_ms()).await?;
    let voices = voices(&hall.station.languages);
    Ok(ws
        .on_upgrade(move |socket| run(state, hall, voices, socket))
        .into_response())
}

async fn run(state: AppState, hall: Hall, voices: Vec<String>, mut socket: WebSocket) {
    let mut poll = tokio::time::interval(POLL);
    let mut last: Option<Board> = None;
    loop {
        tokio::select! {
            _ = poll.tick() => {
                let now = state.app.now_ms();
                let day = match state.app.hall_tickets_now(hall.clone(), now).await {
                    Ok(day) => day,
                    Err(e) => {
                        tracing::warn!(error = %e, "hall display read failed");
                        continue;
                    }
                };
                let now = board(&day, &voices);
                if last.as_ref() == Some(&now) {
                    continue;
                }
                let json = serde_json::to_string(&now).unwrap_or_default();
                if socket.send(Message::Text(Utf8Bytes::from(json))).await.is_err() {
                    return;
                }
                last = Some(now);
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
