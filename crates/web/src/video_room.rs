//! The live room of a video identity check: `/ws/video/{slot}` carries the WebRTC signalling
//! (offers, answers, ICE candidates) between the browsers in the room; the video itself goes
//! between the browsers and never through the server, and nothing is recorded.
//!
//! The upgrade is admitted by `App::video_room`: the check's officer, the case's applicant side or
//! a participant on her own device, while the room is open; anyone else gets 403 and the attempt
//! is audited. Only pages of this site may open the socket (the `Origin` must name this host).
//!
//! Frames: the server sends `{"type": "welcome", "id", "peers": [{"id", "name", "officer"}],
//! "ice": {"iceServers", "iceTransportPolicy", "expires"}}` on joining (the TURN credentials only
//! ever go to an admitted browser, in this frame), `joined` / `left` as others come and go, and relays `{"type": "signal", "to", "data"}`
//! from one peer to the other as `{"type": "signal", "from", "data"}`. Newcomers make the offers.
//! Rooms live in this node's memory: a deployment of several nodes routes `/ws/video/` by slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::accounts::CurrentSession;
use qiaoyi_app::video_check::RoomRole;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::problem::Problem;

/// The most browsers in one room: the officer, up to six participants and one spare.
const MAX_PEERS: usize = 8;
/// The largest frame a client may send: an SDP offer with room to spare.
const MAX_FRAME: usize = 64 * 1024;
/// Frames waiting for a slow peer before she is dropped.
const QUEUE: usize = 256;
/// How often a connection checks that its session stands and the room is still open.
const RECHECK: Duration = Duration::from_secs(30);

/// Every room with someone in it, by slot.
#[derive(Clone, Default)]
pub struct Rooms(Arc<Mutex<HashMap<String, Room>>>);

#[derive(Default)]
struct Room {
    next: u64,
    peers: HashMap<u64, Peer>,
}

struct Peer {
    name: String,
    officer: bool,
    tx: mpsc::Sender<String>,
}

impl Rooms {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        // A panic while holding the lock leaves plain data behind; carry on with it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Enters a room: the newcomer's id and the peers already there, or `None` when it is full.
    fn enter(
        &self,
        slot: &str,
        name: &str,
        officer: bool,
        tx: mpsc::Sender<String>,
    ) -> Option<(u64, Value)> {
        let mut rooms = self.lock();
        let room = rooms.entry(slot.to_owned()).or_default();
        if room.peers.len() >= MAX_PEERS {
            return None;
        }
        room.next += 1;
        let id = room.next;
        let present: Vec<Value> = room
            .peers
            .iter()
            .map(|(pid, p)| json!({ "id": pid, "name": p.name, "officer": p.officer }))
            .collect();
        let joined =
            json!({ "type": "joined", "id": id, "name": name, "officer": officer }).to_string();
        for peer in room.peers.values() {
            let _ = peer.tx.try_send(joined.clone());
        }
        room.peers.insert(
            id,
            Peer {
                name: name.to_owned(),
                officer,
                tx,
            },
        );
        Some((id, Value::Array(present)))
    }

    /// Passes a frame to one peer of the room; `false` when she is not there.
    fn relay(&self, slot: &str, to: u64, frame: String) -> bool {
        let rooms = self.lock();
        match rooms.get(slot).and_then(|r| r.peers.get(&to)) {
            Some(peer) => peer.tx.try_send(frame).is_ok(),
            None => false,
        }
    }

    fn leave(&self, slot: &str, id: u64) {
        let mut rooms = self.lock();
        if let Some(room) = rooms.get_mut(slot) {
            room.peers.remove(&id);
            let left = json!({ "type": "left", "id": id }).to_string();
            for peer in room.peers.values() {
                let _ = peer.tx.try_send(left.clone());
            }
            if room.peers.is_empty() {
                rooms.remove(slot);
            }
        }
    }
}

