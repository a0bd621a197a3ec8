//! Backups and their restore, on both databases. A backup is a consistent copy of the database
//! taken while the server runs (SQLite's `VACUUM INTO`; on PostgreSQL `pg_dump`'s custom format,
//! in `postgres`); it does not hold the field key, so a stolen backup does not reveal identity
//! numbers. Restoring checks the copy whole, brings its schema up to date, proves that the key of
//! the new installation opens its sealed fields and that the audit chain verifies, and only then
//! leaves it as the database.

mod postgres;

use qiaoyi_domain::failure::Reason;
use std::path::{Path, PathBuf};

use qiaoyi_store::{Backend, DatabaseUrl, Store};

use crate::config::Config;
use crate::vault::{KEY_FILE, Vault};
use crate::{App, AppError};

/// What a restore put in place.
#[derive(Clone, Debug)]
pub struct Restored {
    /// The database restored into: a SQLite file, or a PostgreSQL URL with its password masked.
    pub database: String,
    pub counts: Vec<(String, i64)>,
}

const CHECK_CONTEXT: &str = "vault check";
const CHECK_TEXT: &str = "qiaoyi field key";

pub(crate) fn invalid(field: &'static str, message: String) -> AppError {
    AppError::Invalid {
        field,
        reason: Reason::Malformed,
        message,
    }
}

/// Whether `vault` opens the database's check value; a database that has none gets one.
pub(crate) async fn check_key(store: &Store, vault: &Vault) -> Result<(), AppError> {
    if store.vault_check().await?.is_none() {
        store
            .set_vault_check(&vault.seal(CHECK_CONTEXT, CHECK_TEXT))
            .await?;
    }
    // Read back: with two servers starting at once, the one whose value was kept decides.
    let sealed = store.vault_check().await?.unwrap_or_default();
    if vault.open(CHECK_CONTEXT, &sealed).ok().as_deref() == Some(CHECK_TEXT) {
        Ok(())
    } else {
        Err(invalid(
            "secret_key",
            "the secret key does not open this database's sealed fields: use the key it was \
             created with (secret.key from its data dir, or QIAOYI_SECRET_KEY)"
                .into(),
        ))
    }
}

impl App {
    /// Writes a consistent copy of the database to `out`, which must not exist yet.
    pub async fn backup(&self, out: &Path) -> Result<(), AppError> {
        if out.exists() {
            return Err(invalid(
                "out",
                format!("{} exists already; give a new file name", out.display()),
            ));
        }
        match self.backend() {
            Backend::Sqlite => Ok(self.store.backup_into(out).await?),
            Backend::Postgres => postgres::dump(self.config(), out).await,
        }
    }

    /// The most a backup of this database writes, in bytes (for a progress bar); None on
    /// PostgreSQL, whose compressed dump has no size known beforehand.
    pub async fn backup_size(&self) -> Result<Option<u64>, AppError> {
        Ok(self.store.sqlite_size().await?)
    }
}

/// Makes the backup `file` the configured database. Refuses when that database holds data already
/// (on SQLite, unless `replace`), when no key is configured or present in the data dir (it is never
/// made up here: a new key could not open the backup), when the copy is damaged, or when the key
/// does not open it or its audit chain does not verify. Nothing is left in place until every check
/// has passed.
pub async fn restore(config: &Config, file: &Path, replace: bool) -> Result<Restored, AppError> {
    let url = config.database_url()?;
    if !file.is_file() {
        return Err(invalid(
            "file",
            format!("{} is not a backup file", file.display()),
        ));
    }
    match url.sqlite_path() {
        Some(target) => restore_sqlite(config, &target, file, replace).await,
        None => postgres::restore(config, &url, file, replace).await,
    }
}

/// The key the restored database must open: configured, or `secret.key` already in the data dir.
fn key_for_restore(config: &Config) -> Result<Vault, AppError> {
    match &config.secret_key {
        Some(key) => Ok(Vault::from_hex(&key.0)?),
        None => {
            let key_file = config.data_dir.join(KEY_FILE);
            if !key_file.is_file() {
                return Err(invalid(
                    "secret_key",
                    format!(
                        "no key in {}: copy secret.key from the installation that was backed up there, or set QIAOYI_SECRET_KEY",
                        config.data_dir.display()
                    ),
                ));
            }
            Ok(Vault::open_or_create(&config.data_dir)?)
        }
    }
}

async fn restore_sqlite(
    config: &Config,
    target: &Path,
    file: &Path,
    replace: bool,
) -> Result<Restored, AppError> {
    if target.exists() && !replace {
        return Err(invalid(
            "database",
            format!(
                "{} holds a database already; restore into a new data dir, or give --replace",
                target.display()
            ),
        ));
    }
    let vault = key_for_restore(config)?;
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| AppError::DataDir(format!("{}: {e}", config.data_dir.display())))?;
    let staging = target.with_extension("restoring");
    remove_database(&staging)?;
    std::fs::copy(file, &staging)
        .map_err(|e| AppError::DataDir(format!("{}: {e}", staging.display())))?;
    let checked = check_copy(&staging, &vault).await;
    let counts = match checked {
        Ok(counts) => counts,
        Err(e) => {
            remove_database(&staging)?;
            return Err(e);
        }
    };
    remove_database(target)?;
    std::fs::rename(&staging, target)
        .map_err(|e| AppError::DataDir(format!("{}: {e}", target.display())))?;
    Ok(Restored {
        database: target.display().to_string(),
        counts,
    })
}

/// Opens the staged copy, checks it is whole, migrates it and checks the key opens it.
async fn check_copy(staging: &Path, vault: &Vault) -> Result<Vec<(String, i64)>, AppError> {
    let unreadable =
        |e: qiaoyi_store::StoreError| invalid("file", format!("the backup cannot be read: {e}"));
    let store = Store::connect(&DatabaseUrl::sqlite_at(staging))
        .await
        .map_err(unreadable)?;
    let integrity = match store.integrity_check().await {
        Ok(text) => text,
        Err(e) => {
            store.close().await;
            return Err(unreadable(e));
        }
    };
    if integrity != "ok" {
        store.close().await;
        return Err(invalid(
            "file",
            format!("the backup is damaged: {integrity}"),
        ));
    }
    let outcome = check_restored(&store, vault).await;
    store.close().await;
    outcome
}

/// What every restored database must pass once its rows are in: its schema brought up to date,
/// its sealed fields opened by `vault`, its audit chain whole up to its head. Its rows by table.
async fn check_restored(store: &Store, vault: &Vault) -> Result<Vec<(String, i64)>, AppError> {
    store.migrate().await?;
    check_key(store, vault).await?;
    if let Err(broken) = crate::audit_chain::verify_chain(store, vault, None, &|_| {}).await? {
        return Err(invalid(
            "file",
            format!(
                "the audit chain in the backup does not verify at entry {} ({}): keep the file as \
                 evidence and restore an earlier backup",
                broken.seq, broken.reason
            ),
        ));
    }
    Ok(store.table_counts().await?)
}

/// Removes a SQLite database with its journal files, if any.
fn remove_database(path: &Path) -> Result<(), AppError> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(AppError::DataDir(format!("{}: {e}", file.display()))),
        }
    }
    Ok(())
}
