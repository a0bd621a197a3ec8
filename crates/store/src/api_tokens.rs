//! API tokens: made and revoked with their audit entries, found by the SHA-256 of their secret,
//! their last use noted (with an audit entry) at most once a minute.

use qiaoyi_domain::access::Grant;
use qiaoyi_domain::access::api_tokens::ApiToken;
use qiaoyi_domain::access::audit::AuditRecord;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::decode::named;
use crate::{Page, Store, StoreError, audit};

/// A token to record. `created_by` is `None` for one made on the server's command line.
#[derive(Clone, Debug)]
pub struct NewApiToken<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub service: &'a str,
    pub name: &'a str,
    pub grant: &'a Grant,
    pub created_by: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "t.id, t.service, t.name, t.role, t.scope, COALESCE(t.created_by, '') AS created_by, \
     COALESCE(u.display_name, '') AS created_by_name, t.created_at, t.expires_at, t.revoked_at, \
     t.last_used_at, t.last_used_from";
const FROM: &str = "api_tokens t LEFT JOIN users u ON u.id = t.created_by";

fn token(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let id: String = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let scope: String = row.try_get("scope")?;
    let grant = named("api_tokens", &id, "role", &role, |role| {
        Grant::parse(role, &scope).ok()
    })?;
    Ok(ApiToken {
        service: row.try_get("service")?,
        name: row.try_get("name")?,
        grant,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
        last_used_from: row.try_get("last_used_from")?,
        id,
    })
}

impl Store {
    /// Records a token, with its service account and its audit entry.
    pub async fn insert_api_token(
        &self,
        new: &NewApiToken<'_>,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        // The account it acts as: disabled and with no password any hash could match, so nobody
        // signs in to it.
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, language, created_at, \
             disabled_at, service_account) VALUES ($1, $2, $3, '!', 'zh-CN', $4, $4, 1)",
        )
        .bind(new.id)
        .bind(format!("{}@api-token.invalid", new.id))
        .bind(format!("{} · {}", new.service, new.name))
        .bind(new.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, service, name, role, scope, created_by, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new.id)
        .bind(new.token_hash)
        .bind(new.service)
        .bind(new.name)
        .bind(new.grant.role().as_str())
        .bind(new.grant.scope())
        .bind(new.created_by)
        .bind(new.created_at)
        .bind(new.expires_at)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tokens, the newest first, one page.
    pub async fn api_tokens(&self, offset: u64, limit: u64) -> Result<Page<ApiToken>, StoreError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} ORDER BY t.created_at DESC, t.id LIMIT $1 OFFSET $2"
        )))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            total: total.max(0) as u64,
            offset,
            items: rows.iter().map(token).collect::<Result<_, _>>()?,
        })
    }

    pub async fn api_token(&self, id: &str) -> Result<Option<ApiToken>, StoreError> {
        self.api_token_where("t.id", id).await
    }

    /// The token whose secret hashes to `token_hash`, whatever its state.
    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        self.api_token_where("t.token_hash", token_hash).await
    }

    /// The token whose `column` (its id or its hash, both unique) is `value`.
    async fn api_token_where(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE {column} = $1"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(token)
        .transpose()
    }

    /// Notes a use at `now` from `client` with its audit entry, unless one was noted since
    /// `quiet_since`: of several nodes or requests at once, one conditional UPDATE writes it.
    pub async fn note_api_token_use(
        &self,
        id: &str,
        now: i64,
        client: &str,
        quiet_since: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let noted = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2, last_used_from = $3 \
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $4)",
        )
        .bind(id)
        .bind(now)
        .bind(client)
        .bind(quiet_since)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if noted == 1 {
            audit::append(&mut tx, self.audit_key()?, record).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Revokes a token not yet revoked, with its audit entry; `false`, with nothing written, when
    /// it was revoked already.
    pub async fn revoke_api_token(
        &self,
        id: &str,
        by: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2, revoked_by = $3 \
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if revoked != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }
}
