//! `qiaoyi bench`: a server on loopback over a fresh demo data dir on SQLite, driven over HTTP by
//! concurrent clients, each phase for a bounded time, then the raw SQLite baseline for as long:
//! - intake: each client submits cases as an applicant would (open the draft, upload one file per
//!   required material, submit), back to back, to find the most the server takes;
//! - writes: the same, but each client sends one request per `--interval-ms` (people, not a
//!   loop), for the latency a person sees while 200 others are busy too;
//! - reads: paced the same way, a submitted case's status or the officers' queue, alternately;
//! - drafts: `POST /api/v1/cases` alone, back to back from 1, 8 and 32 connections in turn: the
//!   write path's latency as connections pile up (one writer and group commit on SQLite);
//! - raw: `qiaoyi_store::bench::RawIntake` writes the same rows in the same transactions.
//!
//! It prints each figure against its budget (README.md, `qiaoyi bench`) and the ratio intake/raw, as
//! text and JSON. With `--database-url postgres://…` (an empty, throwaway database) intake and reads
//! run again on PostgreSQL, with one node and with three nodes sharing the database (servers in
//! this process on loopback, each client on one of them), printed beside SQLite's.
//! Latency is measured from sending each request to reading the whole answer.

pub mod pairing;
pub mod search;
pub mod stats;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use qiaoyi_app::App;
use qiaoyi_app::accounts::totp_code;
use qiaoyi_app::config::Config;
use qiaoyi_app::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use qiaoyi_store::bench::{RawIntake, Shape, file_content};
use qiaoyi_store::{DatabaseUrl, Store};
use serde::Serialize;
use serde_json::{Value, json};

