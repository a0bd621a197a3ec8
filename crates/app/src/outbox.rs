//! The delivery worker: claims due messages, renders them in the recipient's language, sends them
//! by their channel and settles each as sent, to be retried (after a delay that doubles with each
//! failure) or dead (after `outbox_max_attempts` failures, or at once when retrying cannot help).
//! Administrators see dead messages and can put them back in the queue.

use qiaoyi_domain::access::{AuditEvent, AuditSubject};
use qiaoyi_domain::failure::Reason;
use std::time::Duration;

use qiaoyi_domain::access::policy::{Action, Resource};
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::{Channel, MessageStatus, Notice, OutboxMessage, retry_delay_ms};
use qiaoyi_store::Page;
use serde_json::{Map, Value};

use crate::accounts::random_hex;
use crate::delivery::{Outgoing, SendError};
use crate::notify::render;
use crate::{App, AppError, Caller};

/// Says what the worker's metrics measure, and starts its counters at zero for every channel and
/// its gauge for every status: a scraper sees each series from the start, not only after the first
/// failure. Call once after installing a metrics recorder.
pub fn describe_metrics() {
    metrics::describe_histogram!(
        qiaoyi_store::GROUP_SIZE,
        "Write transactions made durable by each commit on SQLite (one writer, group commit)"
    );
    metrics::describe_counter!(
        "qiaoyi_outbox_sent_total",
        "Messages delivered, by channel (email, sms, wechat)"
    );
    metrics::describe_counter!(
        "qiaoyi_outbox_failed_total",
        "Delivery attempts that failed, by channel; each is retried later or given up on"
    );
    metrics::describe_counter!(
        "qiaoyi_outbox_dead_total",
        "Messages given up on after their last attempt, by channel; administrators can retry them"
    );
    metrics::describe_gauge!(
        "qiaoyi_outbox_messages",
        "Messages in the outbox, by status (pending, sent, dead), counted once a minute"
    );
    for channel in [Channel::Email, Channel::Sms, Channel::Wechat] {
        let channel = channel.as_str();
        metrics::counter!("qiaoyi_outbox_sent_total", "channel" => channel).absolute(0);
        metrics::counter!("qiaoyi_outbox_failed_total", "channel" => channel).absolute(0);
        metrics::counter!("qiaoyi_outbox_dead_total", "channel" => channel).absolute(0);
    }
    for status in MessageStatus::ALL {
        metrics::gauge!("qiaoyi_outbox_messages", "status" => status.as_str()).set(0.0);
    }
}

/// A worker holds a claimed message this long; if it dies mid-send, another worker tries again
/// after it.
pub const LEASE_MS: i64 = 5 * 60_000;

/// What one delivery pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
}

/// The states a message can be listed in.
pub const STATUSES: [&str; 3] = ["pending", "sent", "dead"];

impl App {
    /// Sends what is due at `now`, up to 100 messages, with the clock standing still (tests).
    pub async fn deliver_due(&self, worker: &str, now: i64) -> Result<DeliveryReport, AppError> {
        self.deliver_due_with(worker, &|| now).await
    }

