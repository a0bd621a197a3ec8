//! Use cases of Qiaoyi. [`App`] is what the web layer and the CLI hold: it owns the store and
//! answers in domain terms; nothing here knows HTTP.

pub mod accounts;
pub mod admin;
pub mod api_tokens;
mod audit_chain;
pub mod backup;
pub mod calendar;
pub mod care;
pub mod care_board;
pub mod care_pairing;
pub mod cases;
pub mod catalog_source;
pub mod certificate_pdf;
pub mod certificates;
pub mod clock;
pub mod config;
pub mod consultations;
pub mod delivery;
pub mod demo;
mod error;
pub mod evaluations;
pub mod fees;
mod file_check;
pub mod green_channel;
pub mod hall;
pub mod handover;
pub mod mandates;
pub mod notify;
pub mod outbox;
pub mod payments;
pub mod people;
pub mod persons;
pub mod reminders;
pub mod role_requests;
pub mod search;
pub mod signup;
pub mod stats;
pub mod stats_export;
pub mod vault;
pub mod video;
pub mod video_check;
pub mod wechat;
pub mod wechat_link;

pub use accounts::Caller;
pub use error::{AppError, FieldProblem};
pub use qiaoyi_domain as domain;
pub use qiaoyi_domain::failure::Reason;
// What web and the CLI may name from the store: the failures its one classifier maps
// (`StoreError`, `ConflictKind`) and inputs and settings that are not table rows: `Backend` (which
// database this is), `Page` (a slice of a longer list, around read models), `ImportOutcome` (what
// a catalogue import did) and `AuditFilter` (the audit log's search). Read models live in
// `qiaoyi_domain`; a store row type is never re-exported here.
pub use qiaoyi_store::{AuditFilter, Backend, ConflictKind, ImportOutcome, Page, StoreError};

use qiaoyi_domain::catalog::{CatalogHeader, Category, Guide, Item, SourceFile, Station};
use qiaoyi_store::Store;

use crate::config::Config;

/// The application: configuration and an open, migrated store.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    config: Config,
    vault: vault::Vault,
    transports: delivery::Transports,
    pdf_font: certificate_pdf::PdfFont,
    providers: payments::Providers,
    search: search::SearchIndex,
    chat: consultations::ChatHub,
    clock: clock::Clock,
    password_cost: accounts::PasswordCost,
    /// The WeChat Official Account, when one is configured; its key decoded once.
    wechat: Option<wechat::Account>,
}

/// The most rows one page of a list may ask for.
pub const MAX_PAGE: u64 = 100;

/// A page of a list holds 1 to [`MAX_PAGE`] entries.
pub(crate) fn check_limit(limit: u64) -> Result<(), AppError> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(AppError::Invalid {
            field: "limit",
            reason: Reason::Malformed,
            message: format!("give a limit from 1 to {MAX_PAGE}"),
        });
    }
    Ok(())
}

impl App {
    /// Connects to the configured database and brings its schema up to date.
    pub async fn open(config: Config) -> Result<App, AppError> {
        App::open_keying_audit_over(config, None).await
    }