/// The budgets of these figures, as PERFORMANCE.md states them.
const RATIO_MIN: f64 = 1.0;
/// Resident memory in MB: once the demo is loaded, and at most under the load.
const IDLE_MB: f64 = 50.0;
const PEAK_MB: f64 = 200.0;
const READ_P99_MS: f64 = 10.0;
const WRITE_P99_MS: f64 = 25.0;
/// Drafts opened from this many connections at once, in turn.
const DRAFT_CONNECTIONS: [usize; 3] = [1, 8, 32];
/// At 32 connections, drafts answered per second at least (with the write p99 budget).
const DRAFTS_PER_SECOND_MIN: f64 = 2000.0;
/// The size of each uploaded scan: a one-page scan at a modest resolution.
const FILE_SIZE: usize = 64 * 1024;
/// The item every bench submission applies for, and its form.
const ITEM: &str = "EE-01";
/// The people the submissions are for, one after another: each submission is a different person
/// (a name and a birth date), as intake is, so that none is refused as a possible duplicate of an
/// earlier one while the duplicate check still runs for every one.
const NAMES: [&str; 10] = [
    "季美华",
    "王建国",
    "叶海燕",
    "周立新",
    "陈秀英",
    "吴晓明",
    "林春梅",
    "徐志强",
    "郑丽娟",
    "胡国平",
];
static SUBMISSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The form of the next submission.
fn form() -> String {
    let n = SUBMISSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let days = i64::try_from((n / NAMES.len() as u64) % 36_000).unwrap_or(0);
    let born = jiff::civil::date(1910, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(jiff::civil::date(1950, 4, 2));
    json!({
        "item": ITEM,
        "person_name": NAMES[(n % NAMES.len() as u64) as usize],
        "birth_date": born.to_string(),
        "relation": "other",
        "delivery": "courier",
    })
    .to_string()
}
/// The tables a submission writes, compared between intake and the baseline.
const WRITTEN: &[&str] = &[
    "cases",
    "case_events",
    "case_files",
    "case_file_blobs",
    "outbox",
    "ledger_entries",
    "ledger_postings",
    "audit",
];

pub struct Options {
    pub clients: usize,
    pub seconds: u64,
    pub interval_ms: u64,
    pub json: Option<PathBuf>,
    /// An empty PostgreSQL database to measure on as well.
    pub database_url: Option<String>,
}

/// How many nodes share the PostgreSQL database in each of its runs.
const POSTGRES_NODES: [usize; 2] = [1, 3];

#[derive(Serialize)]
pub struct Report {
    pub clients: usize,
    pub seconds: u64,
    /// Each client's pace in the writes and reads phases.
    pub interval_ms: u64,
    /// Back to back: what the server takes at most.
    pub intake: Phase,
    /// Paced.
    pub writes: Phase,
    pub reads: Phase,
    /// Paced, anonymous: `GET /api/v1/search` with people's questions, as typed into the box.
    pub search: Phase,
    /// Back to back `POST /api/v1/cases` from 1, 8 and 32 connections.
    pub drafts: Vec<DraftPhase>,
    pub submissions: u64,
    pub submissions_per_second: f64,
    pub raw_submissions: u64,
    pub raw_submissions_per_second: f64,
    /// Intake submissions per second over the baseline's.
    pub ratio: f64,
    /// Rows written per submission by intake and by the baseline, per table.
    pub rows_per_submission: BTreeMap<String, [f64; 2]>,
    pub budgets: Budgets,
    /// Intake and reads on PostgreSQL with one and with three nodes; empty without
    /// `--database-url`.
    pub postgres: Vec<Deployment>,
    /// This process's resident memory (the server and the bench's clients), from
    /// `/proc/self/status`; `None` where there is none.
    pub memory: Option<Memory>,
}

/// Resident memory in MB: once the demo is loaded and before any load (`VmRSS`), and the most it
/// reached during the SQLite phases (`VmHWM`).
#[derive(Serialize)]
pub struct Memory {
    pub idle_mb: f64,
    pub peak_mb: f64,
    pub idle_budget_mb: f64,
    pub peak_budget_mb: f64,
}

/// A `kB` line of `/proc/self/status` (`VmRSS`, `VmHWM`), in MB.
fn status_mb(name: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Drafts opened back to back from a number of connections at once.
#[derive(Serialize)]
pub struct DraftPhase {
    pub connections: usize,
    #[serde(flatten)]
    pub phase: Phase,
}

/// Intake and reads against one deployment: its database and how many nodes serve it.
#[derive(Serialize)]
pub struct Deployment {
    pub backend: &'static str,
    pub nodes: usize,
    pub intake: Phase,
    pub submissions: u64,
    pub submissions_per_second: f64,
    pub reads: Phase,
}

#[derive(Serialize)]
pub struct Phase {
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Serialize)]
pub struct Budgets {
    pub ratio_min: f64,
    pub read_p99_ms: f64,
    pub write_p99_ms: f64,
    pub ratio_met: bool,
    pub read_p99_met: bool,
    pub write_p99_met: bool,
    pub drafts_per_second_min: f64,
    /// At 32 connections: p99 within the write budget and at least `drafts_per_second_min`.
    pub drafts_met: bool,
}

pub fn check(options: &Options) -> anyhow::Result<()> {
    if options
        .database_url
        .as_deref()
        .is_some_and(|u| !u.starts_with("postgres://") && !u.starts_with("postgresql://"))
    {
        bail!(
            "--database-url must name an empty PostgreSQL database (postgres://…); SQLite is always measured"
        );
    }
    if !(1..=1000).contains(&options.clients) {
        bail!("--clients must be from 1 to 1000");
    }
    if !(1..=600).contains(&options.seconds) {
        bail!("--seconds must be from 1 to 600");
    }
    if !(1..=60_000).contains(&options.interval_ms) {
        bail!("--interval-ms must be from 1 to 60000");
    }
    Ok(())
}

pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir().context("cannot make a temporary data dir")?;
    let config = Config {
        data_dir: dir.path().join("data"),
        ..Config::default()
    };
    let url = config.database_url()?;
    let app = App::open(config).await?;
    app.seed_demo(now_ms())
        .await
        .context("cannot load the demo data")?;
    let server = Server::start(app).await?;
    let base = server.base.clone();
    let idle_mb = status_mb("VmRSS:");

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(options.clients)
        .timeout(Duration::from_secs(30))
        .build()?;
    let applicant = Session::sign_in(&http, &base, "applicant@qiaoyi.example", false).await?;
    let officer = Session::sign_in(&http, &base, "officer@qiaoyi.example", true).await?;
    let files = required_materials(&http, &base).await?;
    let shape = Shape {
        files: files.len(),
        file_size: FILE_SIZE,
    };

    let store = Store::connect(&url).await?;
    let before = counts(&store).await?;
    eprintln!(
        "intake: {} clients back to back for {} s …",
        options.clients, options.seconds
    );
    let bases = [base.clone()];
    let (intake, mut ids) = write_phase(&http, &bases, &applicant, &files, options, None).await;
    let after = counts(&store).await?;
    store.close().await;
    let submissions = ids.len() as u64;
    if submissions == 0 {
        bail!("no submission went through; {}", intake.first_error);
    }
    if intake.phase.errors > 0 {
        bail!(
            "{} requests failed during intake; the first: {}",
            intake.phase.errors,
            intake.first_error
        );
    }
    let pace = Some(Duration::from_millis(options.interval_ms));
    eprintln!(
        "writes: {} clients, one request per {} ms each, for {} s …",
        options.clients, options.interval_ms, options.seconds
    );
    let (writes, more) = write_phase(&http, &bases, &applicant, &files, options, pace).await;
    ids.extend(more);

    eprintln!(
        "reads: {} clients, one request per {} ms each, for {} s …",
        options.clients, options.interval_ms, options.seconds
    );
    let reads = read_phase(&http, &bases, &applicant, &officer, &ids, options, pace).await;

    eprintln!(
        "search: {} clients, one question per {} ms each, for {} s …",
        options.clients, options.interval_ms, options.seconds
    );
    // The first question opens (or builds) the index; it is not timed.
    http.get(format!("{base}/api/v1/search?q=huzhao"))
        .send()
        .await?
        .error_for_status()
        .context("the search index did not answer")?;
    let search = search_phase(&http, &base, options, pace).await;
    let mut drafts = Vec::new();
    for connections in DRAFT_CONNECTIONS {
        eprintln!(
            "drafts: {connections} connection(s) back to back for {} s …",
            options.seconds
        );
        drafts.push(DraftPhase {
            connections,
            phase: draft_phase(&http, &base, &applicant, connections, options.seconds)
                .await
                .summary(),
        });
    }
    server.stop().await;
    let memory = idle_mb
        .zip(status_mb("VmHWM:"))
        .map(|(idle_mb, peak_mb)| Memory {
            idle_mb,
            peak_mb,
            idle_budget_mb: IDLE_MB,
            peak_budget_mb: PEAK_MB,
        });

    eprintln!("raw SQLite for {} s …", options.seconds);
    let raw_path = dir.path().join("raw.db");
    // A throwaway database: its audit key only has to be one.
    let raw_key = qiaoyi_domain::access::audit::ChainKey::new([0; 32]);
    let mut raw = RawIntake::create(&raw_path, raw_key).await?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut raw_submissions = 0_u64;
    while Instant::now() < deadline {
        raw.submit_one(&shape, now_ms()).await?;
        raw_submissions += 1;
    }
    let raw_elapsed = started.elapsed().as_secs_f64();
    raw.close().await?;
    let raw_store = Store::connect(&DatabaseUrl::sqlite_at(&raw_path)).await?;
    let raw_counts = counts(&raw_store).await?;
    raw_store.close().await;

    let rows_per_submission: BTreeMap<String, [f64; 2]> = WRITTEN
        .iter()
        .map(|table| {
            let table = (*table).to_owned();
            let intake = (after.get(&table).copied().unwrap_or(0)
                - before.get(&table).copied().unwrap_or(0)) as f64
                / submissions as f64;
            let baseline =
                raw_counts.get(&table).copied().unwrap_or(0) as f64 / raw_submissions as f64;
            (table, [intake, baseline])
        })
        .collect();
    // Drafts opened but not submitted when the time ran out wrote rows too: compare the rows of a
    // whole submission, which intake writes at least and the baseline exactly.
    if let Some((table, [intake, baseline])) = rows_per_submission
        .iter()
        .find(|(_, [intake, baseline])| intake < baseline)
    {
        bail!(
            "the baseline writes more {table} rows per submission ({baseline}) than intake ({intake}); \
             qiaoyi_store::bench no longer matches intake"
        );
    }

    let mut postgres = Vec::new();
    if let Some(url) = &options.database_url {
        // Every node of both runs shares the database and, as they must, one field key.
        let key = qiaoyi_app::config::SecretKey(qiaoyi_app::accounts::random_hex(32));
        // Signed in once: the sessions live in the database, and a second-factor code works once.
        let mut sessions = None;
        for nodes in POSTGRES_NODES {
            eprintln!("PostgreSQL with {nodes} node(s): intake and reads …");
            postgres.push(run_postgres(&http, url, &key, &mut sessions, nodes, options).await?);
        }
    }

    let submissions_per_second = submissions as f64 / intake.phase.elapsed;
    let raw_submissions_per_second = raw_submissions as f64 / raw_elapsed;
    let ratio = submissions_per_second / raw_submissions_per_second;
    let writes = writes.phase.summary();
    let reads = reads.summary();
    let search = search.summary();
    let drafts_met = drafts.last().is_some_and(|d| {
        d.phase.errors == 0
            && d.phase.p99_ms <= WRITE_P99_MS
            && d.phase.per_second >= DRAFTS_PER_SECOND_MIN
    });
    Ok(Report {
        clients: options.clients,
        seconds: options.seconds,
        interval_ms: options.interval_ms,
        intake: intake.phase.summary(),
        budgets: Budgets {
            ratio_min: RATIO_MIN,
            read_p99_ms: READ_P99_MS,
            write_p99_ms: WRITE_P99_MS,
            ratio_met: ratio >= RATIO_MIN,
            read_p99_met: reads.p99_ms <= READ_P99_MS && search.p99_ms <= READ_P99_MS,
            write_p99_met: writes.p99_ms <= WRITE_P99_MS,
            drafts_per_second_min: DRAFTS_PER_SECOND_MIN,
            drafts_met,
        },
        drafts,
        writes,
        reads,
        search,
        submissions,
        submissions_per_second,
        raw_submissions,
        raw_submissions_per_second,
        ratio,
        rows_per_submission,
        postgres,
        memory,
    })
}

