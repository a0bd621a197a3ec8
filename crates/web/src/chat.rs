//! Live consultation messages over a websocket: `/ws/consultations/{id}?after=N[&key=K]`.
//!
//! The upgrade is admitted like the page: the asking account, a guest with her key, or a consultant
//! (`App::consultation_side`, audited when refused), and only from a page of this site (the
//! `Origin` must name this host, so another site cannot open a socket with the reader's cookie).
//! The server then sends each message after `after` as JSON and every new one as this node hears of
//! it (`App::chat`, fed on PostgreSQL by every node's `NOTIFY`); it also reads again every few
//! seconds, so a missed announcement only delays a message. The client sends `{"body": "…"}` to
//! write one; a refusal comes back as `{"type": "error", "message": "…"}` in the reader's language.

use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use qiaoyi_app::consultations::{ChatMessage, Side};
use qiaoyi_app::{AppError, Caller, Reason};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;
use crate::auth::Auth;
use crate::i18n::Prefs;
use crate::problem::Problem;

/// How often the socket reads again without an announcement.
const POLL: Duration = Duration::from_secs(5);
/// The largest frame a client may send: a message of 4,000 characters in JSON, with room to spare.
const MAX_FRAME: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws/consultations/{id}", get(upgrade))
}

#[derive(Deserialize, Default)]
pub struct SocketQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    key: String,
}

/// A message as the socket sends it.
#[derive(Serialize)]
struct Outgoing<'a> {
    r#type: &'a str,
    seq: i64,
    side: &'a str,
    author: &'a str,
    body: &'a str,
    at: &'a str,
    /// An attached file's name and download address (a guest adds `?key=`).
    file: Option<FileLink<'a>>,
}

#[derive(Serialize)]
struct FileLink<'a> {
    name: &'a str,
    href: &'a str,
}

#[derive(Deserialize)]
struct Incoming {
    body: String,
}

async fn upgrade(
    State(state): State<AppState>,
    Extension(p): Extension<Prefs>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    Query(q): Query<SocketQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, Problem> {
    if let Some(refused) = crate::auth::socket_from_elsewhere(&headers, &state, "a conversation") {
        return Err(refused);
    }
    let key = Some(q.key.trim())
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let row = state.app.consultation_row(&id).await?;
    let side = state
        .app
        .consultation_side(&auth, key.as_deref(), &row)
        .await?;
    let chat = Chat {
        state,
        p,
        caller: auth.0,
        key,
        id,
        side,
        last: q.after.max(0),
    };
    Ok(ws
        .max_message_size(MAX_FRAME)
        .on_upgrade(move |socket| chat.run(socket))
        .into_response())
}

/// One admitted socket.
struct Chat {
    state: AppState,
    p: Prefs,
    /// Who was admitted; each frame they send is stamped with the moment it arrives.
    caller: Caller,
    key: Option<String>,
    id: String,
    side: Side,
    /// The last message number sent.
    last: i64,
}

impl Chat {
    async fn run(mut self, mut socket: WebSocket) {
        let mut events = self.state.app.chat().subscribe();
        let mut poll = tokio::time::interval(POLL);
        loop {
            let keep_going = tokio::select! {
                event = events.recv() => match event {
                    Ok(e) if e.consultation == self.id && e.seq > self.last => self.send_new(&mut socket).await,
                    Ok(_) => true,
                    // Fell behind: read whatever is new.
                    Err(RecvError::Lagged(_)) => self.send_new(&mut socket).await,
                    Err(RecvError::Closed) => false,
                },
                _ = poll.tick() => self.session_stands().await && self.send_new(&mut socket).await,
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => self.write(&mut socket, text.as_str()).await,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => false,
                    Some(Ok(_)) => true,
                },
            };
            if !keep_going {
                break;
            }
        }
    }

    /// Sends every message after the last one sent; `false` when the socket is gone.
    async fn send_new(&mut self, socket: &mut WebSocket) -> bool {
        let messages = match self
            .state
            .app
            .chat_messages_after(&self.id, self.last)
            .await
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "chat read failed");
                return true;
            }
        };
        for m in &messages {
            if socket.send(self.frame(m)).await.is_err() {
                return false;
            }
            self.last = m.seq;
        }
        if !messages.is_empty() {
            // Shown on screen counts as read; a failure here only leaves it counted as unread.
            let _ = self
                .state
                .app
                .mark_chat_read(&self.id, self.side, self.last)
                .await;
        }
        true
    }

    fn frame(&self, m: &ChatMessage) -> Message {
        let line = crate::pages::message_line(&self.p, m);
        let json = serde_json::to_string(&Outgoing {
            r#type: "message",
            seq: line.seq,
            side: &line.side,
            author: &line.author,
            body: &line.body,
            at: &line.at,
            file: line
                .file
                .as_ref()
                .map(|(name, href)| FileLink { name, href }),
        })
        .unwrap_or_default();
        Message::Text(Utf8Bytes::from(json))
    }

    /// Whether the reader's session still stands (signing out or being disabled ends the socket;
    /// a guest's key does not expire).
    async fn session_stands(&self) -> bool {
        match self.caller.session() {
            Some(session) => self
                .state
                .app
                .session_is_live(session, self.state.app.now_ms())
                .await
                .unwrap_or(false),
            None => true,
        }
    }

    /// Writes a message the client sent; its refusal goes back on the socket.
    async fn write(&mut self, socket: &mut WebSocket, text: &str) -> bool {
        if !self.session_stands().await {
            return false;
        }
        let body = match serde_json::from_str::<Incoming>(text) {
            Ok(i) => i.body,
            Err(_) => return self.refuse(socket, "chat-error-body").await,
        };
        let caller = Caller {
            now: self.state.app.now_ms(),
            ..self.caller.clone()
        };
        let written = self
            .state
            .app
            .post_consultation_message(&caller, self.key.as_deref(), &self.id, &body, None)
            .await;
        match written {
            Ok(_) => self.send_new(socket).await,
            Err(AppError::Invalid {
                reason: Reason::TooLong,
                ..
            }) => self.refuse(socket, "chat-error-body-long").await,
            Err(AppError::Invalid { .. }) => self.refuse(socket, "chat-error-body").await,
            Err(AppError::Store(qiaoyi_app::StoreError::Conflict { .. })) => {
                self.refuse(socket, "chat-error-closed").await
            }
            Err(e) => {
                tracing::warn!(error = %e, "chat write refused");
                self.refuse(socket, "chat-error-failed").await
            }
        }
    }

    async fn refuse(&self, socket: &mut WebSocket, key: &str) -> bool {
        let json = serde_json::json!({ "type": "error", "message": self.p.t(key) }).to_string();
        socket
            .send(Message::Text(Utf8Bytes::from(json)))
            .await
            .is_ok()
    }
}
