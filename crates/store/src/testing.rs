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

pub async fn test_store() -> TestStore {
    sqlx::any::install_default_drivers();
    let (url, dir) = match std::env::var("QY_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            (fresh_postgres_database(&server).await, None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir for a test database");
            (DatabaseUrl::sqlite_in(dir.path()), Some(dir))
        }
    };
    let store = Store::connect(&url)
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrate the test database");
    TestStore {
        store,
        url,
        _dir: dir,
    }
}

/// Creates an empty database on the server and returns its URL. `server` points at a maintenance
/// database (e.g. `postgres://…/postgres`); the new one gets a name unique to this process and test.
pub async fn fresh_postgres_database(server: &str) -> DatabaseUrl {
    sqlx::any::install_default_drivers();
    let name = format!(
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
    );
    let mut admin = sqlx::AnyConnection::connect(server)
        .await
        .expect("connect to the PostgreSQL test server");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create a test database");
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{name}").parse().expect("test database URL")
}
