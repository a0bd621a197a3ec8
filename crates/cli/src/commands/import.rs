//! `import catalog` and `import calendar`: every file checked before the database is opened, then
//! imported all or nothing.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::config::Config;
use qiaoyi_app::{AppError, Caller, ImportOutcome, catalog_source};

use super::open;
use crate::Failure;

pub(crate) async fn import_calendar(config: Config, file: &Path) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::BadInput(anyhow::anyhow!("cannot read {}: {e}", file.display())))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Validate before touching the database.
    qiaoyi_app::domain::calendar::YearCalendar::parse(&name, &text).map_err(|e| {
        Failure::BadInput(anyhow::anyhow!(
            "the calendar is refused, nothing was imported: {e}"
        ))
    })?;
    let app = open(config).await?;
    let caller = Caller::anonymous(
        qiaoyi_app::accounts::Client {
            address: "cli".into(),
        },
        app.now_ms(),
    );
    let imported = app
        .import_calendar(&caller, &name, &text)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    let year = imported.year;
    if imported.changed {
        println!(
            "imported the working-day calendar of {year}: {} open cases recounted, {} deadlines moved and their applicants told",
            imported.recounted, imported.moved
        );
    } else {
        println!("the working-day calendar of {year} is already in force; nothing changed");
    }
    Ok(())
}

pub(crate) async fn import_catalog(config: Config, dir: &Path) -> Result<(), Failure> {
    let files = catalog_source::read_dir(dir)
        .map_err(|e| Failure::BadInput(anyhow::anyhow!("cannot read the catalogue: {e}")))?;
    // Validate before touching the database, so a bad directory never needs a database to be refused.
    qiaoyi_app::domain::catalog::parse(&files).map_err(|e| {
        Failure::BadInput(anyhow::anyhow!(
            "the catalogue is refused, nothing was imported: {e}"
        ))
    })?;
    for file in files.iter().filter(|f| f.path.starts_with("calendar/")) {
        qiaoyi_app::domain::calendar::YearCalendar::parse(&file.path, &file.text).map_err(|e| {
            Failure::BadInput(anyhow::anyhow!(
                "the calendar is refused, nothing was imported: {e}"
            ))
        })?;
    }
    let app = open(config).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("importing {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let outcome = app.import_catalog(&files, app.now_ms(), &progress).await;
    bar.finish_and_clear();
    match outcome {
        Ok(ImportOutcome::Unchanged) => {
            println!("the catalogue is already in force; nothing changed");
            Ok(())
        }
        Ok(ImportOutcome::Imported {
            categories,
            items,
            guides,
            stations,
        }) => {
            println!(
                "imported {categories} categories, {items} items, {guides} guides, {stations} stations"
            );
            Ok(())
        }
        Err(e @ AppError::Catalog(_)) => Err(Failure::BadInput(e.into())),
        Err(e) => Err(Failure::Other(e.into())),
    }
}