/// A server for one app on a free loopback port, as the benches drive it.
struct Server {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(app: App) -> anyhow::Result<Server> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(qiaoyi_web::serve(listener, app, async {
            let _ = stopped.await;
        }));
        Ok(Server { base, stop, task })
    }

    /// Stops it and waits until it has stopped.
    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Intake (back to back) and paced reads against `nodes` servers over the PostgreSQL database at
/// `url`, each client on one of them; the first run finds the database empty and loads the demo.
async fn run_postgres(
    http: &reqwest::Client,
    url: &str,
    key: &qiaoyi_app::config::SecretKey,
    sessions: &mut Option<(Session, Session)>,
    nodes: usize,
    options: &Options,
) -> anyhow::Result<Deployment> {
    let dir = tempfile::tempdir().context("cannot make a temporary data dir")?;
    let database: DatabaseUrl = url.parse()?;
    if nodes == POSTGRES_NODES[0] {
        let store = Store::connect(&database).await?;
        let tables = store.table_names().await?;
        store.close().await;
        if !tables.is_empty() {
            bail!("{database} holds tables already; give an empty, throwaway database");
        }
    }
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for node in 0..nodes {
        let app = App::open(Config {
            data_dir: dir.path().join(format!("node{node}")),
            database_url: Some(url.to_owned()),
            secret_key: Some(key.clone()),
            ..Config::default()
        })
        .await?;
        if node == 0 {
            app.seed_demo(now_ms())
                .await
                .context("cannot load the demo data")?;
        }
        let server = Server::start(app).await?;
        bases.push(server.base.clone());
        servers.push(server);
    }
    let (applicant, officer) = match sessions {
        Some(signed_in) => signed_in.clone(),
        None => sessions
            .insert((
                Session::sign_in(http, &bases[0], "applicant@qiaoyi.example", false).await?,
                Session::sign_in(http, &bases[0], "officer@qiaoyi.example", true).await?,
            ))
            .clone(),
    };
    let files = required_materials(http, &bases[0]).await?;
    let (intake, ids) = write_phase(http, &bases, &applicant, &files, options, None).await;
    if ids.is_empty() || intake.phase.errors > 0 {
        bail!(
            "{} requests failed during intake on PostgreSQL with {nodes} node(s); the first: {}",
            intake.phase.errors,
            intake.first_error
        );
    }
    let pace = Some(Duration::from_millis(options.interval_ms));
    let reads = read_phase(http, &bases, &applicant, &officer, &ids, options, pace).await;
    for server in servers {
        server.stop().await;
    }
    let submissions = ids.len() as u64;
    let submissions_per_second = submissions as f64 / intake.phase.elapsed;
    Ok(Deployment {
        backend: "postgres",
        nodes,
        intake: intake.phase.summary(),
        submissions,
        submissions_per_second,
        reads: reads.summary(),
    })
}

