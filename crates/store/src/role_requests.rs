//! Roles waiting for a second administrator: asked in the transaction that changes the account's
//! other roles (or creates it), replacing any request still open for it, and decided once, by one
//! conditional UPDATE, with the roles added in the same transaction when approved.

use qiaoyi_domain::access::Grant;
use qiaoyi_domain::access::audit::AuditRecord;

use crate::decode::Table;
use crate::{Store, StoreError, audit};

/// Roles asked for an account.
#[derive(Clone, Debug)]
pub struct NewRoleRequest {
    pub id: String,
    pub account_id: String,
    /// `role:scope` (or `role`) joined by commas.
    pub grants: String,
    pub proposed_by: String,
    pub proposed_at: i64,
}

crate::decode::stored_row! {
    /// A request as listed and decided, with the names people recognise.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct RoleRequestRow {
        pub id: String,
        pub account_id: String,
        pub account_email: String,
        pub account_name: String,
        pub grants: Vec<Grant> as Text,
        pub proposed_by: String,
        pub proposed_by_name: String,
        pub proposed_at: i64,
        pub decided_at: Option<i64>,
        pub outcome: Option<String>,
    }
}

impl crate::decode::Table for RoleRequestRow {
    const TABLE: &'static str = "role_requests";
}

const SELECT: &str = "SELECT r.id, r.account_id, a.email AS account_email, \
     a.display_name AS account_name, r.grants, r.proposed_by, p.display_name AS proposed_by_name, \
     r.proposed_at, r.decided_at, r.outcome \
     FROM role_requests r JOIN users a ON a.id = r.account_id JOIN users p ON p.id = r.proposed_by";

/// Files `request` inside the caller's transaction, replacing a request still open for the
/// account, with its audit entry.
pub(crate) async fn file(
    store: &Store,
    tx: &mut crate::WriteTx,
    request: &NewRoleRequest,
    record: &AuditRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE role_requests SET decided_at = $1, outcome = 'replaced' \
         WHERE account_id = $2 AND decided_at IS NULL",
    )
    .bind(request.proposed_at)
    .bind(&request.account_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO role_requests (id, account_id, grants, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&request.id)
    .bind(&request.account_id)
    .bind(&request.grants)
    .bind(&request.proposed_by)
    .bind(request.proposed_at)
    .execute(&mut **tx)
    .await?;
    audit::append(tx, store.audit_key()?, record).await?;
    Ok(())
}

impl Store {
    /// The requests still waiting, oldest first.
    pub async fn open_role_requests(&self) -> Result<Vec<RoleRequestRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE r.decided_at IS NULL ORDER BY r.proposed_at, r.id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(RoleRequestRow::read).collect()
    }

    /// The request waiting for an account, if one is.
    pub async fn open_role_request_for(
        &self,
        account_id: &str,
    ) -> Result<Option<RoleRequestRow>, StoreError> {
        let found = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE r.account_id = $1 AND r.decided_at IS NULL"
        )))
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        found.as_ref().map(RoleRequestRow::read).transpose()
    }

    pub async fn role_request(&self, id: &str) -> Result<Option<RoleRequestRow>, StoreError> {
        let found = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        found.as_ref().map(RoleRequestRow::read).transpose()
    }

    /// Decides an open request: approved with `add` (the roles to add, as `(role, scope)`), or
    /// rejected with `None`. `false` when it was no longer open (decided or replaced meanwhile);
    /// then nothing was written.
    pub async fn decide_role_request(
        &self,
        request: &RoleRequestRow,
        decided_by: &str,
        now: i64,
        add: Option<&[(String, String)]>,
        record: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let decided = sqlx::query(
            "UPDATE role_requests SET decided_by = $1, decided_at = $2, outcome = $3 \
             WHERE id = $4 AND decided_at IS NULL",
        )
        .bind(decided_by)
        .bind(now)
        .bind(if add.is_some() {
            "approved"
        } else {
            "rejected"
        })
        .bind(&request.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if decided == 0 {
            return Ok(false);
        }
        crate::accounts::insert_grants(&mut tx, &request.account_id, add.unwrap_or_default())
            .await?;
        audit::append(&mut tx, self.audit_key()?, record).await?;
        tx.commit().await?;
        Ok(true)
    }
}
