//! What the WeChat callback has already taken: each request by its timestamp and nonce (seen
//! twice, it is a replay) and each message by WeChat's `MsgId` (WeChat sends a message again when
//! an answer is slow, and it must be taken once). Kept in the database, so that every node sees
//! what any node took; forgotten once older than the window in which a request is accepted.

use crate::{Store, StoreError};

impl Store {
    /// Whether `key` was seen (and not yet forgotten).
    pub async fn wechat_seen(&self, key: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wechat_seen WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Notes `key` as seen at `now` and tells whether it is new; on the way, forgets what was
    /// seen before `forget_before`.
    pub async fn note_wechat_seen(
        &self,
        key: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM wechat_seen WHERE seen_at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let added = sqlx::query(
            "INSERT INTO wechat_seen (key, seen_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(added == 1)
    }
}