impl Report {
    pub fn text(&self) -> String {
        let met = |ok: bool| if ok { "within budget" } else { "OVER BUDGET" };
        let mut out = format!(
            "qiaoyi bench: {} clients, {} s per phase, SQLite, loopback\n\
             intake   {:>8} requests {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  back to back\n\
             paced: each client sends one request per {} ms\n\
             writes   {:>8} requests {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  errors {}  (p99 ≤ {} ms: {})\n\
             reads    {:>8} requests {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  errors {}  (p99 ≤ {} ms: {})\n\
             search   {:>8} requests {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  errors {}  (p99 ≤ {} ms: {})\n\
             intake   {:>8} submissions {:>6.1}/s\n\
             raw      {:>8} submissions {:>6.1}/s\n\
             ratio intake/raw {:.2} (≥ {}: {})\n\
             rows per submission (intake / raw):",
            self.clients,
            self.seconds,
            self.intake.requests,
            self.intake.per_second,
            self.intake.p50_ms,
            self.intake.p99_ms,
            self.interval_ms,
            self.writes.requests,
            self.writes.per_second,
            self.writes.p50_ms,
            self.writes.p99_ms,
            self.writes.max_ms,
            self.writes.errors,
            WRITE_P99_MS,
            met(self.budgets.write_p99_met),
            self.reads.requests,
            self.reads.per_second,
            self.reads.p50_ms,
            self.reads.p99_ms,
            self.reads.max_ms,
            self.reads.errors,
            READ_P99_MS,
            met(self.reads.p99_ms <= READ_P99_MS),
            self.search.requests,
            self.search.per_second,
            self.search.p50_ms,
            self.search.p99_ms,
            self.search.max_ms,
            self.search.errors,
            READ_P99_MS,
            met(self.search.p99_ms <= READ_P99_MS),
            self.submissions,
            self.submissions_per_second,
            self.raw_submissions,
            self.raw_submissions_per_second,
            self.ratio,
            RATIO_MIN,
            met(self.budgets.ratio_met),
        );
        for (table, [intake, raw]) in &self.rows_per_submission {
            out.push_str(&format!(" {table} {intake:.2}/{raw:.2}"));
        }
        out.push('\n');
        for d in &self.drafts {
            out.push_str(&format!(
                "drafts {:>3} connection(s) {:>8} requests {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  errors {}\n",
                d.connections,
                d.phase.requests,
                d.phase.per_second,
                d.phase.p50_ms,
                d.phase.p99_ms,
                d.phase.max_ms,
                d.phase.errors,
            ));
        }
        out.push_str(&format!(
            "drafts at 32 connections: p99 ≤ {WRITE_P99_MS} ms and ≥ {DRAFTS_PER_SECOND_MIN} per second: {}\n",
            met(self.budgets.drafts_met)
        ));
        if let Some(m) = &self.memory {
            out.push_str(&format!(
                "memory (this process: the server and the clients) VmRSS once loaded {:.0} MB (≤ {IDLE_MB}: {}), VmHWM under load {:.0} MB (≤ {PEAK_MB}: {})\n",
                m.idle_mb,
                met(m.idle_mb <= IDLE_MB),
                m.peak_mb,
                met(m.peak_mb <= PEAK_MB),
            ));
        }
        if !self.postgres.is_empty() {
            out.push_str(
                "beside SQLite: intake back to back, reads paced as above
                 database    nodes  submissions/s  intake p50/p99 ms   reads p50/p99 ms  errors
",
            );
            let row = |name: &str, nodes: usize, per_second: f64, intake: &Phase, reads: &Phase| {
                format!(
                    "{name:<10} {nodes:>6} {per_second:>14.1}  {:>7.2} /{:>8.2}  {:>7.2} /{:>7.2}  {:>6}\n",
                    intake.p50_ms,
                    intake.p99_ms,
                    reads.p50_ms,
                    reads.p99_ms,
                    intake.errors + reads.errors
                )
            };
            out.push_str(&row(
                "SQLite",
                1,
                self.submissions_per_second,
                &self.intake,
                &self.reads,
            ));
            for d in &self.postgres {
                out.push_str(&row(
                    "PostgreSQL",
                    d.nodes,
                    d.submissions_per_second,
                    &d.intake,
                    &d.reads,
                ));
            }
        }
        out
    }
}

