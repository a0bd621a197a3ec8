//! The outbox: messages queued in the transaction of the event they tell of, then claimed, sent and
//! settled by delivery workers; what each account chose to receive; and the passports whose
//! reminders may be due.
//!
//! A worker claims a message by writing its own claim token and a lease end in one conditional
//! UPDATE, so two workers (or two server nodes) never hold the same message; a worker that dies
//! mid-send leaves a lease that runs out, after which another worker tries again. Attempts are
//! counted at the claim, so a message that crashes its worker still reaches the dead-letter state.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::lang::Lang;
use qiaoyi_domain::notify::{MessageStatus, NotificationSettings, OutboxMessage};
use sqlx::any::AnyRow;
use sqlx::query::Query;
use sqlx::{Database, Encode, Row, Type};

use crate::catalog::Page;
use crate::{Store, StoreError, audit, decode};

/// A message to deliver later, rendered in the recipient's language by the delivery worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub language: String,
    pub template: String,
    /// JSON object of the template's parameters.
    pub params: String,
    /// The account the message is for, when there is one.
    pub user_id: Option<String>,
    /// Set when the same message must never be queued twice.
    pub dedupe_key: Option<String>,
}

/// A passport on file whose expiry falls in the reminder window, with the account that keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderCandidate {
    pub document_id: String,
    pub expires_on: String,
    pub person_name: String,
    /// `self` when the account holder's own passport.
    pub relation: String,
    pub user_id: String,
    pub email: String,
    pub language: String,
    pub settings: NotificationSettings,
    /// Her WeChat, when linked and chosen for notices.
    pub wechat: Option<String>,
}

const OUTBOX_COLUMNS: &str = "id, created_at, channel, recipient, language, template, params, status, \
     attempts, next_attempt_at, sent_at, last_error, user_id";

fn outbox_row(r: &AnyRow) -> Result<OutboxMessage, StoreError> {
    let id: String = r.try_get("id")?;
    let status: String = r.try_get("status")?;
    Ok(OutboxMessage {
        status: decode::named("outbox", &id, "status", &status, MessageStatus::parse)?,
        id,
        created_at: r.try_get("created_at")?,
        channel: r.try_get("channel")?,
        recipient: r.try_get("recipient")?,
        language: r.try_get("language")?,
        template: r.try_get("template")?,
        params: r.try_get("params")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        sent_at: r.try_get("sent_at")?,
        last_error: r.try_get("last_error")?,
        user_id: r.try_get("user_id")?,
    })
}

fn settings_row(user_id: &str, r: &AnyRow) -> Result<NotificationSettings, StoreError> {
    let email_enabled: Option<i64> = r.try_get("email_enabled")?;
    let Some(email_enabled) = email_enabled else {
        return Ok(NotificationSettings::defaults(user_id));
    };
    Ok(NotificationSettings {
        user_id: user_id.to_owned(),
        email_enabled: email_enabled != 0,
        sms_number: r.try_get("sms_number")?,
        sms_enabled: r.try_get::<i64, _>("sms_enabled")? != 0,
        own_reminders: r.try_get::<i64, _>("own_reminders")? != 0,
        family_reminders: r.try_get::<i64, _>("family_reminders")? != 0,
    })
}

/// Queues a message once per dedupe key, its values bound by [`bind_message`] (also used by the raw
/// baseline of `qiaoyi bench`).
pub(crate) const ENQUEUE: &str = "INSERT INTO outbox (id, created_at, channel, recipient, language, template, params, status, \
         user_id, dedupe_key, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $2) ON CONFLICT (dedupe_key) DO NOTHING";

/// Binds `message`, queued at `now`, to [`ENQUEUE`].
pub(crate) fn bind_message<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    message: &NewMessage,
    now: i64,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t str>: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
{
    query
        .bind(message.id.as_str())
        .bind(now)
        .bind(message.channel.as_str())
        .bind(message.recipient.as_str())
        .bind(message.language.as_str())
        .bind(message.template.as_str())
        .bind(message.params.as_str())
        .bind(message.user_id.as_deref())
        .bind(message.dedupe_key.as_deref())
}

