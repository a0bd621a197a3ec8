//! `audit verify`: the audit log's hash chain walked from the start.

use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::config::Config;

use super::open;
use crate::Failure;

pub(crate) async fn verify_audit(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("verifying {pos} entries")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let outcome = app.verify_audit(&|checked| bar.set_position(checked)).await;
    bar.finish_and_clear();
    match outcome.map_err(|e| Failure::Other(e.into()))? {
        Ok(count) => {
            println!("audit chain intact: {count} entries");
            Ok(())
        }
        Err(broken) => Err(Failure::Other(anyhow::anyhow!(
            "audit chain broken at entry {}: {}",
            broken.seq,
            broken.reason
        ))),
    }
}