/// A signed-in client: its session cookie and CSRF token, shared by the clients of one role (the
/// server touches a session at most once a minute, so sharing adds no writes).
#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

impl Session {
    async fn sign_in(
        http: &reqwest::Client,
        base: &str,
        email: &str,
        staff: bool,
    ) -> anyhow::Result<Session> {
        let reply = http
            .post(format!("{base}/api/v1/session"))
            .header("content-type", "application/json")
            .body(json!({"email": email, "password": DEMO_PASSWORD}).to_string())
            .send()
            .await?;
        if !reply.status().is_success() {
            bail!("cannot sign in {email}: {}", reply.text().await?);
        }
        let cookie = reply
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("qiaoyi_session="))
            .and_then(|v| v.split(';').next())
            .ok_or_else(|| anyhow!("signing in {email} set no session cookie"))?
            .to_owned();
        let me: Value = serde_json::from_str(
            &http
                .get(format!("{base}/api/v1/me"))
                .header("cookie", &cookie)
                .send()
                .await?
                .text()
                .await?,
        )?;
        let csrf = me["csrf"]
            .as_str()
            .ok_or_else(|| anyhow!("no CSRF token for {email}"))?
            .to_owned();
        if staff {
            let code = totp_code(DEMO_TOTP_SECRET, now_ms())?;
            let reply = http
                .post(format!("{base}/api/v1/session/second-factor"))
                .header("cookie", &cookie)
                .header("x-csrf-token", &csrf)
                .header("content-type", "application/json")
                .body(json!({"code": code}).to_string())
                .send()
                .await?;
            if !reply.status().is_success() {
                bail!("second factor for {email}: {}", reply.text().await?);
            }
        }
        Ok(Session { cookie, csrf })
    }

    fn get(&self, http: &reqwest::Client, url: String) -> reqwest::RequestBuilder {
        http.get(url).header("cookie", &self.cookie)
    }

    fn post(&self, http: &reqwest::Client, url: String) -> reqwest::RequestBuilder {
        http.post(url)
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
}

