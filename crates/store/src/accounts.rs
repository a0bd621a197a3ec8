//! Users, their grants, sessions, failed logins and the outbox: each method one transaction, with
//! its audit entry.

use qiaoyi_domain::access::audit::AuditRecord;
use qiaoyi_domain::lang::Lang;
use sqlx::any::AnyRow;
use sqlx::query::Query;
use sqlx::{Database, Encode, Row, Type};

use crate::decode::Table;
use crate::outbox::{NewMessage, enqueue};
use crate::role_requests::{self, NewRoleRequest};
use crate::{Store, StoreError, audit};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub language: Lang,
    pub confirmed_at: Option<i64>,
    pub totp_secret: Option<String>,
    /// (role, scope) pairs.
    pub grants: Vec<(String, String)>,
}

crate::decode::stored_row! {
    #[derive(Clone, PartialEq, Eq)]
    pub struct UserRow {
        pub id: String,
        pub email: String,
        pub display_name: String,
        pub password_hash: String,
        pub language: Lang as Text,
        pub created_at: i64,
        pub confirmed_at: Option<i64>,
        pub totp_secret: Option<String>,
        pub totp_last_step: i64,
        pub locked_until: i64,
        pub elder_mode: bool as Flag,
        /// When an administrator disabled the account; `None` while it is in use.
        pub disabled_at: Option<i64>,
        pub grants: Vec<(String, String)> as Default,
    }
}

impl crate::decode::Table for UserRow {
    const TABLE: &'static str = "users";
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the hash or the TOTP secret.
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("grants", &self.grants)
            .finish_non_exhaustive()
    }
}

crate::decode::stored_row! {
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct SessionRow {
        pub token_hash: String,
        pub user_id: String,
        pub csrf: String,
        pub created_at: i64,
        pub last_seen_at: i64,
        pub second_factor_at: Option<i64>,
        pub client: String,
    }
}

impl crate::decode::Table for SessionRow {
    const TABLE: &'static str = "sessions";
    const KEY: &'static str = "token_hash";
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, language, created_at, confirmed_at, \
                            totp_secret, totp_last_step, locked_until, elder_mode, disabled_at";
const SESSION_COLUMNS: &str =
    "token_hash, user_id, csrf, created_at, last_seen_at, second_factor_at, client";

/// An account row with its grants, read separately.
fn user(row: &AnyRow, grants: Vec<(String, String)>) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        grants,
        ..UserRow::read(row)?
    })
}

pub(crate) async fn insert_user(
    tx: &mut crate::WriteTx,
    new: &NewUser,
    now: i64,
) -> Result<(), StoreError> {
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&new.email)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::conflict(
            "an account with this e-mail address exists already".into(),
        ));
    }
    bind_user(sqlx::query(INSERT_USER), new, now)
        .execute(&mut **tx)
        .await?;
    insert_grants(tx, &new.id, &new.grants).await
}

/// An account, its values bound by [`bind_user`].
pub(crate) const INSERT_USER: &str = "INSERT INTO users (id, email, display_name, password_hash, language, created_at, confirmed_at, totp_secret) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Binds `new`, made at `now`, to [`INSERT_USER`].
pub(crate) fn bind_user<'q, DB>(
    query: Query<'q, DB, DB::Arguments>,
    new: &'q NewUser,
    now: i64,
) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    i64: for<'t> Encode<'t, DB> + Type<DB>,
    Option<i64>: for<'t> Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t str>: Encode<'t, DB> + Type<DB>,
{
    query
        .bind(new.id.as_str())
        .bind(new.email.as_str())
        .bind(new.display_name.as_str())
        .bind(new.password_hash.as_str())
        .bind(new.language.tag())
        .bind(now)
        .bind(new.confirmed_at)
        .bind(new.totp_secret.as_deref())
}

