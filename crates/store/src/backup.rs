//! Consistent copies of a SQLite database while it is in use, and the checks a copy must pass
//! before it becomes a database again. PostgreSQL is dumped and loaded by its own programs (the
//! app's `backup::postgres`); the store only says whether the database is empty and empties it.

use std::path::Path;

use crate::{Backend, Store, StoreError};

impl Store {
    /// Writes a consistent, compacted copy of the database to `out` (`VACUUM INTO`: one read
    /// transaction, so writers carry on and the copy holds exactly what was committed before it).
    pub async fn backup_into(&self, out: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::conflict(
                "backup_into copies SQLite databases; PostgreSQL is dumped with pg_dump".into(),
            ));
        }
        let target = out.to_str().ok_or_else(|| {
            StoreError::conflict(format!("{}: the path is not valid UTF-8", out.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        // A copy holds what the database holds: no one else reads it either.
        crate::connect::keep_private(out).map_err(|e| {
            StoreError::conflict(format!(
                "{}: cannot make the copy private: {e}",
                out.display()
            ))
        })?;
        Ok(())
    }

    /// The database's size in bytes as SQLite counts it (pages × page size): what a copy writes
    /// at most. None on PostgreSQL.
    pub async fn sqlite_size(&self) -> Result<Option<u64>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&self.pool)
            .await?;
        let size: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(u64::try_from(pages.saturating_mul(size)).unwrap_or(0)))
    }

    /// `PRAGMA integrity_check` on SQLite: `ok`, or what is damaged. PostgreSQL answers `ok`.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok("ok".into());
        }
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(lines.join("; "))
    }

    /// Rows in each table of ours, by name, to compare a copy with its original.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut counts = Vec::new();
        for table in TABLES {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(&self.pool)
                    .await?;
            counts.push(((*table).to_owned(), n));
        }
        Ok(counts)
    }

    /// The tables of the database's current schema on PostgreSQL (empty before a restore may
    /// load into it); on SQLite its tables.
    pub async fn table_names(&self) -> Result<Vec<String>, StoreError> {
        let sql = match self.backend {
            Backend::Postgres => {
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
            }
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(&self.pool).await?)
    }

    /// Drops every table of the current schema on PostgreSQL: a restore whose copy failed its
    /// checks leaves the database as empty as it found it. Refused on SQLite, whose restore
    /// stages a file instead.
    pub async fn drop_tables(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::conflict(
                "drop_tables empties a PostgreSQL database being restored".into(),
            ));
        }
        let tables = self.table_names().await?;
        if tables.is_empty() {
            return Ok(());
        }
        let quoted: Vec<String> = tables
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP TABLE {} CASCADE",
            quoted.join(", ")
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The value sealed when the database was first opened, if it has been.
    pub async fn vault_check(&self) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT sealed FROM vault_check WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_vault_check(&self, sealed: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO vault_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Every table a backup must carry whole (a fixed list, so names never come from input).
const TABLES: &[&str] = &[
    "catalog_imports",
    "categories",
    "items",
    "guides",
    "stations",
    "users",
    "user_grants",
    "sessions",
    "api_tokens",
    "password_failures",
    "second_factor_failures",
    "audit",
    "audit_head",
    "outbox",
    "person_identity",
    "email_confirmations",
    "recovery_codes",
    "password_resets",
    "calendar_years",
    "case_sequences",
    "cases",
    "case_status_codes",
    "case_events",
    "case_files",
    "case_file_blobs",
    "persons",
    "person_documents",
    "notification_settings",
    "vault_check",
    "ledger_entries",
    "ledger_postings",
    "signing_keys",
    "certificates",
    "case_handovers",
    "ledger_provider_refs",
    "mandates",
    "mandate_documents",
    "consultant_shifts",
    "consultations",
    "consultation_messages",
    "canned_answers",
    "cost_models",
    "case_outcomes",
    "case_stats",
    "green_channel_requests",
    "green_channel_evidence",
    "video_slots",
    "video_participants",
    "care_children",
    "care_child_parents",
    "care_volunteers",
    "care_pairings",
    "care_visits",
    "care_wishes",
    "care_activities",
    "care_attendance",
    "care_messages",
    "role_requests",
    "wechat_seen",
    "wechat_links",
    "wechat_link_codes",
    "wechat_tokens",
    "hall_counters",
    "hall_rules",
    "hall_tickets",
    "evaluations",
    "evaluation_follow_ups",
];
