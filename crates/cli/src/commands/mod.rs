//! One module per command group; each reads what it needs from the configuration and the
//! command's arguments, and answers with a [`Failure`]: bad input (exit 2) or any other (exit 1).

pub(crate) mod audit;
pub(crate) mod backup;
pub(crate) mod benches;
pub(crate) mod export;
pub(crate) mod identity;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod ledger;
pub(crate) mod reindex;
pub(crate) mod remind;
pub(crate) mod serve;
pub(crate) mod user;

use qiaoyi_app::config::Config;
use qiaoyi_app::{App, AppError};

use crate::Failure;

/// The installation's app: its database opened and migrated; a bad configuration is bad input.
pub(crate) async fn open(config: Config) -> Result<App, Failure> {
    open_keying_audit_over(config, None).await
}

/// [`open`], re-keying an older audit chain over the break at `over_break` when it has one.
pub(crate) async fn open_keying_audit_over(
    config: Config,
    over_break: Option<i64>,
) -> Result<App, Failure> {
    App::open_keying_audit_over(config, over_break)
        .await
        .map_err(|e| match e {
            AppError::Config(_) => Failure::BadInput(e.into()),
            other => Failure::Other(other.into()),
        })
}
