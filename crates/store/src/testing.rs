//! Stores for tests (of this crate and the ones above it): a fresh SQLite file, or — when `QY_TEST_DATABASE_URL` names a PostgreSQL server —
//! a fresh database on that server, so the same tests run on both backends.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor};

use crate::{Backend, DatabaseUrl, Store};

/// A migrated, empty store and what keeps it alive (the temp dir of a SQLite file).
pub struct TestStore {
    pub store: Store,
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// The backend tests run on in this process.
pub fn test_backend() -> Backend {
    match std::env::var("QY_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A migrated store of its own for one test: a copy of a migrated template (made once per set of
/// migrations and backend), because running every migration for each test took longer than
/// most tests themselves.
pub async fn test_store() -> TestStore {
    sqlx::any::install_default_drivers();
    let (url, dir) = match std::env::var("QY_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            let template = postgres_template(&server).await;
            (
                create_postgres_database(&server, Some(&template)).await,
                None,
            )
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir for a test database");
            let url = DatabaseUrl::sqlite_in(dir.path());
            let db = dir.path().join("qiaoyi.db");
            std::fs::copy(sqlite_template().await, &db).expect("copy the template database");
            (url, Some(dir))
        }
    };
    // The tests' audit key; an app over this store replaces it with its own field key's.
    let store = Store::connect(&url)
        .await
        .expect("connect to the test database")
        .with_audit_key(qiaoyi_domain::access::audit::ChainKey::new([0x5a; 32]));
    // A no-op on the copy of a current template; it keeps a stale copy from passing unnoticed.
    store.migrate().await.expect("migrate the test database");
    TestStore {
        store,
        url,
        _dir: dir,
    }
}

/// A store of its own migrated up to `version` only, for a test of the migration after it: the
/// test writes rows as they were, then calls [`Store::migrate`].
pub async fn store_migrated_to(version: i64) -> TestStore {
    sqlx::any::install_default_drivers();
    let (url, dir) = match std::env::var("QY_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            (create_postgres_database(&server, None).await, None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir for a test database");
            (DatabaseUrl::sqlite_in(dir.path()), Some(dir))
        }
    };
    let store = Store::connect(&url)
        .await
        .expect("connect to the test database")
        .with_audit_key(qiaoyi_domain::access::audit::ChainKey::new([0x5a; 32]));
    store
        .migrate_to(version)
        .await
        .expect("migrate the test database part way");
    TestStore {
        store,
        url,
        _dir: dir,
    }
}

/// The migrated SQLite template: one file in the temp directory per set of migrations, shared by
/// every test process (it is written under a name of its own, then renamed into place).
async fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let path = std::env::temp_dir().join(format!(
                "qiaoyi-test-template-{:016x}.db",
                Store::migrations_fingerprint(Backend::Sqlite)
            ));
            if path.exists() {
                return path;
            }
            let dir = tempfile::tempdir_in(std::env::temp_dir()).expect("temp dir for a template");
            let store = Store::connect(&DatabaseUrl::sqlite_in(dir.path()))
                .await
                .expect("create the template database");
            store
                .migrate()
                .await
                .expect("migrate the template database");
            let copy = dir.path().join("template.db");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "VACUUM INTO '{}'",
                copy.display().to_string().replace('\'', "''")
            )))
            .execute(&store.pool)
            .await
            .expect("write the template database");
            store.pool.close().await;
            std::fs::rename(&copy, &path).expect("move the template database into place");
            path
        })
        .await
}

/// The name of the migrated PostgreSQL template on `server`, made the first time it is missing.
async fn postgres_template(server: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!(
                "qiaoyi_test_template_{:016x}",
                Store::migrations_fingerprint(Backend::Postgres)
            );
            let mut admin = sqlx::AnyConnection::connect(server)
                .await
                .expect("connect to the PostgreSQL test server");
            let exists = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            )))
            .fetch_optional(&mut admin)
            .await
            .expect("look for the template database")
            .is_some();
            if !exists {
                // Migrated under a name of its own and renamed, so another process never copies
                // a half-migrated template.
                let draft = fresh_postgres_database(server).await;
                let store = Store::connect(&draft).await.expect("connect to the draft");
                store
                    .migrate()
                    .await
                    .expect("migrate the template database");
                store.pool.close().await;
                let draft_name = draft
                    .expose()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let renamed = admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "ALTER DATABASE {draft_name} RENAME TO {name}"
                    )))
                    .await;
                // Another test process may have put its template in place first: both are equal.
                if renamed.is_err() {
                    admin
                        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {draft_name}")))
                        .await
                        .expect("drop the spare template");
                }
            }
            name
        })
        .await
        .clone()
}

/// Creates an empty database on the server and returns its URL. `server` points at a maintenance
/// database (e.g. `postgres://…/postgres`); the new one gets a name unique to this process and test.
pub async fn fresh_postgres_database(server: &str) -> DatabaseUrl {
    create_postgres_database(server, None).await
}

/// A new database on the server, empty or a copy of `template`.
async fn create_postgres_database(server: &str, template: Option<&str>) -> DatabaseUrl {
    sqlx::any::install_default_drivers();
    let name = unique_database_name();
    let copy = template.map_or_else(String::new, |t| format!(" TEMPLATE {t}"));
    let mut admin = sqlx::AnyConnection::connect(server)
        .await
        .expect("connect to the PostgreSQL test server");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}{copy}")))
        .await
        .expect("create a test database");
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{name}").parse().expect("test database URL")
}

/// A database name unique to this process and test.
fn unique_database_name() -> String {
    format!(
        "qiaoyi_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        // A random part, so that a database left by a crashed run of the same process id is not
        // reused: the standard library seeds each hasher state from the operating system.
        {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
                % 1_000_000_000
        }
    )
}