    /// [`App::open`], re-keying an older audit chain even though it is broken at entry
    /// `over_break` (which an operator has seen and kept a copy of); `None` refuses any break.
    pub async fn open_keying_audit_over(
        config: Config,
        over_break: Option<i64>,
    ) -> Result<App, AppError> {
        let url = config.database_url()?;
        if url.backend() == Backend::Sqlite {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| AppError::DataDir(format!("{}: {e}", config.data_dir.display())))?;
        }
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        let vault = match &config.secret_key {
            Some(key) => vault::Vault::from_hex(&key.0)?,
            None => vault::Vault::open_or_create(&config.data_dir)?,
        };
        backup::check_key(&store, &vault).await?;
        let store = store.with_audit_key(vault.audit_chain_key());
        let transports = delivery::Transports::from_config(&config)?
            .keeping_unsent_in(config.data_dir.join("messages"), &config)?;
        let wechat = wechat::Account::from_config(&config)?;
        let app = App {
            store,
            vault,
            transports,
            wechat,
            pdf_font: Default::default(),
            providers: payments::Providers::from_config(&config),
            search: search::SearchIndex::in_dir(config.data_dir.join("search-index")),
            chat: Default::default(),
            clock: clock::Clock::system(),
            password_cost: accounts::PasswordCost::Standard,
            config,
        };
        app.key_audit_chain(over_break).await?;
        let sealed = app.seal_clear_totp_secrets().await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed TOTP secrets that were stored in clear");
        }
        Ok(app)
    }

    /// An app over a store that is already open and migrated, with a fresh random field key and
    /// the cheapest password hashing (tests: a standard argon2 hash costs about as much as the rest
    /// of a test's sign-ins and seeding together).
    pub fn with_store(store: Store, config: Config) -> App {
        let key = accounts::random_hex(32);
        let vault = vault::Vault::from_hex(&key)
            .unwrap_or_else(|e| unreachable!("a fresh key is valid: {e}"));
        let store = store.with_audit_key(vault.audit_chain_key());
        let transports = delivery::Transports::from_config(&config)
            .unwrap_or_else(|e| panic!("the transports of this configuration: {e}"));
        let wechat = wechat::Account::from_config(&config)
            .unwrap_or_else(|e| panic!("the WeChat account of this configuration: {e}"));
        App {
            store,
            vault,
            transports,
            wechat,
            pdf_font: Default::default(),
            providers: payments::Providers::from_config(&config),
            search: search::SearchIndex::default(),
            chat: Default::default(),
            clock: clock::Clock::system(),
            password_cost: accounts::PasswordCost::Minimal,
            config,
        }
    }

    /// The same app with `other`'s field key, as servers sharing one database share it (tests
    /// start a second server over a store the first one sealed fields in).
    pub fn with_field_key_of(mut self, other: &App) -> App {
        self.vault = other.vault.clone();
        self.store = self.store.with_audit_key(self.vault.audit_chain_key());
        self
    }

    /// The online payment providers staff may record payments from.
    pub fn payment_providers(&self) -> &payments::Providers {
        &self.providers
    }

    /// The same app reading the time from `clock` (tests set the day; production keeps the system's).
    pub fn with_clock(mut self, clock: clock::Clock) -> App {
        self.clock = clock;
        self
    }

    /// The clock every use of the current time reads.
    pub fn clock(&self) -> &clock::Clock {
        &self.clock
    }

    /// Now, in milliseconds since the Unix epoch, from [`App::clock`].
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Whether the database answers.
    /// Whether this node can serve: its database answers and holds a catalogue
    /// ([`AppError::NoCatalog`] until one is imported).
    pub async fn ready(&self) -> Result<(), AppError> {
        self.store.ping().await?;
        self.catalog_header().await.map(drop)
    }

    /// Validates a catalogue directory's files and imports them as one unit.
    pub async fn import_catalog(
        &self,
        files: &[SourceFile],
        now_ms: i64,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<ImportOutcome, AppError> {
        let catalog = qiaoyi_domain::catalog::parse(files)?;
        self.import_parsed(&catalog, files, now_ms, progress).await
    }

    /// [`App::import_catalog`] of `files` already parsed into `catalog`.
    pub(crate) async fn import_parsed(
        &self,
        catalog: &qiaoyi_domain::catalog::Catalog,
        files: &[SourceFile],
        now_ms: i64,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<ImportOutcome, AppError> {
        let calendars: Vec<&SourceFile> = files
            .iter()
            .filter(|f| f.path.starts_with("calendar/"))
            .collect();
        // Every file is checked before anything is written.
        let costs = files.iter().find(|f| f.path == "costs.toml");
        if let Some(file) = costs {
            qiaoyi_domain::stats::CostModel::parse(&file.text).map_err(|e| AppError::Invalid {
                field: "costs.toml",
                reason: Reason::Malformed,
                message: e,
            })?;
        }
        for file in &calendars {
            qiaoyi_domain::calendar::YearCalendar::parse(&file.path, &file.text)
                .map_err(|e| AppError::Calendar(e.to_string()))?;
        }
        let outcome = self.store.import_catalog(catalog, now_ms, progress).await?;
        // This node searches the new catalogue from its next question; others within seconds.
        self.search.invalidate();
        let caller = Caller::anonymous(
            accounts::Client {
                address: "cli".into(),
            },
            now_ms,
        );
        if let Some(costs) = costs {
            self.seed_cost_model(&costs.text, now_ms).await?;
        }
        // The working-day calendars beside it (calendar/YYYY.toml), each year on its own.
        for file in calendars {
            self.import_calendar(&caller, &file.path, &file.text)
                .await?;
        }
        Ok(outcome)
    }

    pub async fn catalog_header(&self) -> Result<CatalogHeader, AppError> {
        self.store
            .catalog_header()
            .await?
            .ok_or(AppError::NoCatalog)
    }

    pub async fn categories(&self) -> Result<Vec<Category>, AppError> {
        Ok(self.store.categories().await?)
    }

    pub async fn items(&self, category: Option<&str>) -> Result<Vec<Item>, AppError> {
        Ok(self.store.items(category).await?)
    }

    pub async fn item(&self, code: &str) -> Result<Item, AppError> {
        self.store
            .item(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("item {code}")))
    }

    pub async fn guides(&self, offset: u64, limit: u64) -> Result<Page<Guide>, AppError> {
        check_limit(limit)?;
        Ok(self.store.guides(offset, limit).await?)
    }

    pub async fn guide(&self, code: &str) -> Result<Guide, AppError> {
        self.store
            .guide(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("guide {code}")))
    }

    pub async fn guides_for_item(&self, code: &str) -> Result<Vec<Guide>, AppError> {
        Ok(self.store.guides_for_item(code).await?)
    }

    pub async fn stations(&self) -> Result<Vec<Station>, AppError> {
        Ok(self.store.stations().await?)
    }

    pub async fn account_exists(&self, email: &str) -> Result<bool, AppError> {
        let email = qiaoyi_domain::access::Email::parse(email).map_err(|m| AppError::Invalid {
            field: "email",
            reason: Reason::Malformed,
            message: m.into(),
        })?;
        Ok(self.store.user_by_email(email.as_str()).await?.is_some())
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}
