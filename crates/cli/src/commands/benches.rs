//! `bench`, `bench-stats`, `bench-search` and `bench-pairing`: their options checked, the
//! measurement run (`crate::bench`), the figures printed and, when asked, written as JSON.

use std::path::Path;

use anyhow::Context;

use crate::{Failure, bench};

/// The bench makes its own data dir and configuration; the installation's are not touched.
pub(crate) async fn run_bench(options: bench::Options) -> Result<(), Failure> {
    bench::check(&options).map_err(Failure::BadInput)?;
    let report = bench::run(&options).await.map_err(Failure::Other)?;
    print!("{}", report.text());
    write_report(options.json.as_deref(), &report)
}

pub(crate) async fn run_stats_bench(
    cases: u64,
    runs: usize,
    database_url: Option<String>,
    json: Option<&Path>,
) -> Result<(), Failure> {
    if !(1..=100_000_000).contains(&cases) || !(1..=100).contains(&runs) {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--cases must be from 1 to 100000000 and --runs from 1 to 100"
        )));
    }
    if database_url
        .as_deref()
        .is_some_and(|u| !u.starts_with("postgres://"))
    {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--database-url must name a PostgreSQL database (postgres://…); SQLite is the default"
        )));
    }
    let report = bench::stats::run(cases, runs, database_url)
        .await
        .map_err(Failure::Other)?;
    print!("{}", report.text());
    write_report(json, &report)
}

pub(crate) fn run_search_bench(
    docs: usize,
    queries: usize,
    json: Option<&Path>,
) -> Result<(), Failure> {
    if docs == 0 || queries == 0 {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--docs and --queries must be at least 1"
        )));
    }
    let report = bench::search::run(docs, queries).map_err(Failure::Other)?;
    print!("{}", report.text());
    write_report(json, &report)
}

pub(crate) fn run_pairing_bench(
    children: usize,
    volunteers: usize,
    runs: usize,
    json: Option<&Path>,
) -> Result<(), Failure> {
    if children == 0 || volunteers == 0 || runs == 0 {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--children, --volunteers and --runs must be at least 1"
        )));
    }
    if children > 5_000 || volunteers > 5_000 {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--children and --volunteers are at most 5,000"
        )));
    }
    let report = bench::pairing::run(children, volunteers, runs).map_err(Failure::Other)?;
    print!("{}", report.text());
    write_report(json, &report)
}

/// Writes a benchmark's figures as JSON to `json`, when asked.
fn write_report(json: Option<&Path>, report: &impl serde::Serialize) -> Result<(), Failure> {
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(report).map_err(|e| Failure::Other(e.into()))?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Other)?;
    }
    Ok(())
}
