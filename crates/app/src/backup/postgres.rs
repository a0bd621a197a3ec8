//! Backups on PostgreSQL, with PostgreSQL's own programs: `pg_dump` writes its custom format (one
//! snapshot, so the copy is consistent while people write) and `pg_restore` loads it into an empty
//! database, which must then pass the checks every restored database passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use qiaoyi_domain::failure::Reason;
use qiaoyi_store::{DatabaseUrl, Store};

use super::{Restored, check_restored, invalid, key_for_restore};
use crate::AppError;
use crate::config::Config;

/// How a custom-format dump starts (`pg_dump --format=custom`).
const DUMP_MAGIC: &[u8] = b"PGDMP";

/// Writes `pg_dump`'s custom format of the configured database to `out`, readable by its owner
/// only; nothing is left behind when it fails.
pub(super) async fn dump(config: &Config, out: &Path) -> Result<(), AppError> {
    let url = config.database_url()?;
    create_private(out)?;
    let mut command = program(config, "pg_dump", &url)?;
    command.arg("--format=custom").arg("--file").arg(out);
    if let Err(e) = run(command, "pg_dump").await {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(())
}

/// Loads the dump `file` into the configured database, which must hold no tables, then checks it;
/// when a check fails the tables it made are dropped again, leaving the database empty as it was.
pub(super) async fn restore(
    config: &Config,
    url: &DatabaseUrl,
    file: &Path,
    replace: bool,
) -> Result<Restored, AppError> {
    if replace {
        return Err(invalid(
            "replace",
            "--replace is for SQLite; on PostgreSQL restore into an empty database (createdb a new \
             one and point database_url at it)"
                .into(),
        ));
    }
    if !is_dump(file)? {
        return Err(invalid(
            "file",
            format!(
                "{} is not a PostgreSQL backup (pg_dump's custom format, as `qiaoyi backup` writes on PostgreSQL)",
                file.display()
            ),
        ));
    }
    let vault = key_for_restore(config)?;
    let store = Store::connect(url).await?;
    let tables = store.table_names().await?;
    if !tables.is_empty() {
        store.close().await;
        return Err(invalid(
            "database",
            format!(
                "{url} holds {} tables already; restore into an empty database (createdb a new one \
                 and point database_url at it)",
                tables.len()
            ),
        ));
    }
    let mut command = program(config, "pg_restore", url)?;
    // The restoring account owns what it loads; one transaction, so a failed load leaves nothing.
    command
        .args([
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ])
        .arg(file);
    if let Err(e) = run(command, "pg_restore").await {
        store.close().await;
        return Err(e);
    }
    let checked = check_restored(&store, &vault).await;
    if checked.is_err() {
        store.drop_tables().await?;
    }
    store.close().await;
    Ok(Restored {
        database: url.to_string(),
        counts: checked?,
    })
}

/// One of PostgreSQL's programs, from `pg_bin_dir` or the path, aimed at `url`'s database; its
/// password goes in the environment, never on the command line others can read.
fn program(config: &Config, name: &str, url: &DatabaseUrl) -> Result<Command, AppError> {
    let (target, password) = url
        .for_libpq()
        .ok_or_else(|| AppError::Internal(format!("{name} was asked for a SQLite database")))?;
    let path = match &config.pg_bin_dir {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    };
    let mut command = Command::new(path);
    command
        .arg("--dbname")
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env_remove("PGPASSWORD");
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    Ok(command)
}

/// Runs `command` off the async workers; a missing program names the setting that finds it, a
/// failed one carries what it printed.
async fn run(mut command: Command, name: &'static str) -> Result<(), AppError> {
    let output: std::io::Result<Output> = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| AppError::Internal(format!("{name} did not finish: {e}")))?;
    match output {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(AppError::Internal(format!(
            "{name} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::Invalid {
            field: "pg_bin_dir",
            reason: Reason::Malformed,
            message: format!(
                "{name} was not found: install PostgreSQL's client programs (Debian's \
                 postgresql-client, the server's version or newer) or set pg_bin_dir to the \
                 directory holding them"
            ),
        }),
        Err(e) => Err(AppError::Internal(format!("{name} cannot be started: {e}"))),
    }
}

/// Whether `file` starts as pg_dump's custom format does.
fn is_dump(file: &Path) -> Result<bool, AppError> {
    use std::io::Read;
    let mut head = [0u8; 5];
    let read = std::fs::File::open(file).and_then(|mut f| f.read(&mut head));
    match read {
        Ok(n) => Ok(n == head.len() && head == DUMP_MAGIC),
        Err(e) => Err(invalid(
            "file",
            format!("{} cannot be read: {e}", file.display()),
        )),
    }
}

/// Creates `path` empty and readable by its owner only: the dump holds what the database holds.
fn create_private(path: &Path) -> Result<(), AppError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| invalid("out", format!("{} cannot be written: {e}", path.display())))
}
