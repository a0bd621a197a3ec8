//! What the WeChat callback has already taken: each request by its timestamp and nonce (seen
//! twice, it is a replay) and each message by WeChat's `MsgId` (WeChat sends a message again when
//! an answer is slow, and it must be taken once). Kept in the database, so that every node sees
//! what any node took; forgotten once older than the window in which a request is accepted.
//!
//! Both are noted in the transaction that writes what the message brings, so that a message is
//! taken exactly when it is kept: two copies of a retry racing on two nodes meet at the key's
//! uniqueness, and the one that comes second writes nothing.

use crate::{ConflictKind, Store, StoreError, WriteTx};

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
/// The message comes first: a retry arrives under a new nonce and is answered, not refused.
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
    Ok(())
}