async fn required_materials(http: &reqwest::Client, base: &str) -> anyhow::Result<Vec<usize>> {
    let item: Value = serde_json::from_str(
        &http
            .get(format!("{base}/api/v1/catalog/items/{ITEM}"))
            .send()
            .await?
            .text()
            .await?,
    )?;
    Ok(item["materials"]
        .as_array()
        .ok_or_else(|| anyhow!("{ITEM} lists no materials"))?
        .iter()
        .enumerate()
        .filter(|(_, m)| m["required"] == true)
        .map(|(i, _)| i)
        .collect())
}

async fn counts(store: &Store) -> anyhow::Result<BTreeMap<String, i64>> {
    Ok(store.table_counts().await?.into_iter().collect())
}

/// Latencies of one phase (or one client of it), and that client's pace.
#[derive(Default)]
struct Timings {
    micros: Vec<u64>,
    errors: u64,
    elapsed: f64,
    pace: Option<Pace>,
}

/// One request per `every`, starting at `next`; a client that fell behind does not catch up in
/// a burst.
struct Pace {
    next: Instant,
    every: Duration,
}

impl Timings {
    /// A client's timings; paced clients start spread over one interval.
    fn client(client: usize, clients: usize, every: Option<Duration>) -> Timings {
        Timings {
            pace: every.map(|every| Pace {
                next: Instant::now() + every.mul_f64(client as f64 / clients.max(1) as f64),
                every,
            }),
            ..Timings::default()
        }
    }

