//! The command line as clap reads it: `Cli` and its subcommands, each with its help text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "qiaoyi",
    version,
    about = "Qiaoyi (侨驿): cross-border public services for a county bureau"
)]
pub(crate) struct Cli {
    /// TOML configuration file; `QIAOYI_*` environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// Check an electronic certificate offline: FILE holds its JWS (or the address in its QR
    /// code), KEYS the signing keys as published at /.well-known/jwks.json. Exit 0 when genuine,
    /// 1 when not, 2 for files that cannot be read. Whether it was revoked only the online check
    /// can tell.
    Verify {
        /// The certificate as a compact JWS, or the address its QR code carries.
        file: std::path::PathBuf,
        /// The published keys (a JWK Set).
        #[arg(long)]
        keys: std::path::PathBuf,
    },
    /// Check identity numbers in bulk by the forms' rules: each line of FILE (or standard input)
    /// a resident ID number as a JSON string or a machine-readable zone as a JSON array of its
    /// lines; one JSON verdict per line, naming the part that fails.
    CheckIds {
        file: Option<std::path::PathBuf>,
        /// The day birth dates may not be after (YYYY-MM-DD); today in Beijing by default.
        #[arg(long)]
        today: Option<String>,
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
    /// Write a consistent copy of the database while the server runs: SQLite's own copy, or on
    /// PostgreSQL pg_dump's custom format (pg_dump from the path or pg_bin_dir). The copy does not
    /// hold the field key: keep secret.key (or QIAOYI_SECRET_KEY) safe, apart from the backups.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Make a backup the configured database, after checking that it is whole, that the data
    /// dir's key opens it and that its audit chain verifies; on PostgreSQL the database must be
    /// empty (pg_restore loads it). The server must be stopped.
    Restore {
        /// A file written by `qiaoyi backup`.
        file: PathBuf,
        /// Replace a SQLite database that is there already.
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
        /// An empty, throwaway PostgreSQL database: intake and reads run on it too, with one node
        /// and with three sharing it, printed beside SQLite's.
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
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
pub(crate) enum ExportWhat {
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
pub(crate) enum UserWhat {
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
pub(crate) enum AuditWhat {
    /// Walk the keyed hash chain to its stored head and report the first broken entry (exit 1) or
    /// how many entries are whole.
    Verify {
        /// A checkpoint printed earlier by `audit checkpoint` (SEQ:HASH): its entry must still be
        /// in the chain with that hash, so entries cut off the end show.
        #[arg(long, value_name = "SEQ:HASH")]
        checkpoint: Option<String>,
    },
    /// Verify the chain, then print its head as SEQ:HASH, to be kept where the database's own
    /// administrators cannot change it (another machine, a ticket, paper).
    Checkpoint,
    /// Key an older chain that was already broken before entries were keyed, as it stands. Only
    /// after keeping a copy of the database: the break is no longer shown afterwards.
    Rekey {
        /// The entry the chain is broken at, as the refused start named it.
        #[arg(long, value_name = "SEQ")]
        over_break: i64,
    },
}

#[derive(Subcommand)]
pub(crate) enum KeysWhat {
    /// Make a new key sign from now on. Certificates signed by earlier keys keep verifying under
    /// their key id; the secret halves are sealed with the field key.
    Rotate,
}

#[derive(Subcommand)]
pub(crate) enum LedgerWhat {
    /// Replay every fee entry: each one's postings must be exactly those of its kind and amount
    /// (so they sum to zero), no case may be overpaid or over-refunded, and all balances must sum
    /// to zero. Prints the balances; exit 1 with the problems found otherwise.
    Check,
}

#[derive(Subcommand)]
pub(crate) enum ImportWhat {
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
pub(crate) enum ConfigWhat {
    /// Print the default configuration as TOML.
    Defaults,
}