/// Gives `user_id` each `(role, scope)` of `grants` it does not have yet.
pub(crate) async fn insert_grants(
    tx: &mut crate::WriteTx,
    user_id: &str,
    grants: &[(String, String)],
) -> Result<(), StoreError> {
    for (role, scope) in grants {
        sqlx::query(
            "INSERT INTO user_grants (user_id, role, scope) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, role, scope) DO NOTHING",
        )
        .bind(user_id)
        .bind(role)
        .bind(scope)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Ends every session of `user_id` but the one whose token hash is `keep`; returns how many.
pub(crate) async fn end_sessions_but(
    tx: &mut crate::WriteTx,
    user_id: &str,
    keep: &str,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

/// A sign-in attempt as the lockout counts it: the typed address (hashed, whether or not an account
/// has it), the client it came from, now, and the window in which failures count.
#[derive(Clone, Copy, Debug)]
pub struct PasswordAttempt<'a> {
    pub account_key: &'a str,
    pub client: &'a str,
    pub now: i64,
    pub window_start: i64,
    pub window_ms: i64,
}

/// When wrong second-factor codes end a session and lock an account.
#[derive(Clone, Copy, Debug)]
pub struct SecondFactorLimits {
    pub per_session: i64,
    pub per_account: i64,
    /// Failures on the account since then count.
    pub window_start: i64,
    pub lock_until: i64,
}

/// What one more wrong second-factor code did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactorFailure {
    TryAgain,
    /// The half-signed-in session ended: sign in with the password again.
    SessionEnded,
    /// The account is locked and its half-signed-in sessions ended.
    AccountLocked,
}

/// Records in the session that its user has just passed the second factor.
async fn mark_second_factor(
    tx: &mut crate::WriteTx,
    user_id: &str,
    token_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET second_factor_at = $1, last_seen_at = $1 WHERE token_hash = $2 AND user_id = $3")
        .bind(now)
        .bind(token_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Creates a user with their grants; an e-mail address already in use is a `Conflict`.
    pub async fn create_user(
        &self,
        new: &NewUser,
        now: i64,
        record: &AuditRecord,
        message: Option<&NewMessage>,
        request: Option<(&NewRoleRequest, &AuditRecord)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        insert_user(&mut tx, new, now).await?;
        if let Some(message) = message {
            enqueue(&mut tx, message, now).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        if let Some((request, record)) = request {
            role_requests::file(self, &mut tx, request, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn grants_of(&self, user_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT role, scope FROM user_grants WHERE user_id = $1 ORDER BY role, scope",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("role")?, r.try_get("scope")?)))
            .collect()
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        )))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => {
                let id: String = row.try_get("id")?;
                Ok(Some(user(&row, self.grants_of(&id).await?)?))
            }
            None => Ok(None),
        }
    }

    /// Every account's stored TOTP secret, as `(user id, stored text)`.
    pub async fn totp_secrets(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("totp_secret")?)))
            .collect()
    }

    /// Replaces the stored TOTP secret of an account (sealing one kept in clear).
    pub async fn replace_totp_secret(&self, user_id: &str, stored: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(stored)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(user(&row, self.grants_of(id).await?)?)),
            None => Ok(None),
        }
    }

    /// The enabled accounts holding `role`, with their grants: everyone a role-wide notice goes to.
    pub async fn users_with_role(&self, role: &str) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE disabled_at IS NULL AND id IN \
             (SELECT user_id FROM user_grants WHERE role = $1) ORDER BY id"
        )))
        .bind(role)
        .fetch_all(&self.pool)
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            users.push(user(row, self.grants_of(&id).await?)?);
        }
        Ok(users)
    }

    /// All users but the API tokens' service accounts, with their grants, ordered by e-mail, one
    /// page.
    pub async fn users(&self, offset: u64, limit: u64) -> Result<crate::Page<UserRow>, StoreError> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE service_account = 0")
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE service_account = 0 ORDER BY email LIMIT $1 OFFSET $2"
        )))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        // The page's grants in one query rather than one per user.
        let grant_rows = sqlx::query(
            "SELECT g.user_id, g.role, g.scope FROM user_grants g \
             JOIN (SELECT id FROM users WHERE service_account = 0 ORDER BY email LIMIT $1 OFFSET $2) page \
             ON page.id = g.user_id \
             ORDER BY g.role, g.scope",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let mut grants: std::collections::HashMap<String, Vec<(String, String)>> =
            std::collections::HashMap::new();
        for g in &grant_rows {
            grants
                .entry(g.try_get("user_id")?)
                .or_default()
                .push((g.try_get("role")?, g.try_get("scope")?));
        }
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            items.push(user(row, grants.remove(&id).unwrap_or_default())?);
        }
        Ok(crate::Page {
            total: total.max(0) as u64,
            offset,
            items,
        })
    }

    /// Until when wrong passwords lock `attempt.account_key` for `attempt.client`: the moment the
    /// oldest of the last `threshold` failures since `attempt.window_start` leaves the window, or
    /// `None` when there are fewer.
    pub async fn password_lockout(
        &self,
        attempt: &PasswordAttempt<'_>,
        threshold: i64,
    ) -> Result<Option<i64>, StoreError> {
        let recent: Vec<i64> = sqlx::query_scalar(
            "SELECT at FROM password_failures WHERE account_key = $1 AND client = $2 AND at >= $3 \
             ORDER BY at DESC LIMIT $4",
        )
        .bind(attempt.account_key)
        .bind(attempt.client)
        .bind(attempt.window_start)
        .bind(threshold)
        .fetch_all(&self.pool)
        .await?;
        Ok((i64::try_from(recent.len()).unwrap_or(0) >= threshold)
            .then(|| recent.last().map(|oldest| oldest + attempt.window_ms))
            .flatten())
    }

    /// For slowing password spraying: how many different typed addresses `client` failed to sign
    /// in to since `window_start`, and when it last failed.
    pub async fn password_failures_of_client(
        &self,
        client: &str,
        window_start: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT account_key) AS addresses, MAX(at) AS last_at \
             FROM password_failures WHERE client = $1 AND at >= $2",
        )
        .bind(client)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("addresses")?, row.try_get("last_at")?))
    }

    /// Records a wrong password and returns whether it makes `threshold` failures in the window,
    /// which locks the typed address for the client. On the failure that first does, `on_lock`
    /// (the owner's message and its audit entry, when an account has the address) is written too.
    pub async fn password_failed(
        &self,
        attempt: &PasswordAttempt<'_>,
        threshold: i64,
        record: &AuditRecord,
        on_lock: Option<(&AuditRecord, &NewMessage)>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("INSERT INTO password_failures (account_key, client, at) VALUES ($1, $2, $3)")
            .bind(attempt.account_key)
            .bind(attempt.client)
            .bind(attempt.now)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        let failures: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_failures WHERE account_key = $1 AND client = $2 AND at >= $3",
        )
        .bind(attempt.account_key)
        .bind(attempt.client)
        .bind(attempt.window_start)
        .fetch_one(&mut *tx)
        .await?;
        if failures == threshold
            && let Some((lock_record, message)) = on_lock
        {
            enqueue(&mut tx, message, attempt.now).await?;
            audit::append(&mut tx, self.audit_key()?, lock_record).await?;
        }
        tx.commit().await?;
        Ok(failures >= threshold)
    }

    /// Starts a session after a correct password; earlier wrong passwords for `attempt`'s typed
    /// address from its client no longer count.
    pub async fn start_session(
        &self,
        session: &SessionRow,
        attempt: &PasswordAttempt<'_>,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(&session.token_hash)
        .bind(&session.user_id)
        .bind(&session.csrf)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.second_factor_at)
        .bind(&session.client)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM password_failures WHERE account_key = $1 AND client = $2")
            .bind(attempt.account_key)
            .bind(attempt.client)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(SessionRow::read).transpose()
    }

    pub async fn sessions_of(&self, user_id: &str) -> Result<Vec<SessionRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC"
        )))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(SessionRow::read).collect()
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends one session (logout, or expiry found at use); `record` is written only when given.
    pub async fn end_session(
        &self,
        token_hash: &str,
        record: Option<&AuditRecord>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        if let Some(record) = record {
            audit::append(&mut tx, self.audit_key()?, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the roles of a user, with the audit entry, in one transaction; `request` files the
    /// roles that wait for a second administrator in the same one.
    pub async fn set_grants(
        &self,
        user_id: &str,
        grants: &[(String, String)],
        record: &AuditRecord,
        request: Option<(&NewRoleRequest, &AuditRecord)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM user_grants WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_grants(&mut tx, user_id, grants).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        if let Some((request, record)) = request {
            role_requests::file(self, &mut tx, request, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Disables an account (`Some(at)`), ending all its sessions, or enables it again (`None`).
    pub async fn set_disabled(
        &self,
        user_id: &str,
        disabled_at: Option<i64>,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(disabled_at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if disabled_at.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of the user but `keep`; returns how many ended.
    pub async fn end_other_sessions(
        &self,
        user_id: &str,
        keep: &str,
        record: &AuditRecord,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let ended = end_sessions_but(&mut tx, user_id, keep).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Replaces a user's password hash and ends every session of hers but `keep`, queuing
    /// `messages` (telling her), with the audit entry, in one transaction; returns how many
    /// sessions ended.
    pub async fn change_password(
        &self,
        user_id: &str,
        password_hash: &str,
        keep: &str,
        record: &AuditRecord,
        messages: &[NewMessage],
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let ended = end_sessions_but(&mut tx, user_id, keep).await?;
        for message in messages {
            enqueue(&mut tx, message, record.at_ms).await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Records a wrong second-factor code on a half-signed-in session. At `limits.per_session`
    /// failures on the session it ends; at `limits.per_account` failures on the account since
    /// `limits.window_start` (over any sessions: signing in again does not restart the count) the
    /// account locks until `limits.lock_until`, its half-signed-in sessions end, and `message`
    /// tells its owner.
    #[allow(clippy::too_many_arguments)]
    pub async fn second_factor_failed(
        &self,
        user_id: &str,
        token_hash: &str,
        now: i64,
        limits: &SecondFactorLimits,
        record: &AuditRecord,
        lock_record: &AuditRecord,
        message: &NewMessage,
    ) -> Result<SecondFactorFailure, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO second_factor_failures (user_id, session_hash, at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        let on_account: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM second_factor_failures WHERE user_id = $1 AND at >= $2",
        )
        .bind(user_id)
        .bind(limits.window_start)
        .fetch_one(&mut *tx)
        .await?;
        let outcome = if on_account >= limits.per_account {
            sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
                .bind(limits.lock_until)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND second_factor_at IS NULL")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM second_factor_failures WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            enqueue(&mut tx, message, now).await?;
            audit::append(&mut tx, self.audit_key()?, lock_record).await?;
            SecondFactorFailure::AccountLocked
        } else {
            let on_session: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM second_factor_failures WHERE session_hash = $1",
            )
            .bind(token_hash)
            .fetch_one(&mut *tx)
            .await?;
            if on_session >= limits.per_session {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&mut *tx)
                    .await?;
                SecondFactorFailure::SessionEnded
            } else {
                SecondFactorFailure::TryAgain
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Accepts a TOTP time step for the user and marks the session as having passed the second
    /// factor; enrols `new_secret` when given. Returns `false`, changing nothing, when the step is not
    /// newer than the last accepted one (a replayed code).
    pub async fn pass_second_factor(
        &self,
        user_id: &str,
        token_hash: &str,
        step: i64,
        new_secret: Option<&str>,
        now: i64,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let updated = match new_secret {
            Some(secret) => sqlx::query(
                "UPDATE users SET totp_last_step = $1, totp_secret = $2 WHERE id = $3 AND totp_last_step < $1",
            )
            .bind(step)
            .bind(secret)
            .bind(user_id)
            .execute(&mut *tx)
            .await?,
            None => sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
                .bind(step)
                .bind(user_id)
                .execute(&mut *tx)
                .await?,
        };
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
        mark_second_factor(&mut tx, user_id, token_hash, now).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl Store {
    /// Replaces all of a user's recovery codes with new ones.
    pub async fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[String],
        now: i64,
        record: &AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Spends an unused recovery code and marks the session as past the second factor. `false`
    /// when the code is unknown or spent.
    pub async fn use_recovery_code(
        &self,
        user_id: &str,
        code_hash: &str,
        token_hash: &str,
        now: i64,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let spent = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now)
            .bind(user_id)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if spent != 1 {
            return Ok(false);
        }
        mark_second_factor(&mut tx, user_id, token_hash, now).await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Remembers the account's choice of elder mode.
    pub async fn set_elder_mode(&self, user_id: &str, on: bool) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET elder_mode = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Unused recovery codes left.
    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?)
    }
}
