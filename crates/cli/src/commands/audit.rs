//! `audit verify`, `audit checkpoint` and `audit rekey`: the audit log's keyed hash chain walked
//! from the start to its stored head, its head printed for keeping elsewhere, and an older broken
//! chain keyed as it stands.

use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::AppError;
use qiaoyi_app::config::Config;
use qiaoyi_domain::access::audit::{Broken, Checkpoint};

use super::{open, open_keying_audit_over};
use crate::Failure;

pub(crate) async fn verify_audit(config: Config, checkpoint: Option<&str>) -> Result<(), Failure> {
    let checkpoint = checkpoint
        .map(Checkpoint::parse)
        .transpose()
        .map_err(|m| Failure::BadInput(anyhow::anyhow!("--checkpoint: {m}")))?;
    let app = open(config).await?;
    let with_checkpoint = checkpoint.is_some();
    let bar = spinner();
    let outcome = app
        .verify_audit(checkpoint, &|checked| bar.set_position(checked))
        .await;
    bar.finish_and_clear();
    let count = unbroken(outcome)?;
    if with_checkpoint {
        println!("audit chain intact: {count} entries, the checkpoint's among them");
    } else {
        println!("audit chain intact: {count} entries");
    }
    Ok(())
}

pub(crate) async fn print_checkpoint(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let bar = spinner();
    let outcome = app
        .audit_checkpoint(&|checked| bar.set_position(checked))
        .await;
    bar.finish_and_clear();
    let checkpoint = unbroken(outcome)?;
    println!("{checkpoint}");
    eprintln!(
        "keep this line where the database's administrators cannot change it; \
         `qiaoyi audit verify --checkpoint {checkpoint}` checks the log still holds it"
    );
    Ok(())
}

pub(crate) async fn rekey_over_break(config: Config, over_break: i64) -> Result<(), Failure> {
    let app = open_keying_audit_over(config, Some(over_break)).await?;
    app.close().await;
    println!("audit chain keyed; entries from now on verify under this installation's key");
    Ok(())
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("verifying {pos} entries")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// A walk's answer, a break being the command's failure.
fn unbroken<T>(outcome: Result<Result<T, Broken>, AppError>) -> Result<T, Failure> {
    match outcome.map_err(|e| Failure::Other(e.into()))? {
        Ok(value) => Ok(value),
        Err(broken) => Err(Failure::Other(anyhow::anyhow!(
            "audit chain broken at entry {}: {}",
            broken.seq,
            broken.reason
        ))),
    }
}
