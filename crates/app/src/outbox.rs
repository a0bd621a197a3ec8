//! Delivery of queued messages. Until an e-mail transport is configured, the `log` transport writes
//! each message to the server log (target `qiaoyi::outbox`) and marks it sent.

use std::time::Duration;

use crate::{App, AppError};

impl App {
    /// Delivers what is waiting; returns how many messages went out.
    pub async fn deliver_pending(&self, now: i64) -> Result<usize, AppError> {
        let messages = self.store.pending_messages(100).await?;
        for message in &messages {
            tracing::info!(
                target: "qiaoyi::outbox",
                id = %message.id,
                channel = %message.channel,
                to = %message.recipient,
                language = %message.language,
                template = %message.template,
                params = %message.params,
                "message delivered by the log transport"
            );
            self.store.mark_message_sent(&message.id, now).await?;
        }
        Ok(messages.len())
    }

    /// Runs delivery every two seconds for as long as the process lives.
    pub fn spawn_outbox_worker(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                    .unwrap_or(0);
                if let Err(e) = app.deliver_pending(now).await {
                    tracing::warn!(error = %e, "outbox delivery failed; will retry");
                }
            }
        })
    }
}
