use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use std::sync::LazyLock;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Connection, Executor};

use crate::{Store, StoreError};

/// The migrations of both backends, embedded by `build.rs` from `migrations/`.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

static SQLITE_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| migrator(embedded::SQLITE));
static POSTGRES_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| migrator(embedded::POSTGRES));

/// What `sqlx::migrate!` builds from a directory, from the embedded table: the same versions,
/// descriptions and checksums, and a migration whose text starts with `-- no-transaction` runs
/// outside a transaction as sqlx's rule says.
fn migrator(migrations: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sqlx::SqlStr::from_static(sql),
                    sql.starts_with("-- no-transaction"),
                )
            })
            .collect(),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The migrations this binary carries for the backend.
    fn migrations(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// A database URL whose scheme names a backend we have. Its text is kept private because a
/// PostgreSQL URL may carry a password: `Display` shows it with the password masked.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// The SQLite file `qiaoyi.db` inside `data_dir`.
    pub fn sqlite_in(data_dir: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl {
            url: format!("sqlite://{}", data_dir.join("qiaoyi.db").display()),
            backend: Backend::Sqlite,
        }
    }

    /// The SQLite file at `path`.
    pub fn sqlite_at(path: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl {
            url: format!("sqlite://{}", path.display()),
            backend: Backend::Sqlite,
        }
    }

    /// The file of a SQLite URL (without its query); None for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self.url.split_once("://").map_or("", |(_, r)| r);
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty()).then(|| std::path::PathBuf::from(path))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The full URL, password included. Only for handing to the driver.
    pub fn expose(&self) -> &str {
        &self.url
    }

    /// A PostgreSQL URL as PostgreSQL's own programs take it: the URL without its password (for
    /// their command line, which other users of the machine can read) and the password, decoded,
    /// for their `PGPASSWORD`. None for SQLite.
    pub fn for_libpq(&self) -> Option<(String, Option<String>)> {
        if self.backend != Backend::Postgres {
            return None;
        }
        let mut url = url::Url::parse(&self.url).ok()?;
        let password = url.password().map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        });
        url.set_password(None).ok()?;
        Some((url.to_string(), password))
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;
    fn from_str(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        let backend = match scheme.as_deref() {
            Some("sqlite") => Backend::Sqlite,
            Some("postgres" | "postgresql") => Backend::Postgres,
            _ => {
                let shown = url.split_once("://").map_or(url, |(s, _)| s);
                return Err(StoreError::UnsupportedUrl(shown.to_owned()));
            }
        };
        Ok(DatabaseUrl {
            url: url.to_owned(),
            backend,
        })
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // scheme://user:password@host → scheme://user:***@host
        match self.url.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split(':').next().unwrap_or_default();
                    let masked = if userinfo.contains(':') { ":***" } else { "" };
                    write!(f, "{scheme}://{user}{masked}@{host}")
                }
                None => write!(f, "{scheme}://{rest}"),
            },
            None => f.write_str(&self.url),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl Store {
    /// Opens a pool; SQLite files are created when missing and run in WAL mode with foreign keys on.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let mut driver_url = url.expose().to_owned();
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            if !driver_url.contains("mode=") {
                driver_url.push_str(if driver_url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
            options = options
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                // When a write fails on a full disk, SQLite rolls the transaction back itself; the
                // ROLLBACK sqlx sends afterwards then fails and sqlx still counts the connection as
                // inside a transaction, so every later BEGIN on it would fail. The ping waits for
                // that rollback; a connection still "in a transaction" is closed, not reused.
                .after_release(|conn, _| {
                    Box::pin(async move {
                        conn.ping().await?;
                        Ok(!conn.is_in_transaction())
                    })
                });
        } else {
            options = options.max_connections(16);
        }
        if let Some(path) = url.sqlite_path() {
            keep_private(&path).map_err(|e| StoreError::Connect(format!("{url}: {e}")))?;
        }
        // SQLite's writes go through one connection of their own (`writer.rs`), opened when the
        // first write comes, with the readers' settings.
        let writer = match backend {
            Backend::Sqlite => Some(crate::writer::Writer::new(
                options
                    .clone()
                    .max_connections(1)
                    .min_connections(0)
                    .connect_lazy(&driver_url)
                    .map_err(|e| StoreError::Connect(format!("{url}: {e}")))?,
            )),
            Backend::Postgres => None,
        };
        let pool = options
            .connect(&driver_url)
            .await
            .map_err(|e| StoreError::Connect(format!("{url}: {e}")))?;
        Ok(Store {
            pool,
            writer,
            backend,
            audit_key: None,
        })
    }

    /// A fingerprint of this backend's migrations (their versions and checksums): tests key the
    /// migrated template they copy by it, so a changed migration makes a new template.
    pub(crate) fn migrations_fingerprint(backend: Backend) -> u64 {
        let migrator = backend.migrations();
        // FNV-1a: stable across processes and builds, unlike the standard library's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for migration in migrator.iter() {
            for byte in migration
                .version
                .to_le_bytes()
                .iter()
                .chain(migration.checksum.iter())
            {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }

    /// Applies the migrations up to `version` only: tests of a data migration fill the database
    /// as it was before it, then [`Store::migrate`].
    pub(crate) async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        let migrator = self.backend.migrations();
        migrator
            .run_to(version, &self.pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))
    }

    /// Applies the migrations this binary carries that the database has not seen.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = self.backend.migrations();
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded table must be exactly what sqlx reads from the directories (versions,
    /// descriptions, checksums, transaction use): a difference would make sqlx refuse databases
    /// migrated by earlier builds as "previously applied but modified".
    #[tokio::test]
    async fn the_embedded_migrations_are_what_sqlx_reads_from_their_directories() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../migrations")
                .join(backend.as_str());
            let read = Migrator::new(dir.as_path())
                .await
                .expect("readable migrations");
            let embedded = backend.migrations();
            assert_eq!(read.iter().count(), embedded.iter().count(), "{backend:?}");
            for (read, embedded) in read.iter().zip(embedded.iter()) {
                assert_eq!(read.version, embedded.version);
                assert_eq!(read.description, embedded.description);
                assert_eq!(read.checksum, embedded.checksum, "{}", read.description);
                assert_eq!(read.no_tx, embedded.no_tx);
                assert_eq!(read.migration_type, embedded.migration_type);
            }
        }
    }

    #[test]
    fn scheme_selects_backend() {
        let url: DatabaseUrl = "sqlite:///tmp/x.db".parse().expect("sqlite");
        assert_eq!(url.backend(), Backend::Sqlite);
        let url: DatabaseUrl = "postgres://u:secret@localhost:5432/q".parse().expect("pg");
        assert_eq!(url.backend(), Backend::Postgres);
        assert_eq!(url.to_string(), "postgres://u:***@localhost:5432/q");
        assert!(!format!("{url:?}").contains("secret"));
    }

    #[test]
    fn postgres_programs_get_the_password_apart_and_decoded() {
        let url: DatabaseUrl = "postgres://u:s%40cret@db.example:5433/q?sslmode=require"
            .parse()
            .expect("pg");
        let (target, password) = url.for_libpq().expect("postgres");
        assert_eq!(target, "postgres://u@db.example:5433/q?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret"));
        let url: DatabaseUrl = "postgres://u@localhost/q".parse().expect("pg");
        assert_eq!(url.for_libpq().expect("postgres").1, None);
        assert!(
            DatabaseUrl::sqlite_at(std::path::Path::new("/x.db"))
                .for_libpq()
                .is_none()
        );
    }

    #[test]
    fn other_schemes_are_refused_with_the_scheme_named() {
        let err = "mysql://x".parse::<DatabaseUrl>().expect_err("refused");
        assert!(err.to_string().contains("\"mysql\""), "{err}");
        assert!(err.to_string().contains("sqlite://"), "{err}");
        assert!("just-a-path".parse::<DatabaseUrl>().is_err());
    }
}

/// Makes the SQLite file at `path` readable by its owner only, creating it empty (which SQLite takes
/// as a new database) when missing. SQLite gives its `-wal` and `-shm` files the database file's
/// mode, so they follow.
pub(crate) fn keep_private(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = std::path::PathBuf::from(file);
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod private_files {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[tokio::test]
    async fn the_database_and_its_wal_are_for_their_owner_only() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("qiaoyi.db");
        let url = DatabaseUrl::sqlite_at(&path);
        let store = Store::connect(&url).await.expect("connected");
        store.migrate().await.expect("migrated");
        for suffix in ["", "-wal"] {
            let file = dir.path().join(format!("qiaoyi.db{suffix}"));
            let mode = std::fs::metadata(&file)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
        let copy = dir.path().join("copy.db");
        store.backup_into(&copy).await.expect("copied");
        let mode = std::fs::metadata(&copy)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the backup");
    }
}