/// Queues `message` inside the caller's transaction. Returns false when a message with the same
/// dedupe key was queued before (and nothing is written).
pub(crate) async fn enqueue(
    tx: &mut crate::WriteTx,
    message: &NewMessage,
    now: i64,
) -> Result<bool, StoreError> {
    let inserted = bind_message(sqlx::query(ENQUEUE), message, now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(inserted == 1)
}

impl Store {
    /// Queues messages that tell of nothing else written (reminders). Returns how many were new.
    pub async fn enqueue_messages(
        &self,
        messages: &[NewMessage],
        now: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut queued = 0;
        for message in messages {
            if enqueue(&mut tx, message, now).await? {
                queued += 1;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Messages waiting for delivery, oldest first.
    pub async fn pending_messages(&self, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = 'pending' ORDER BY created_at, id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    /// Ids of messages due at `now` that no worker holds.
    pub async fn due_messages(&self, now: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND claimed_until <= $1 \
             ORDER BY next_attempt_at, created_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Takes message `id` for one attempt until `lease_until`, counting the attempt. None when
    /// another worker took it first or it is no longer due.
    pub async fn claim_message(
        &self,
        id: &str,
        claim: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        let mut tx = self.write_tx().await?;
        let taken = sqlx::query(
            "UPDATE outbox SET claim = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4 AND claimed_until <= $4",
        )
        .bind(claim)
        .bind(lease_until)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken != 1 {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(outbox_row(&row)?))
    }

    /// Records a delivered message. False when the claim was lost (the lease ran out and another
    /// worker holds it), so the caller knows its result was not the one recorded.
    pub async fn message_sent(&self, id: &str, claim: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_until = 0, last_error = NULL \
             WHERE id = $2 AND claim = $3 AND status = 'pending'",
        )
        .bind(now)
        .bind(id)
        .bind(claim)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Records a failed attempt: tried again from `retry_at`, or dead when `retry_at` is None.
    pub async fn message_failed(
        &self,
        id: &str,
        claim: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE outbox SET status = CASE WHEN $1 < 0 THEN 'dead' ELSE 'pending' END, \
             next_attempt_at = CASE WHEN $1 < 0 THEN next_attempt_at ELSE $1 END, \
             claimed_until = 0, last_error = $2 WHERE id = $3 AND claim = $4 AND status = 'pending'",
        )
        .bind(retry_at.unwrap_or(-1))
        .bind(error)
        .bind(id)
        .bind(claim)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Messages in one state (`pending`, `sent`, `dead`), newest first.
    pub async fn outbox_page(
        &self,
        status: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Page<OutboxMessage>, StoreError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = $1")
            .bind(status)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
        )))
        .bind(status)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            total: u64::try_from(total).unwrap_or(0),
            offset,
            items: rows.iter().map(outbox_row).collect::<Result<_, _>>()?,
        })
    }

    /// How many messages are in each state.
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// Puts a dead message back in the queue with a fresh count of attempts. False when no dead
    /// message has that id.
    pub async fn retry_message(
        &self,
        id: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = 0 \
             WHERE id = $2 AND status = 'dead'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The account's choices, or the defaults when it made none.
    pub async fn notification_settings(
        &self,
        user_id: &str,
    ) -> Result<NotificationSettings, StoreError> {
        let row = sqlx::query(
            "SELECT email_enabled, sms_number, sms_enabled, own_reminders, family_reminders \
             FROM notification_settings WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => settings_row(user_id, &r),
            None => Ok(NotificationSettings::defaults(user_id)),
        }
    }

    /// Saves the account's choices and, when given, the language its messages are written in and
    /// whether notices go to her linked WeChat too.
    pub async fn save_notification_settings(
        &self,
        settings: &NotificationSettings,
        language: Option<Lang>,
        wechat_notices: Option<bool>,
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        if let Some(on) = wechat_notices {
            sqlx::query("UPDATE wechat_links SET notices = $1 WHERE user_id = $2")
                .bind(i64::from(on))
                .bind(&settings.user_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(language) = language {
            sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
                .bind(language.tag())
                .bind(&settings.user_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO notification_settings (user_id, email_enabled, sms_number, sms_enabled, own_reminders, family_reminders, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id) DO UPDATE SET email_enabled = $2, sms_number = $3, sms_enabled = $4, \
             own_reminders = $5, family_reminders = $6, updated_at = $7",
        )
        .bind(&settings.user_id)
        .bind(i64::from(settings.email_enabled))
        .bind(&settings.sms_number)
        .bind(i64::from(settings.sms_enabled))
        .bind(i64::from(settings.own_reminders))
        .bind(i64::from(settings.family_reminders))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Passports expiring after `after` and on or before `until` (YYYY-MM-DD), of confirmed accounts
    /// in use, ordered so that `(expires_on, document_id)` of the last row continues the walk.
    pub async fn reminder_candidates(
        &self,
        after: (&str, &str),
        until: &str,
        limit: i64,
    ) -> Result<Vec<ReminderCandidate>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id AS document_id, d.expires_on, p.name, p.relation, u.id AS user_id, u.email, u.language, \
             s.email_enabled, s.sms_number, s.sms_enabled, s.own_reminders, s.family_reminders, w.openid AS wechat \
             FROM person_documents d JOIN persons p ON p.id = d.person_id JOIN users u ON u.id = p.owner_id \
             LEFT JOIN notification_settings s ON s.user_id = u.id \
             LEFT JOIN wechat_links w ON w.user_id = u.id AND w.notices = 1 \
             WHERE d.kind = 'passport' AND d.expires_on IS NOT NULL \
             AND (d.expires_on > $1 OR (d.expires_on = $1 AND d.id > $2)) AND d.expires_on <= $3 \
             AND u.disabled_at IS NULL AND u.confirmed_at IS NOT NULL \
             ORDER BY d.expires_on, d.id LIMIT $4",
        )
        .bind(after.0)
        .bind(after.1)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let user_id: String = r.try_get("user_id")?;
                Ok(ReminderCandidate {
                    document_id: r.try_get("document_id")?,
                    expires_on: r.try_get("expires_on")?,
                    person_name: r.try_get("name")?,
                    relation: r.try_get("relation")?,
                    email: r.try_get("email")?,
                    language: r.try_get("language")?,
                    settings: settings_row(&user_id, r)?,
                    wechat: r.try_get("wechat")?,
                    user_id,
                })
            })
            .collect()
    }
}