/// `RTCPeerConnection`'s configuration for one admitted browser, and when her credentials end
/// (seconds since 1970), so the page can tell her why a call fails after that.
fn ice_json(ice: &qiaoyi_app::video_check::RoomIce) -> Value {
    let mut servers = Vec::new();
    if !ice.stun.is_empty() {
        servers.push(json!({ "urls": ice.stun }));
    }
    if let Some(c) = &ice.credentials {
        servers.push(json!({ "urls": ice.turn, "username": c.username, "credential": c.password }));
    }
    json!({
        "iceServers": servers,
        "iceTransportPolicy": ice.policy,
        "expires": ice.credentials.as_ref().map(|c| c.expires),
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/ws/video/{slot}", get(upgrade))
}

async fn upgrade(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(slot): Path<String>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, Problem> {
    if let Some(refused) = crate::auth::socket_from_elsewhere(&headers, &state, "a video room") {
        return Err(refused);
    }
    let pass = state.app.video_room(&auth, &slot, "").await?;
    let ice = ice_json(&pass.ice);
    let peer = Connection {
        ice,
        slot: pass.slot.row.id.clone(),
        name: pass.name,
        officer: pass.role == RoomRole::Officer,
        session: auth.0.session,
        full: p.t("room-error-full"),
        state,
    };
    Ok(ws
        .max_message_size(MAX_FRAME)
        .on_upgrade(move |socket| peer.run(socket))
        .into_response())
}

/// One admitted browser.
struct Connection {
    state: AppState,
    /// How her browser connects: servers, her TURN credentials, the transport policy.
    ice: Value,
    slot: String,
    name: String,
    officer: bool,
    session: Option<CurrentSession>,
    /// The refusal of a full room, in the reader's language.
    full: String,
}

#[derive(Deserialize)]
struct Signal {
    r#type: String,
    to: u64,
    data: Value,
}

impl Connection {
    async fn run(self, mut socket: WebSocket) {
        let rooms = self.state.rooms.clone();
        let (tx, mut rx) = mpsc::channel::<String>(QUEUE);
        let Some((id, peers)) = rooms.enter(&self.slot, &self.name, self.officer, tx) else {
            let frame = json!({ "type": "error", "message": self.full }).to_string();
            let _ = socket.send(Message::Text(Utf8Bytes::from(frame))).await;
            return;
        };
        let welcome =
            json!({ "type": "welcome", "id": id, "peers": peers, "ice": self.ice }).to_string();
        let mut open = socket
            .send(Message::Text(Utf8Bytes::from(welcome)))
            .await
            .is_ok();
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        while open {
            open = tokio::select! {
                out = rx.recv() => match out {
                    Some(frame) => socket.send(Message::Text(Utf8Bytes::from(frame))).await.is_ok(),
                    None => false,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => self.forward(&rooms, id, text.as_str()),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => false,
                    Some(Ok(_)) => true,
                },
                _ = recheck.tick() => self.still_admitted().await,
            };
        }
        rooms.leave(&self.slot, id);
    }

    /// Relays a client's signal to its addressee in this room. Anything else ends the connection:
    /// a page of ours sends nothing else.
    fn forward(&self, rooms: &Rooms, from: u64, text: &str) -> bool {
        let Ok(signal) = serde_json::from_str::<Signal>(text) else {
            return false;
        };
        if signal.r#type != "signal" || signal.to == from {
            return false;
        }
        let frame = json!({ "type": "signal", "from": from, "data": signal.data }).to_string();
        // An addressee who has just left is not an error; her `left` frame is on its way.
        rooms.relay(&self.slot, signal.to, frame);
        true
    }

    /// Whether the session still stands and the room is still open (signing out, being disabled,
    /// the check being cancelled or its time running out end the connection).
    async fn still_admitted(&self) -> bool {
        let Some(session) = &self.session else {
            return false;
        };
        let now = self.state.app.now_ms();
        if !self
            .state
            .app
            .session_is_live(session, now)
            .await
            .unwrap_or(false)
        {
            return false;
        }
        matches!(
            self.state.app.room_still_open(&self.slot, now).await,
            Ok(true)
        )
    }
}
