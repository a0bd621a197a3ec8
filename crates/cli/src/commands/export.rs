//! `export stats`: the statistics of a period as an Excel workbook or one table as CSV.

use std::path::Path;

use anyhow::Context;
use qiaoyi_app::config::Config;
use qiaoyi_app::{AppError, Caller};

use super::open;
use crate::Failure;

pub(crate) async fn export_stats(
    config: Config,
    query: qiaoyi_app::stats::StatsQuery,
    table: &str,
    out: &Path,
) -> Result<(), Failure> {
    use qiaoyi_app::stats_export::{ExportFormat, Table};
    let format = match out.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => ExportFormat::Xlsx,
        Some("csv") => ExportFormat::Csv(Table::parse(table).ok_or_else(|| {
            Failure::BadInput(anyhow::anyhow!(
                "--table {table}: choose summary, months, stations, categories, items, durations or cases"
            ))
        })?),
        _ => {
            return Err(Failure::BadInput(anyhow::anyhow!(
                "--out {}: the file name must end in .xlsx or .csv",
                out.display()
            )));
        }
    };
    if out.exists() {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--out {}: the file exists already; choose a new name",
            out.display()
        )));
    }
    let app = open(config).await?;
    let caller = Caller::anonymous(
        qiaoyi_app::accounts::Client {
            address: "cli".into(),
        },
        app.now_ms(),
    );
    let (bytes, _) = app
        .export_file(&caller, &query, format)
        .await
        .map_err(|e| match e {
            AppError::Invalid { .. } => Failure::BadInput(e.into()),
            other => Failure::Other(other.into()),
        })?;
    std::fs::write(out, &bytes)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(Failure::Other)?;
    println!(
        "statistics written to {} ({} bytes)",
        out.display(),
        bytes.len()
    );
    Ok(())
}
