//! `keys rotate`: a new key signs certificates from now on.

use qiaoyi_app::config::Config;

use super::open;
use crate::Failure;

pub(crate) async fn rotate_keys(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let client = qiaoyi_app::accounts::Client {
        address: "cli".into(),
    };
    let now = app.now_ms();
    let key_id = app
        .rotate_signing_key(&client, now)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    println!("certificates are now signed with key {key_id}; earlier keys still verify");
    Ok(())
}
