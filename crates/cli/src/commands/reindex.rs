//! `reindex`: this node's search index rebuilt from the database.

use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::config::Config;

use super::open;
use crate::Failure;

pub(crate) async fn reindex(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("indexing {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let indexed = app
        .reindex(&|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    let indexed = indexed.map_err(|e| Failure::Other(e.into()))?;
    println!("search index rebuilt: {indexed} items and guides");
    Ok(())
}
