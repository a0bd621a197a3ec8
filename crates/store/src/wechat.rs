//! What the WeChat callback has already taken: each request by its timestamp and nonce (seen
//! twice, it is a replay) and each message by WeChat's `MsgId` (WeChat sends a message again when
//! an answer is slow, and it must be taken once). Kept in the database, so that every node sees
//! what any node took; forgotten once older than the window in which a request is accepted.
//!
//! Both are noted in the transaction that writes what the message brings, so that a message is
//! taken exactly when it is kept: two copies of a retry racing on two nodes meet at the key's
//! uniqueness, and the one that comes second writes nothing.

use qiaoyi_domain::access::audit::AuditRecord;
use sqlx::Row;

use crate::{ConflictKind, Store, StoreError, WriteTx, audit};

/// One callback's keys, noted when what it brings is written.
#[derive(Clone, Copy, Debug)]
pub struct WechatTaken<'a> {
    /// The message's key: WeChat's `MsgId`, or who sent it and when for events that have none.
    pub message: &'a str,
    /// The request's key: its timestamp and nonce.
    pub request: &'a str,
    pub now: i64,
    /// What was seen before this is forgotten on the way.
    pub forget_before: i64,
    /// Who wrote (her OpenID): whatever she sends opens WeChat's 48 hours again, so her answers
    /// (messages of template `answers`) set aside since `waiting_since` are queued again.
    pub from: &'a str,
    pub answers: &'a str,
    pub waiting_since: i64,
}

impl Store {
    /// Notes a callback that writes nothing else. A `Conflict` of kind `Retried` or `Replayed`
    /// when the message or the request was taken before.
    pub async fn take_wechat(&self, taken: &WechatTaken<'_>) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        note_taken(&mut tx, taken).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Notes both keys in `tx`; refuses, and the transaction must be dropped, when either is known.
/// The message comes first: a retry arrives under a new nonce and is answered, not refused. A
/// callback taken puts her waiting answers back in the queue, in the same transaction.
pub(crate) async fn note_taken(
    tx: &mut WriteTx,
    taken: &WechatTaken<'_>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM wechat_seen WHERE seen_at < $1")
        .bind(taken.forget_before)
        .execute(&mut **tx)
        .await?;
    for (key, kind, message) in [
        (
            taken.message,
            ConflictKind::Retried,
            "this WeChat message was taken before",
        ),
        (
            taken.request,
            ConflictKind::Replayed,
            "this WeChat request was seen before",
        ),
    ] {
        let added = sqlx::query(
            "INSERT INTO wechat_seen (key, seen_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(taken.now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if added == 0 {
            return Err(StoreError::Conflict {
                kind,
                message: message.into(),
            });
        }
    }
    sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = 0 \
         WHERE status = 'dead' AND channel = 'wechat' AND recipient = $2 AND template = $3 AND created_at >= $4",
    )
    .bind(taken.now)
    .bind(taken.from)
    .bind(taken.answers)
    .bind(taken.waiting_since)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A WeChat linked to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WechatLinkRow {
    pub user_id: String,
    pub openid: String,
    pub linked_at: i64,
    /// She chose to have her notices there too.
    pub notices: bool,
}

/// What linking did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WechatLinking {
    pub openid: String,
    /// The account her WeChat was linked to before, if another.
    pub moved_from: Option<String>,
    /// Her open guest consultations from WeChat, now her account's.
    pub consultations: u64,
}

impl Store {
    /// The WeChat linked to the account, if any.
    pub async fn wechat_link_of_user(
        &self,
        user_id: &str,
    ) -> Result<Option<WechatLinkRow>, StoreError> {
        self.wechat_link_by("user_id", user_id).await
    }

    /// The account a WeChat is linked to, if any.
    pub async fn wechat_link_of_openid(
        &self,
        openid: &str,
    ) -> Result<Option<WechatLinkRow>, StoreError> {
        self.wechat_link_by("openid", openid).await
    }

    /// The link whose `column` (one of the two unique ones) is `value`.
    async fn wechat_link_by(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<WechatLinkRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT user_id, openid, linked_at, notices FROM wechat_links WHERE {column} = $1"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| link_row(&r)).transpose()
    }