    async fn wait_turn(&mut self) {
        if let Some(pace) = &mut self.pace {
            tokio::time::sleep_until(pace.next.into()).await;
            pace.next = (pace.next + pace.every).max(Instant::now());
        }
    }
}

impl Timings {
    fn merge(&mut self, other: Timings) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
    }

    fn summary(mut self) -> Phase {
        self.micros.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.micros.is_empty() {
                return 0.0;
            }
            let rank = ((q * self.micros.len() as f64).ceil() as usize).clamp(1, self.micros.len());
            self.micros[rank - 1] as f64 / 1000.0
        };
        let requests = self.micros.len() as u64;
        Phase {
            requests,
            errors: self.errors,
            per_second: requests as f64 / self.elapsed.max(f64::EPSILON),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

struct WriteOutcome {
    phase: Timings,
    first_error: String,
}

/// Sends one request, timing it; the body of a refusal is the error.
async fn timed(request: reqwest::RequestBuilder, timings: &mut Timings) -> Result<String, String> {
    timings.wait_turn().await;
    let started = Instant::now();
    let reply = request.send().await.map_err(|e| e.to_string())?;
    let status = reply.status();
    let body = reply.text().await.map_err(|e| e.to_string())?;
    timings
        .micros
        .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("{status}: {body}"))
    }
}

async fn write_phase(
    http: &reqwest::Client,
    bases: &[String],
    applicant: &Session,
    files: &[usize],
    options: &Options,
    pace: Option<Duration>,
) -> (WriteOutcome, Vec<String>) {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let files = Arc::new(files.to_vec());
    let mut tasks = Vec::new();
    for client in 0..options.clients {
        // Each client stays on one node, as a browser behind a proxy would for a while.
        let (http, base, session, files) = (
            http.clone(),
            bases[client % bases.len()].clone(),
            applicant.clone(),
            files.clone(),
        );
        let clients = options.clients;
        tasks.push(tokio::spawn(async move {
            let mut timings = Timings::client(client, clients, pace);
            let mut ids = Vec::new();
            let mut first_error = String::new();
            let mut n = 0_u64;
            while Instant::now() < deadline {
                n += 1;
                let submission = (client as u64) << 32 | n;
                match submit(&http, &base, &session, &files, submission, &mut timings).await {
                    Ok(id) => ids.push(id),
                    Err(e) => {
                        timings.errors += 1;
                        if first_error.is_empty() {
                            first_error = e;
                        }
                    }
                }
            }
            (timings, ids, first_error)
        }));
    }
    let mut phase = Timings::default();
    let mut ids = Vec::new();
    let mut first_error = String::new();
    for task in tasks {
        if let Ok((timings, mine, error)) = task.await {
            phase.merge(timings);
            ids.extend(mine);
            if first_error.is_empty() {
                first_error = error;
            }
        }
    }
    phase.elapsed = started.elapsed().as_secs_f64();
    (WriteOutcome { phase, first_error }, ids)
}

/// Drafts opened back to back (`POST /api/v1/cases` alone) from `connections` clients at once.
async fn draft_phase(
    http: &reqwest::Client,
    base: &str,
    applicant: &Session,
    connections: usize,
    seconds: u64,
) -> Timings {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (http, base, session) = (http.clone(), base.to_owned(), applicant.clone());
        tasks.push(tokio::spawn(drive(
            deadline,
            Timings::default(),
            move || {
                session
                    .post(&http, format!("{base}/api/v1/cases"))
                    .header("content-type", "application/json")
                    .body(form())
            },
        )));
    }
    gather(tasks, started).await
}

/// Sends the request `next` makes, timed, until `deadline`; a failed one counts as an error.
async fn drive(
    deadline: Instant,
    mut timings: Timings,
    mut next: impl FnMut() -> reqwest::RequestBuilder,
) -> Timings {
    while Instant::now() < deadline {
        if timed(next(), &mut timings).await.is_err() {
            timings.errors += 1;
        }
    }
    timings
}

