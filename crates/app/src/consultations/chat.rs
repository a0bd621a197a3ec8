//! This node's chat announcements: [`ChatHub`] tells the chat clients connected here of each new
//! message, [`App::spawn_chat_listener`] feeds it from PostgreSQL's `NOTIFY` so that messages written
//! on other nodes are announced too, and the reads a chat client makes once admitted.

use tokio::sync::broadcast;

use super::{ChatMessage, MESSAGE_PAGE, Side};
use crate::{App, AppError};

/// A new message in a consultation, as announced to chat clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatEvent {
    pub consultation: String,
    pub seq: i64,
}

/// This node's announcements of new messages. A client that misses some (a slow reader) reads
/// from its last message number, so nothing is lost, only batched.
#[derive(Clone, Debug)]
pub struct ChatHub(broadcast::Sender<ChatEvent>);

impl Default for ChatHub {
    fn default() -> Self {
        ChatHub(broadcast::channel(1024).0)
    }
}

impl ChatHub {
    pub fn subscribe(&self) -> broadcast::Receiver<ChatEvent> {
        self.0.subscribe()
    }

    pub fn announce(&self, consultation: &str, seq: i64) {
        // No receiver is not an error: nobody is watching.
        let _ = self.0.send(ChatEvent {
            consultation: consultation.to_owned(),
            seq,
        });
    }
}

impl App {
    pub fn chat(&self) -> &ChatHub {
        &self.chat
    }

    /// New messages after `after` for a chat client already admitted (no read marking, no audit).
    pub async fn chat_messages_after(
        &self,
        id: &str,
        after: i64,
    ) -> Result<Vec<ChatMessage>, AppError> {
        Ok(self
            .store
            .consultation_messages(id, after.max(0), MESSAGE_PAGE)
            .await?)
    }

    /// Marks what a chat client has shown as read.
    pub async fn mark_chat_read(&self, id: &str, side: Side, seq: i64) -> Result<(), AppError> {
        Ok(self
            .store
            .mark_consultation_read(id, side.as_str(), seq)
            .await?)
    }

    /// Listens for messages written on other nodes (PostgreSQL only) and announces them here.
    /// Reconnects after a lost connection, a second apart.
    pub fn spawn_chat_listener(&self) -> Option<tokio::task::JoinHandle<()>> {
        let url = self.config.database_url().ok()?;
        if url.backend() != qiaoyi_store::Backend::Postgres {
            return None;
        }
        let hub = self.chat.clone();
        Some(tokio::spawn(async move {
            loop {
                match qiaoyi_store::Store::chat_listener(&url).await {
                    Ok(Some(mut listener)) => loop {
                        match listener.next().await {
                            Ok((id, seq)) => hub.announce(&id, seq),
                            Err(e) => {
                                tracing::warn!(error = %e, "chat listener lost its connection");
                                break;
                            }
                        }
                    },
                    Ok(None) => return,
                    Err(e) => tracing::warn!(error = %e, "chat listener cannot connect"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }))
    }
}