    /// Keeps a new link code for `openid` (its earlier one is gone), with the callback that asked
    /// for it noted in the same transaction; codes that expired are forgotten on the way.
    pub async fn keep_wechat_link_code(
        &self,
        openid: &str,
        code_hash: &str,
        expires_at: i64,
        taken: &WechatTaken<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        note_taken(&mut tx, taken).await?;
        sqlx::query("DELETE FROM wechat_link_codes WHERE openid = $1 OR expires_at <= $2")
            .bind(openid)
            .bind(taken.now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO wechat_link_codes (code_hash, openid, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(code_hash)
        .bind(openid)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links the WeChat whose live code hashes to `code_hash` to `user_id`, using the code up:
    /// her earlier link and the WeChat's link to another account give way, and her open guest
    /// consultations from that WeChat become the account's. `None`, and nothing written, when no
    /// live code matches. `record`'s subject and purpose are completed here.
    pub async fn link_wechat(
        &self,
        user_id: &str,
        code_hash: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<Option<WechatLinking>, StoreError> {
        let mut tx = self.write_tx().await?;
        let openid: Option<String> = sqlx::query_scalar(
            "DELETE FROM wechat_link_codes WHERE code_hash = $1 AND expires_at > $2 RETURNING openid",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(openid) = openid else {
            return Ok(None);
        };
        let moved_from: Option<String> = sqlx::query_scalar(
            "SELECT user_id FROM wechat_links WHERE openid = $1 AND user_id <> $2",
        )
        .bind(&openid)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM wechat_links WHERE user_id = $1 OR openid = $2")
            .bind(user_id)
            .bind(&openid)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO wechat_links (user_id, openid, linked_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(&openid)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let consultations = sqlx::query(
            "UPDATE consultations SET person_id = $1 \
             WHERE wechat_openid = $2 AND person_id IS NULL AND state = 'open'",
        )
        .bind(user_id)
        .bind(&openid)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let mut record = record.clone();
        record.purpose = match &moved_from {
            Some(other) => {
                format!("moved from account {other}; {consultations} open consultations joined")
            }
            None => format!("{consultations} open consultations joined"),
        };
        audit::append(&mut tx, self.audit_key()?, &record).await?;
        tx.commit().await?;
        Ok(Some(WechatLinking {
            openid,
            moved_from,
            consultations,
        }))
    }

    /// Unlinks the account's WeChat; `false`, and nothing written, when none was linked.
    pub async fn unlink_wechat(
        &self,
        user_id: &str,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query("DELETE FROM wechat_links WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }
}

fn link_row(r: &sqlx::any::AnyRow) -> Result<WechatLinkRow, StoreError> {
    Ok(WechatLinkRow {
        user_id: r.try_get("user_id")?,
        openid: r.try_get("openid")?,
        linked_at: r.try_get("linked_at")?,
        notices: r.try_get::<i64, _>("notices")? != 0,
    })
}

/// The Official Account's access token as every node shares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedWechatToken {
    /// The token, sealed by the app.
    pub sealed: String,
    /// Its SHA-256, to retire exactly this one.
    pub hash: String,
    /// When nodes stop using it (milliseconds), shortly before it expires.
    pub use_until: i64,
}

impl Store {
    /// The shared access token of the account `app_id`, if one is kept (live or not).
    pub async fn wechat_token(
        &self,
        app_id: &str,
    ) -> Result<Option<SharedWechatToken>, StoreError> {
        let row = sqlx::query(
            "SELECT token_sealed, token_hash, use_until FROM wechat_tokens WHERE app_id = $1",
        )
        .bind(app_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SharedWechatToken {
                sealed: r.try_get("token_sealed")?,
                hash: r.try_get("token_hash")?,
                use_until: r.try_get("use_until")?,
            })
        })
        .transpose()
    }

    /// A live token for `app_id`: the one kept, if another node refreshed it meanwhile, else what
    /// `fetch` brings, kept for every node. On PostgreSQL one node at a time refreshes (a
    /// transaction-scoped advisory lock on the account, held while `fetch` asks WeChat); SQLite
    /// serves one node, whose transport refreshes once at a time, and its single writer is not
    /// held while WeChat answers.
    pub async fn refresh_wechat_token<F, Fut, E>(
        &self,
        app_id: &str,
        now: i64,
        fetch: F,
    ) -> Result<Result<SharedWechatToken, E>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<SharedWechatToken, E>>,
    {
        if self.backend == crate::Backend::Sqlite {
            if let Some(kept) = self.wechat_token(app_id).await?
                && kept.use_until > now
            {
                return Ok(Ok(kept));
            }
            let fetched = match fetch().await {
                Ok(token) => token,
                Err(e) => return Ok(Err(e)),
            };
            let mut tx = self.write_tx().await?;
            keep_token(&mut tx, app_id, &fetched).await?;
            tx.commit().await?;
            return Ok(Ok(fetched));
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(token_lock_key(app_id))
            .execute(&mut *tx)
            .await?;
        let kept = sqlx::query_as::<_, (String, String, i64)>(
            "SELECT token_sealed, token_hash, use_until FROM wechat_tokens WHERE app_id = $1",
        )
        .bind(app_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((sealed, hash, use_until)) = kept
            && use_until > now
        {
            tx.commit().await?;
            return Ok(Ok(SharedWechatToken {
                sealed,
                hash,
                use_until,
            }));
        }
        let fetched = match fetch().await {
            Ok(token) => token,
            Err(e) => return Ok(Err(e)),
        };
        keep_token(&mut tx, app_id, &fetched).await?;
        tx.commit().await?;
        Ok(Ok(fetched))
    }

    /// Retires the token whose hash is `hash`, after WeChat refused it; a newer one stays.
    pub async fn retire_wechat_token(&self, app_id: &str, hash: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE wechat_tokens SET use_until = 0 WHERE app_id = $1 AND token_hash = $2")
            .bind(app_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn keep_token(
    tx: &mut WriteTx,
    app_id: &str,
    token: &SharedWechatToken,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO wechat_tokens (app_id, token_sealed, token_hash, use_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (app_id) DO UPDATE SET token_sealed = $2, token_hash = $3, use_until = $4",
    )
    .bind(app_id)
    .bind(&token.sealed)
    .bind(&token.hash)
    .bind(token.use_until)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The advisory lock's key for an account: FNV-1a of its AppID, so each account has its own.
fn token_lock_key(app_id: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("wechat-token:{app_id}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}
