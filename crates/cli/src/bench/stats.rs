//! `qiaoyi bench-stats`: the dashboard over many closed cases.

use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::App;
use qiaoyi_app::config::Config;
use qiaoyi_app::stats::StatsQuery;
use serde::Serialize;

/// The budget for statistics over 10 million cases (README.md, `qiaoyi bench-stats`).
pub const BUDGET_MS: f64 = 1_000.0;

#[derive(Serialize)]
pub struct Report {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    pub cases: u64,
    pub generate_seconds: f64,
    pub rebuild_seconds: f64,
    /// The dashboard over all ten years (every month, station, category and item), per run.
    pub dashboard_ms: Vec<f64>,
    /// The dashboard over one year and one station.
    pub station_year_ms: Vec<f64>,
    /// For comparison: the same totals counted straight from every case's figures.
    pub scan_ms: f64,
    pub handled: i64,
    pub budget_ms: f64,
}

impl Report {
    pub fn text(&self) -> String {
        let worst = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        format!(
            "statistics over {} closed cases ({})\n  \
             generated in {:.1} s, sums rebuilt in {:.1} s\n  \
             dashboard, 120 months, all stations: worst {:.1} ms of {} runs (budget {:.0} ms) {}\n  \
             dashboard, 12 months, one station:   worst {:.1} ms of {} runs\n  \
             direct count of every case's figures: {:.1} ms\n  \
             matters handled counted by the dashboard: {}\n",
            self.cases,
            self.backend,
            self.generate_seconds,
            self.rebuild_seconds,
            worst(&self.dashboard_ms),
            self.dashboard_ms.len(),
            self.budget_ms,
            if worst(&self.dashboard_ms) <= self.budget_ms {
                "within"
            } else {
                "OVER"
            },
            worst(&self.station_year_ms),
            self.station_year_ms.len(),
            self.scan_ms,
            self.handled,
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Over a temporary SQLite database, or the empty PostgreSQL database `database_url` names.
pub async fn run(cases: u64, runs: usize, database_url: Option<String>) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir().context("cannot make a temporary data dir")?;
    let config = Config {
        data_dir: dir.path().join("data"),
        database_url,
        ..Config::default()
    };
    let app = App::open(config.clone()).await?;
    anyhow::ensure!(
        app.count_closed().await? == 0,
        "the database already holds closed cases; give an empty, throwaway database"
    );
    app.import_catalog(&qiaoyi_app::catalog_source::reference(), 0, &|_, _| {})
        .await?;
    let bar = ProgressBar::new(cases);
    bar.set_style(
        ProgressStyle::with_template("generating {pos}/{len} closed cases")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    app.generate_bench_outcomes(cases, &|n| bar.set_position(n))
        .await?;
    bar.finish_and_clear();
    let generate_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    app.rebuild_stats().await?;
    let rebuild_seconds = started.elapsed().as_secs_f64();
    let now = qiaoyi_app::stats::month_start_ms("2026-12".parse().map_err(anyhow::Error::msg)?);
    let all = StatsQuery {
        from: "2017-01".into(),
        to: "2026-12".into(),
        ..StatsQuery::default()
    };
    let mut dashboard_ms = Vec::new();
    let mut handled = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let d = app.dashboard(&all, now).await?;
        dashboard_ms.push(ms(t.elapsed()));
        handled = d.total.handled;
    }
    let year = StatsQuery {
        from: "2026-01".into(),
        to: "2026-12".into(),
        station: "IT-ROM".into(),
        ..StatsQuery::default()
    };
    let mut station_year_ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        app.dashboard(&year, now).await?;
        station_year_ms.push(ms(t.elapsed()));
    }
    let t = Instant::now();
    let scanned = app.count_closed().await?;
    let scan_ms = ms(t.elapsed());
    anyhow::ensure!(
        scanned == handled,
        "the dashboard counts {handled} cases but the cases' own figures hold {scanned}"
    );
    Ok(Report {
        backend: app.backend().as_str(),
        cases,
        generate_seconds,
        rebuild_seconds,
        dashboard_ms,
        station_year_ms,
        scan_ms,
        handled,
        budget_ms: BUDGET_MS,
    })
}
