//! The `qiaoyi` binary: serve, demo, migrate, import, config.
//!
//! `cli` holds the command line's definitions, `commands` one module per command group; this file
//! reads the command line and the configuration and hands the command to its module.

use std::path::Path;
use std::process::ExitCode;

mod bench;
mod cli;
mod commands;

use anyhow::Context;
use clap::Parser;
use qiaoyi_app::config::{Config, LogFormat};

use crate::cli::{
    AuditWhat, Cli, Command, ConfigWhat, ExportWhat, ImportWhat, KeysWhat, LedgerWhat, UserWhat,
};

/// jemalloc gives freed memory back to the system (its background thread purges within seconds):
/// glibc's allocator kept what a first demo start freed after seeding and building the search
/// index resident (318 MB against 48 MB after a restart; jemalloc 96 MB, the word segmenter's
/// dictionary most of the difference), and mimalloc held more at rest (86 MB after a restart).
/// Measured in PERFORMANCE.md.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
        database_url,
        json,
    } = cli.command
    {
        return commands::benches::run_bench(bench::Options {
            clients,
            seconds,
            interval_ms,
            json,
            database_url,
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
        return commands::benches::run_stats_bench(
            *cases,
            *runs,
            database_url.clone(),
            json.as_deref(),
        )
        .await;
    }
    if let Command::BenchPairing {
        children,
        volunteers,
        runs,
        json,
    } = &cli.command
    {
        return commands::benches::run_pairing_bench(
            *children,
            *volunteers,
            *runs,
            json.as_deref(),
        );
    }
    // Offline: no configuration, database or network.
    if let Command::Verify { file, keys } = &cli.command {
        return commands::keys::verify_offline(file, keys);
    }
    if let Command::CheckIds { file, today } = &cli.command {
        return commands::identity::check_ids(file.as_deref(), today.as_deref());
    }
    let mut config = load_config(cli.config.as_deref()).map_err(Failure::BadInput)?;
    if let Command::BenchSearch {
        docs,
        queries,
        json,
    } = &cli.command
    {
        return commands::benches::run_search_bench(*docs, *queries, json.as_deref());
    }
    if let Command::Demo { listen, data } = &cli.command {
        config.listen = listen.unwrap_or(config.listen);
        config.data_dir = data.clone().unwrap_or(config.data_dir);
    }
    init_logging(&config);

    match cli.command {
        Command::Config { .. } => Ok(()),
        Command::Migrate => {
            let app = commands::open(config).await?;
            println!("database schema is up to date ({})", app.backend().as_str());
            Ok(())
        }
        Command::Import {
            what: ImportWhat::Catalog { dir },
        } => commands::import::import_catalog(config, &dir).await,
        Command::Import {
            what: ImportWhat::Calendar { file },
        } => commands::import::import_calendar(config, &file).await,
        Command::User {
            what:
                UserWhat::Add {
                    email,
                    name,
                    roles,
                    password_stdin,
                },
        } => commands::user::add_user(config, &email, &name, &roles, password_stdin).await,
        Command::Audit {
            what: AuditWhat::Verify { checkpoint },
        } => commands::audit::verify_audit(config, checkpoint.as_deref()).await,
        Command::Audit {
            what: AuditWhat::Checkpoint,
        } => commands::audit::print_checkpoint(config).await,
        Command::Audit {
            what: AuditWhat::Rekey { over_break },
        } => commands::audit::rekey_over_break(config, over_break).await,
        Command::Ledger {
            what: LedgerWhat::Check,
        } => commands::ledger::check_ledger(config).await,
        Command::Keys {
            what: KeysWhat::Rotate,
        } => commands::keys::rotate_keys(config).await,
        Command::Remind { today } => commands::remind::remind(config, today.as_deref()).await,
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
            commands::export::export_stats(config, query, &table, &out).await
        }
        Command::Bench { .. }
        | Command::BenchSearch { .. }
        | Command::BenchStats { .. }
        | Command::BenchPairing { .. } => {
            unreachable!("the benches run before configuration is read")
        }
        Command::Reindex => commands::reindex::reindex(config).await,
        Command::Backup { out } => commands::backup::backup(config, &out).await,
        Command::Restore { file, replace } => {
            commands::backup::restore(config, &file, replace).await
        }
        Command::Verify { .. } | Command::CheckIds { .. } => Ok(()),
        Command::Serve => commands::serve::serve_installation(config).await,
        Command::Demo { .. } => commands::serve::demo(config).await,
    }
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
        .with_writer(std::io::stderr)
        // Colour only on a terminal: a log file or the journal gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