/// The clients' timings merged, over the time since `started`.
async fn gather(tasks: Vec<tokio::task::JoinHandle<Timings>>, started: Instant) -> Timings {
    let mut phase = Timings::default();
    for task in tasks {
        if let Ok(timings) = task.await {
            phase.merge(timings);
        }
    }
    phase.elapsed = started.elapsed().as_secs_f64();
    phase
}

/// One applicant's submission: draft, files, submit. Returns the case id.
async fn submit(
    http: &reqwest::Client,
    base: &str,
    session: &Session,
    files: &[usize],
    submission: u64,
    timings: &mut Timings,
) -> Result<String, String> {
    let created = timed(
        session
            .post(http, format!("{base}/api/v1/cases"))
            .header("content-type", "application/json")
            .body(form()),
        timings,
    )
    .await?;
    let created: Value = serde_json::from_str(&created).map_err(|e| e.to_string())?;
    let id = created["id"].as_str().ok_or("no case id")?.to_owned();
    let version = created["version"].as_i64().ok_or("no case version")?;
    for &material in files {
        timed(
            session
                .post(
                    http,
                    format!("{base}/api/v1/cases/{id}/materials/{material}/files?name=scan.pdf"),
                )
                .header("content-type", "application/octet-stream")
                .body(file_content(submission, material, FILE_SIZE)),
            timings,
        )
        .await?;
    }
    timed(
        session
            .post(http, format!("{base}/api/v1/cases/{id}/steps"))
            .header("content-type", "application/json")
            .body(json!({"step": "submit", "version": version}).to_string()),
        timings,
    )
    .await?;
    Ok(id)
}

async fn read_phase(
    http: &reqwest::Client,
    bases: &[String],
    applicant: &Session,
    officer: &Session,
    ids: &[String],
    options: &Options,
    pace: Option<Duration>,
) -> Timings {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let ids = Arc::new(ids.to_vec());
    let mut tasks = Vec::new();
    for client in 0..options.clients {
        let (http, base, applicant, officer, ids) = (
            http.clone(),
            bases[client % bases.len()].clone(),
            applicant.clone(),
            officer.clone(),
            ids.clone(),
        );
        let timings = Timings::client(client, options.clients, pace);
        let mut n = client;
        tasks.push(tokio::spawn(drive(deadline, timings, move || {
            n += 1;
            if n % 2 == 0 {
                let id = &ids[n.wrapping_mul(7919) % ids.len()];
                applicant.get(&http, format!("{base}/api/v1/cases/{id}"))
            } else {
                officer.get(&http, format!("{base}/api/v1/cases?view=queue"))
            }
        })));
    }
    gather(tasks, started).await
}

/// Questions as people type them into the box: Chinese, pinyin, initials, other languages, a
/// typo. Each client starts at its own place in the list.
const QUESTIONS: &[&str] = &[
    "护照过期了怎么办",
    "huzhao",
    "hz",
    "驾照换证",
    "无犯罪记录证明",
    "passport renewal",
    "rinnovo passaporto",
    "certificado de antecedentes",
    "pasport",
    "养老金资格认证",
    "身份证丢了",
    "户口迁移",
];

/// Anonymous questions, paced, through the HTTP search endpoint.
async fn search_phase(
    http: &reqwest::Client,
    base: &str,
    options: &Options,
    pace: Option<Duration>,
) -> Timings {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut tasks = Vec::new();
    for client in 0..options.clients {
        let (http, base) = (http.clone(), base.to_owned());
        let timings = Timings::client(client, options.clients, pace);
        let mut n = client;
        tasks.push(tokio::spawn(drive(deadline, timings, move || {
            n += 1;
            http.get(format!("{base}/api/v1/search"))
                .query(&[("limit", "5"), ("q", QUESTIONS[n % QUESTIONS.len()])])
        })));
    }
    gather(tasks, started).await
}

/// The benches drive a server from outside, as its clients would: they read the machine's time
/// through the same clock the server's app runs on.
fn now_ms() -> i64 {
    qiaoyi_app::clock::Clock::system().now_ms()
}
