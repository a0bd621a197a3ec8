//! The `qiaoyi` binary: serve, demo, migrate, import, config.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use qiaoyi_app::config::{Config, LogFormat};
use qiaoyi_app::{App, AppError, Caller, ImportOutcome, catalog_source};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(
    name = "qiaoyi",
    version,
    about = "Qiaoyi (侨驿): cross-border public services for a county bureau"
)]
struct Cli {
    /// TOML configuration file; `QIAOYI_*` environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the API.
    Serve,
    /// Create a data dir with the reference catalogue and serve it (idempotent).
    Demo {
        /// Address to listen on (default from configuration: 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Data directory (default from configuration: ./qiaoyi-data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Import data files.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Show configuration.
    Config {
        #[command(subcommand)]
        what: ConfigWhat,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        what: UserWhat,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// The keys that sign electronic certificates.
    Keys {
        #[command(subcommand)]
        what: KeysWhat,
    },
    /// Check the fee ledger.
    Ledger {
        #[command(subcommand)]
        what: LedgerWhat,
    },
    /// Write a consistent copy of the SQLite database while the server runs. The copy does not hold
    /// the field key: keep secret.key (or QIAOYI_SECRET_KEY) safe, apart from the backups.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Make a backup the database of the configured data dir, after checking that it is whole and
    /// that the data dir's key opens it. The server must be stopped.
    Restore {
        /// A file written by `qiaoyi backup`.
        file: PathBuf,
        /// Replace a database that is there already.
        #[arg(long)]
        replace: bool,
    },
    /// Measure intake, reads and the raw SQLite baseline on a fresh demo server on loopback; prints
    /// each figure against the performance budgets and the ratio intake/raw.
    Bench {
        /// Concurrent clients in each phase.
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Length of each phase (intake, writes, reads, raw baseline) in seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// In the writes and reads phases each client sends one request per this many
        /// milliseconds, as a person does; intake runs back to back.
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
        /// Also write the figures as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Rebuild this node's search index of the catalogue from the database (each server keeps its
    /// own, in the data dir; it is rebuilt by itself when the catalogue changes).
    Reindex,
    /// Measure search: build an index of generated Chinese documents in a temporary directory and
    /// time queries; prints p50 and p99 against the 5 ms budget.
    BenchSearch {
        /// How many documents to generate.
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
        /// How many queries to time.
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
        /// Also write the figures as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Measure the care programme's pairing of children with proxy parents (Kuhn–Munkres) on
    /// generated profiles, against the 1 s budget for 1,000 children and 1,000 volunteers.
    BenchPairing {
        #[arg(long, default_value_t = 1_000)]
        children: usize,
        #[arg(long, default_value_t = 1_000)]
        volunteers: usize,
        /// How many times to pair.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Also write the figures as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Measure the statistics dashboard over many closed cases: generate them in a temporary
    /// SQLite database, rebuild the sums and time the dashboard against the 1 s budget.
    BenchStats {
        /// How many closed cases to generate.
        #[arg(long, default_value_t = 10_000_000)]
        cases: u64,
        /// How many times to time each dashboard.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// An empty, throwaway PostgreSQL database to measure on instead of a temporary SQLite
        /// one (the bulk load sets foreign keys aside, which needs a superuser).
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// Also write the figures as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Queue the passport-expiry reminders due on a day (the server does this every hour); the
    /// server's delivery worker sends them. Each reminder is queued once, however often this runs.
    Remind {
        /// The day to remind for, as YYYY-MM-DD (default: today in Beijing).
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// The statistics of a period: an Excel workbook (every table, Chinese headers) when FILE ends
    /// in .xlsx, one table as CSV when it ends in .csv. Recorded in the audit log.
    Stats {
        /// First month, YYYY-MM (default: eleven months before --to).
        #[arg(long, value_name = "MONTH", default_value = "")]
        from: String,
        /// Last month, YYYY-MM (default: this month).
        #[arg(long, value_name = "MONTH", default_value = "")]
        to: String,
        /// One station's code.
        #[arg(long, default_value = "")]
        station: String,
        /// One category's code.
        #[arg(long, default_value = "")]
        category: String,
        /// For CSV: summary, months, stations, categories, items, durations or cases.
        #[arg(long, default_value = "months")]
        table: String,
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserWhat {
    /// Create an account. Staff accounts get a TOTP secret, printed once.
    Add {
        #[arg(long)]
        email: String,
        /// The name colleagues and the audit log see.
        #[arg(long)]
        name: String,
        /// A role, with its scope where it has one: officer:exit-entry, station:IT-ROM, admin.
        /// Repeat for several roles.
        #[arg(long = "role", required = true, value_name = "ROLE[:SCOPE]")]
        roles: Vec<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum AuditWhat {
    /// Walk the hash chain and report the first broken entry (exit 1) or how many entries are whole.
    Verify,
}

#[derive(Subcommand)]
enum KeysWhat {
    /// Make a new key sign from now on. Certificates signed by earlier keys keep verifying under
    /// their key id; the secret halves are sealed with the field key.
    Rotate,
}

#[derive(Subcommand)]
enum LedgerWhat {
    /// Replay every fee entry: each one's postings must be exactly those of its kind and amount
    /// (so they sum to zero), no case may be overpaid or over-refunded, and all balances must sum
    /// to zero. Prints the balances; exit 1 with the problems found otherwise.
    Check,
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Validate a catalogue directory and make it the catalogue in force, all or nothing.
    Catalog {
        /// Directory laid out as catalog/FORMAT.md describes.
        dir: PathBuf,
    },
    /// Validate one year's working-day calendar (calendar/YYYY.toml in catalog/FORMAT.md) and make
    /// it the calendar of that year, replacing an earlier import of the same year.
    Calendar {
        /// The year's file, e.g. catalog/calendar/2027.toml.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ConfigWhat {
    /// Print the default configuration as TOML.
    Defaults,
}

/// A failure the user caused and can fix (exit 2), or any other failure (exit 1).
enum Failure {
    BadInput(anyhow::Error),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qiaoyi: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(e)) => {
            eprintln!("qiaoyi: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("qiaoyi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::Config {
        what: ConfigWhat::Defaults,
    } = cli.command
    {
        print!("{}", Config::defaults_toml());
        return Ok(());
    }
    if let Command::Bench {
        clients,
        seconds,
        interval_ms,
        json,
    } = cli.command
    {
        return run_bench(bench::Options {
            clients,
            seconds,
            interval_ms,
            json,
        })
        .await;
    }
    if let Command::BenchStats {
        cases,
        runs,
        database_url,
        json,
    } = &cli.command
    {
        return run_stats_bench(*cases, *runs, database_url.clone(), json.as_deref()).await;
    }
    if let Command::BenchPairing {
        children,
        volunteers,
        runs,
        json,
    } = &cli.command
    {
        return run_pairing_bench(*children, *volunteers, *runs, json.as_deref());
    }
    let mut config = load_config(cli.config.as_deref()).map_err(Failure::BadInput)?;
    if let Command::BenchSearch {
        docs,
        queries,
        json,
    } = &cli.command
    {
        return run_search_bench(*docs, *queries, json.as_deref());
    }
    if let Command::Demo { listen, data } = &cli.command {
        config.listen = listen.unwrap_or(config.listen);
        config.data_dir = data.clone().unwrap_or(config.data_dir);
    }
    init_logging(&config);

    match cli.command {
        Command::Config { .. } => Ok(()),
        Command::Migrate => {
            let app = open(config).await?;
            println!("database schema is up to date ({})", app.backend().as_str());
            Ok(())
        }
        Command::Import {
            what: ImportWhat::Catalog { dir },
        } => import_catalog(config, &dir).await,
        Command::Import {
            what: ImportWhat::Calendar { file },
        } => import_calendar(config, &file).await,
        Command::User {
            what:
                UserWhat::Add {
                    email,
                    name,
                    roles,
                    password_stdin,
                },
        } => add_user(config, &email, &name, &roles, password_stdin).await,
        Command::Audit {
            what: AuditWhat::Verify,
        } => verify_audit(config).await,
        Command::Ledger {
            what: LedgerWhat::Check,
        } => check_ledger(config).await,
        Command::Keys {
            what: KeysWhat::Rotate,
        } => rotate_keys(config).await,
        Command::Remind { today } => remind(config, today.as_deref()).await,
        Command::Export {
            what:
                ExportWhat::Stats {
                    from,
                    to,
                    station,
                    category,
                    table,
                    out,
                },
        } => {
            let query = qiaoyi_app::stats::StatsQuery {
                from,
                to,
                station,
                category,
            };
            export_stats(config, query, &table, &out).await
        }
        Command::Bench { .. }
        | Command::BenchSearch { .. }
        | Command::BenchStats { .. }
        | Command::BenchPairing { .. } => {
            unreachable!("the benches run before configuration is read")
        }
        Command::Reindex => reindex(config).await,
        Command::Backup { out } => backup(config, &out).await,
        Command::Restore { file, replace } => restore(config, &file, replace).await,
        Command::Serve => {
            if config.smtp_host.is_none() {
                tracing::warn!(
                    "smtp_host is not set: e-mail is written to the server log instead of being sent"
                );
            }
            let listener = bind(config.listen).await?;
            let app = open(config).await?;
            app.catalog_header()
                .await
                .map_err(|e| Failure::Other(e.into()))?;
            serve(listener, app).await
        }
        Command::Demo { .. } => {
            let listener = bind(config.listen).await?;
            let data_dir = config.data_dir.clone();
            let app = open(config).await?;
            let seeded = app
                .seed_demo(app.now_ms())
                .await
                .context("cannot load the demo data")?;
            if let ImportOutcome::Imported {
                items,
                guides,
                stations,
                ..
            } = seeded.catalogue
            {
                println!(
                    "imported the reference catalogue: {items} items, {guides} guides, {stations} stations"
                );
            }
            if seeded.cases_created > 0 {
                let closed = app
                    .seed_demo_history(app.now_ms())
                    .await
                    .context("cannot load the demo's closed cases")?;
                app.seed_demo_video(app.now_ms())
                    .await
                    .context("cannot publish the demo's video-check times")?;
                app.seed_demo_care(app.now_ms())
                    .await
                    .context("cannot record the demo's children in the care programme")?;
                println!(
                    "created {} demo cases and {closed} closed ones for the statistics",
                    seeded.cases_created
                );
            }
            print_demo_logins();
            let addr = listener.local_addr().context("listening address")?;
            println!(
                "Qiaoyi demo: http://{addr}/  (data in {}; stop with Ctrl-C)",
                data_dir.display()
            );
            serve(listener, app).await
        }
    }
}

fn print_demo_logins() {
    use qiaoyi_app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET};
    println!("demo logins (password \"{DEMO_PASSWORD}\"; staff TOTP secret {DEMO_TOTP_SECRET}):");
    for (email, _, grants) in DEMO_ACCOUNTS {
        let roles: Vec<String> = grants
            .iter()
            .map(|(role, scope)| {
                if scope.is_empty() {
                    (*role).to_owned()
                } else {
                    format!("{role}:{scope}")
                }
            })
            .collect();
        println!("  {email:<32} {}", roles.join(", "));
    }
}

async fn add_user(
    config: Config,
    email: &str,
    name: &str,
    roles: &[String],
    password_stdin: bool,
) -> Result<(), Failure> {
    use qiaoyi_app::accounts::{AccountRequest, Client, new_totp_secret, otpauth_uri, random_hex};
    use qiaoyi_app::domain::access::Grant;
    let grants = roles
        .iter()
        .map(|r| Grant::parse_text(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| Failure::BadInput(anyhow::anyhow!("--role: {m}")))?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        (line.trim_end_matches(['\n', '\r']).to_owned(), false)
    } else {
        (random_hex(12), true)
    };
    let staff = grants.iter().any(|g| g.role().is_staff());
    let secret = staff.then(new_totp_secret);
    let app = open(config).await?;
    let request = AccountRequest {
        email,
        display_name: name,
        password: &password,
        grants,
        language: qiaoyi_app::domain::lang::Lang::Zh,
        confirmed: true,
        totp_secret: secret.clone(),
    };
    let id = app
        .create_account(
            &Caller::anonymous(
                Client {
                    address: "cli".into(),
                },
                app.now_ms(),
            ),
            request,
        )
        .await
        .map_err(|e| match e {
            AppError::Invalid { .. } | AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => {
                Failure::BadInput(e.into())
            }
            other => Failure::Other(other.into()),
        })?;
    println!("created account {id} for {email}");
    if generated {
        println!("password (shown once): {password}");
    }
    if let Some(secret) = secret {
        let codes = app
            .issue_recovery_codes(
                &id,
                None,
                &Client {
                    address: "cli".into(),
                },
                app.now_ms(),
            )
            .await
            .map_err(|e| Failure::Other(e.into()))?;
        println!("recovery codes (shown once): {}", codes.join(" "));
        println!("TOTP secret (shown once): {secret}");
        println!("authenticator link: {}", otpauth_uri(&secret, email));
    }
    Ok(())
}

async fn verify_audit(config: Config) -> Result<(), Failure> {
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

async fn rotate_keys(config: Config) -> Result<(), Failure> {
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

async fn check_ledger(config: Config) -> Result<(), Failure> {
    let app = open(config).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("checking entries {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = app
        .ledger_check(|done, total| {
            bar.set_length(u64::try_from(total).unwrap_or(0));
            bar.set_position(u64::try_from(done).unwrap_or(0));
        })
        .await;
    bar.finish_and_clear();
    let report = report.map_err(|e| Failure::Other(e.into()))?;
    // Per-case receivables are many; the bureau's own accounts are what a person reads.
    let receivable: i128 = report
        .balances
        .iter()
        .filter(|(account, _)| account.starts_with("receivable:"))
        .map(|(_, balance)| balance)
        .sum();
    println!(
        "{} entries, {} postings, {} accounts",
        report.entries,
        report.postings,
        report.balances.len()
    );
    println!("  receivable (all cases)  {receivable:>14} fen");
    for (account, balance) in report
        .balances
        .iter()
        .filter(|(account, _)| !account.starts_with("receivable:"))
    {
        println!("  {account:<23} {balance:>14} fen");
    }
    if report.is_sound() {
        println!("ledger balanced: every entry's postings sum to zero and no case is overpaid");
        Ok(())
    } else {
        for problem in &report.problems {
            eprintln!("problem: {problem}");
        }
        Err(Failure::Other(anyhow::anyhow!(
            "the ledger does not balance: {} problem(s)",
            report.problems.len()
        )))
    }
}

async fn backup(config: Config, out: &Path) -> Result<(), Failure> {
    let app = open(config).await?;
    let total = app
        .backup_size()
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    let bar = ProgressBar::new(total.max(1));
    bar.set_style(
        ProgressStyle::with_template("backing up {bar:30} {bytes}/{total_bytes}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // SQLite writes the copy page by page: its growing size is the progress.
    let watched = out.to_owned();
    let watcher_bar = bar.clone();
    let watcher = tokio::spawn(async move {
        loop {
            if let Ok(meta) = std::fs::metadata(&watched) {
                watcher_bar.set_position(meta.len());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    let outcome = app.backup(out).await;
    watcher.abort();
    bar.finish_and_clear();
    outcome.map_err(|e| match e {
        AppError::Invalid { .. } | AppError::Store(qiaoyi_app::StoreError::Conflict { .. }) => {
            Failure::BadInput(e.into())
        }
        other => Failure::Other(other.into()),
    })?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup written to {} ({size} bytes); keep the data dir's secret.key apart from it",
        out.display()
    );
    Ok(())
}

async fn restore(config: Config, file: &Path, replace: bool) -> Result<(), Failure> {
    let restored = qiaoyi_app::backup::restore(&config, file, replace)
        .await
        .map_err(|e| match e {
            AppError::Invalid { .. } => Failure::BadInput(e.into()),
            other => Failure::Other(other.into()),
        })?;
    let rows: i64 = restored.counts.iter().map(|(_, n)| n).sum();
    println!(
        "restored {} into {}: {rows} rows in {} tables, whole, opened by this data dir's key",
        file.display(),
        restored.database.display(),
        restored.counts.len()
    );
    Ok(())
}

async fn remind(config: Config, today: Option<&str>) -> Result<(), Failure> {
    let given = today
        .map(|text| {
            text.trim().parse::<jiff::civil::Date>().map_err(|e| {
                Failure::BadInput(anyhow::anyhow!(
                    "--today {text}: give a date as YYYY-MM-DD ({e})"
                ))
            })
        })
        .transpose()?;
    let app = open(config).await?;
    let now = app.now_ms();
    let today = given.unwrap_or_else(|| qiaoyi_app::cases::beijing_today(now));
    let run = app
        .queue_passport_reminders(today, now)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    println!(
        "{today}: {} passports expire within the reminder window; {} reminders queued",
        run.checked, run.queued
    );
    Ok(())
}

fn load_config(file: Option<&Path>) -> anyhow::Result<Config> {
    let text =
        match file {
            Some(path) => Some(std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the configuration file {}", path.display())
            })?),
            None => None,
        };
    let name = file.map(|p| p.display().to_string());
    let source = name.as_deref().zip(text.as_deref());
    Ok(Config::load(source, std::env::vars())?)
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The bench makes its own data dir and configuration; the installation's are not touched.
async fn run_bench(options: bench::Options) -> Result<(), Failure> {
    bench::check(&options).map_err(Failure::BadInput)?;
    let report = bench::run(&options).await.map_err(Failure::Other)?;
    print!("{}", report.text());
    write_report(options.json.as_deref(), &report)
}

async fn run_stats_bench(
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

async fn export_stats(
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

async fn reindex(config: Config) -> Result<(), Failure> {
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

fn run_search_bench(docs: usize, queries: usize, json: Option<&Path>) -> Result<(), Failure> {
    if docs == 0 || queries == 0 {
        return Err(Failure::BadInput(anyhow::anyhow!(
            "--docs and --queries must be at least 1"
        )));
    }
    let report = bench::search::run(docs, queries).map_err(Failure::Other)?;
    print!("{}", report.text());
    write_report(json, &report)
}

fn run_pairing_bench(
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

async fn open(config: Config) -> Result<App, Failure> {
    App::open(config).await.map_err(|e| match e {
        AppError::Config(_) => Failure::BadInput(e.into()),
        other => Failure::Other(other.into()),
    })
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, Failure> {
    TcpListener::bind(addr).await.map_err(|e| {
        Failure::Other(anyhow::anyhow!(
            "cannot listen on {addr}: {e}; choose another address with --listen or QIAOYI_LISTEN"
        ))
    })
}

async fn serve(listener: TcpListener, app: App) -> Result<(), Failure> {
    let worker = app.spawn_outbox_worker();
    // With PostgreSQL, messages written on other nodes reach this node's chat clients.
    let listener_task = app.spawn_chat_listener();
    // The search index is opened, or built, before the first question rather than during it.
    let warm = app.clone();
    tokio::spawn(async move {
        match warm.warm_search().await {
            Ok(documents) => tracing::info!(documents, "search index ready"),
            Err(e) => {
                tracing::warn!(error = %e, "search index not ready; it is built at the first search")
            }
        }
    });
    // Cases closed before statistics existed get their figures once.
    let backfill = app.clone();
    tokio::spawn(async move {
        match backfill.backfill_outcomes(backfill.now_ms()).await {
            Ok(0) => {}
            Ok(cases) => tracing::info!(cases, "statistics recorded for cases closed earlier"),
            Err(e) => tracing::warn!(error = %e, "statistics of cases closed earlier not recorded"),
        }
    });
    let served = qiaoyi_web::serve(listener, app.clone(), shutdown_signal())
        .await
        .context("the server stopped");
    worker.abort();
    if let Some(task) = listener_task {
        task.abort();
    }
    served?;
    app.close().await;
    Ok(())
}

async fn import_calendar(config: Config, file: &Path) -> Result<(), Failure> {
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

async fn import_catalog(config: Config, dir: &Path) -> Result<(), Failure> {
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

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
