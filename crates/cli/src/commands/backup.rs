//! `backup` and `restore` of the installation's database (SQLite, or PostgreSQL through its own
//! pg_dump and pg_restore).

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::AppError;
use qiaoyi_app::config::Config;

use super::open;
use crate::Failure;

pub(crate) async fn backup(config: Config, out: &Path) -> Result<(), Failure> {
    let app = open(config).await?;
    let total = app
        .backup_size()
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    // SQLite's copy has a known most; PostgreSQL's compressed dump only a growing size.
    let bar = match total {
        Some(total) => ProgressBar::new(total.max(1)).with_style(
            ProgressStyle::with_template("backing up {bar:30} {bytes}/{total_bytes}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("backing up {spinner} {bytes}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    // The copy is written as it is read: its growing size is the progress.
    let watched = out.to_owned();
    let watcher_bar = bar.clone();
    let watcher = tokio::spawn(async move {
        loop {
            if let Ok(meta) = std::fs::metadata(&watched) {
                watcher_bar.set_position(meta.len());
                watcher_bar.tick();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    let outcome = app.backup(out).await;
    watcher.abort();
    bar.finish_and_clear();
    outcome.map_err(|e| match e {
        AppError::Invalid { .. } | AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => {
            Failure::BadInput(e.into())
        }
        other => Failure::Other(other.into()),
    })?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup written to {} ({size} bytes); keep the data dir's secret.key apart from it",
        out.display()
    );
    Ok(())
}

pub(crate) async fn restore(config: Config, file: &Path, replace: bool) -> Result<(), Failure> {
    let restored = qiaoyi_app::backup::restore(&config, file, replace)
        .await
        .map_err(|e| match e {
            AppError::Invalid { .. } => Failure::BadInput(e.into()),
            other => Failure::Other(other.into()),
        })?;
    let rows: i64 = restored.counts.iter().map(|(_, n)| n).sum();
    println!(
        "restored {} into {}: {rows} rows in {} tables, whole, opened by this data dir's key, its audit chain verified",
        file.display(),
        restored.database,
        restored.counts.len()
    );
    Ok(())
}