    /// Sends what is due, up to 100 messages; `worker` is this worker's claim token. The clock is
    /// read for each message, so a long round never holds a lease that has already run out.
    pub async fn deliver_due_with(
        &self,
        worker: &str,
        clock: &(dyn Fn() -> i64 + Sync),
    ) -> Result<DeliveryReport, AppError> {
        let mut report = DeliveryReport::default();
        for id in self.store.due_messages(clock(), 100).await? {
            let claimed_at = clock();
            let Some(message) = self
                .store
                .claim_message(&id, worker, claimed_at, claimed_at + LEASE_MS)
                .await?
            else {
                continue;
            };
            let channel = message.channel.clone();
            // Attempts are counted when claimed: more than allowed means earlier workers died
            // while sending it, so it is set aside rather than tried for ever.
            let outcome = if message.attempts > self.config.outbox_max_attempts {
                Err(SendError::Permanent(format!(
                    "{} attempts ended without an answer (the worker stopped while sending)",
                    message.attempts - 1
                )))
            } else {
                self.send_one(&message).await
            };
            let now = clock();
            match outcome {
                Ok(()) => {
                    if self.store.message_sent(&id, worker, now).await? {
                        metrics::counter!("qiaoyi_outbox_sent_total", "channel" => channel)
                            .increment(1);
                        report.sent += 1;
                    } else {
                        tracing::warn!(target: "qiaoyi::outbox", id = %id, "the lease ran out while sending; another worker holds the message now");
                    }
                }
                Err(error) => {
                    let attempts = u32::try_from(message.attempts).unwrap_or(u32::MAX);
                    let give_up = matches!(error, SendError::Permanent(_))
                        || i64::from(attempts) >= self.config.outbox_max_attempts;
                    let retry_at = (!give_up).then(|| now + retry_delay_ms(attempts));
                    tracing::warn!(
                        target: "qiaoyi::outbox",
                        id = %id,
                        channel = %channel,
                        attempts,
                        error = error.text(),
                        dead = give_up,
                        "a message could not be delivered"
                    );
                    if !self
                        .store
                        .message_failed(&id, worker, error.text(), retry_at)
                        .await?
                    {
                        continue;
                    }
                    metrics::counter!("qiaoyi_outbox_failed_total", "channel" => channel.clone())
                        .increment(1);
                    if give_up {
                        metrics::counter!("qiaoyi_outbox_dead_total", "channel" => channel)
                            .increment(1);
                        report.dead += 1;
                    } else {
                        report.retrying += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    async fn send_one(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let notice = Notice::parse(&message.template).ok_or_else(|| {
            SendError::Permanent(format!("no template is called {}", message.template))
        })?;
        let channel = Channel::parse(&message.channel).ok_or_else(|| {
            SendError::Permanent(format!("no channel is called {}", message.channel))
        })?;
        let lang = Lang::from_tag(&message.language).unwrap_or(Lang::Zh);
        let params: Map<String, Value> = serde_json::from_str(&message.params)
            .map_err(|e| SendError::Permanent(format!("the parameters do not read: {e}")))?;
        let rendered = render(notice, lang, &params).map_err(SendError::Permanent)?;
        let unsubscribe = params.get("unsubscribe").and_then(Value::as_str);
        let link = params.get("link").and_then(Value::as_str);
        self.transports
            .send(
                channel,
                &Outgoing {
                    id: &message.id,
                    recipient: &message.recipient,
                    language: lang.tag(),
                    template: notice.template(),
                    rendered: &rendered,
                    unsubscribe,
                    link,
                    sent_at: self.clock().now_seconds(),
                },
                &crate::delivery::SharedTokens {
                    store: &self.store,
                    vault: &self.vault,
                },
            )
            .await
    }

    /// Delivers due messages every two seconds and queues due passport reminders and care-programme
    /// visit alerts every hour, for as long as the process lives.
    pub fn spawn_outbox_worker(&self) -> tokio::task::JoinHandle<()> {
        self.outbox_worker().spawn()
    }

    /// A worker that has not started: [`OutboxWorker::round`] once (the demo sends its seeded
    /// notices before printing its address), then [`OutboxWorker::spawn`].
    pub fn outbox_worker(&self) -> OutboxWorker {
        OutboxWorker {
            app: self.clone(),
            name: format!("w-{}", random_hex(8)),
            last_reminders: None,
            last_counted: None,
            last_video: None,
        }
    }

    /// Messages in one state, newest first, for administrators.
    pub async fn outbox(
        &self,
        caller: &Caller,
        status: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Page<OutboxMessage>, AppError> {
        self.authorize(caller, Action::ManageDelivery, &Resource::System)
            .await?;
        crate::check_limit(limit)?;
        if !STATUSES.contains(&status) {
            return Err(AppError::Invalid {
                field: "status",
                reason: Reason::Malformed,
                message: "choose pending, sent or dead".into(),
            });
        }
        Ok(self.store.outbox_page(status, offset, limit).await?)
    }

    /// How many messages are in each state, in the order of [`STATUSES`].
    pub async fn outbox_counts(&self, caller: &Caller) -> Result<Vec<(String, u64)>, AppError> {
        self.authorize(caller, Action::ManageDelivery, &Resource::System)
            .await?;
        self.counts_by_status().await
    }

    /// Every state with its number of messages, zero included, in the order of [`STATUSES`].
    async fn counts_by_status(&self) -> Result<Vec<(String, u64)>, AppError> {
        let counts = self.store.outbox_counts().await?;
        Ok(STATUSES
            .iter()
            .map(|status| {
                let n = counts
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
                ((*status).to_owned(), n)
            })
            .collect())
    }

    /// Puts a dead message back in the queue, as if new.
    pub async fn retry_message(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        self.authorize(caller, Action::ManageDelivery, &Resource::System)
            .await?;
        let record = self.audit_record(
            caller.session().map(|s| &s.actor),
            AuditEvent::MessageRetried,
            (AuditSubject::Message, id),
            "ok",
            &caller.client,
            caller.now,
        );
        if self.store.retry_message(id, caller.now, &record).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("a dead message with this id".into()))
        }
    }
}

/// The background work around the outbox, with when each slower job last ran.
pub struct OutboxWorker {
    app: App,
    /// This worker's claim token.
    name: String,
    last_reminders: Option<i64>,
    last_counted: Option<i64>,
    last_video: Option<i64>,
}

impl OutboxWorker {
    /// Runs [`OutboxWorker::round`] every two seconds, for as long as the process lives.
    pub fn spawn(mut self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                self.round().await;
            }
        })
    }

    /// One round: reminders and alerts queued when due, green channels escalated, due messages
    /// delivered (up to 100), the outbox gauge counted once a minute. Failures are logged and
    /// tried again next round. Returns how many messages it handled.
    pub async fn round(&mut self) -> usize {
        let app = &self.app;
        let now = app.now_ms();
        if self.last_reminders.is_none_or(|at| now - at >= 3_600_000) {
            self.last_reminders = Some(now);
            let today = crate::cases::beijing_today(now);
            if let Err(e) = app.queue_passport_reminders(today, now).await {
                tracing::warn!(error = %e, "passport reminders could not be queued; will try again in an hour");
            }
            if let Err(e) = app.queue_care_alerts(now).await {
                tracing::warn!(error = %e, "care-programme visit alerts could not be queued; will try again in an hour");
            }
        }
        // Before delivering, so that an escalation's notices leave in this same round.
        if let Err(e) = app.escalate_green_channels(now).await {
            tracing::warn!(error = %e, "green-channel escalation failed; will retry");
        }
        if self.last_video.is_none_or(|at| now - at >= 60_000) {
            self.last_video = Some(now);
            if let Err(e) = app.queue_video_reminders(now).await {
                tracing::warn!(error = %e, "video-check reminders could not be queued; will retry");
            }
        }
        let handled = match app.deliver_due_with(&self.name, &|| app.now_ms()).await {
            Ok(report) => report.sent + report.retrying + report.dead,
            Err(e) => {
                tracing::warn!(error = %e, "outbox delivery failed; will retry");
                0
            }
        };
        // Counting scans the outbox: once a minute is enough for a gauge.
        if self.last_counted.is_none_or(|at| now - at >= 60_000) {
            self.last_counted = Some(now);
            if let Ok(counts) = app.counts_by_status().await {
                for (status, n) in counts {
                    #[allow(clippy::cast_precision_loss)]
                    metrics::gauge!("qiaoyi_outbox_messages", "status" => status).set(n as f64);
                }
            }
        }
        handled
    }
}
