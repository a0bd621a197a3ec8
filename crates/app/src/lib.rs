//! Use cases of Qiaoyi. [`App`] is what the web layer and the CLI hold: it owns the store and
//! answers in domain terms; nothing here knows HTTP.

pub mod catalog_source;
pub mod config;
mod error;

pub use error::AppError;
pub use qiaoyi_domain as domain;
pub use qiaoyi_store::{Backend, CatalogHeader, ImportOutcome, Page, StoreError};

use qiaoyi_domain::catalog::{Category, Guide, Item, SourceFile, Station};
use qiaoyi_store::Store;

use crate::config::Config;

/// The application: configuration and an open, migrated store.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    config: Config,
}

/// The most rows one page of a list may ask for.
pub const MAX_PAGE: u64 = 100;

impl App {
    /// Connects to the configured database and brings its schema up to date.
    pub async fn open(config: Config) -> Result<App, AppError> {
        let url = config.database_url()?;
        if url.backend() == Backend::Sqlite {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| AppError::DataDir(format!("{}: {e}", config.data_dir.display())))?;
        }
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        Ok(App { store, config })
    }

    /// An app over a store that is already open and migrated (tests).
    pub fn with_store(store: Store, config: Config) -> App {
        App { store, config }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// Validates a catalogue directory's files and imports them as one unit.
    pub async fn import_catalog(
        &self,
        files: &[SourceFile],
        now_ms: i64,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<ImportOutcome, AppError> {
        let catalog = qiaoyi_domain::catalog::parse(files)?;
        Ok(self
            .store
            .import_catalog(&catalog, now_ms, progress)
            .await?)
    }

    /// Brings a data dir to the demo state: the reference catalogue. Running it again changes nothing.
    pub async fn seed_demo(&self, now_ms: i64) -> Result<ImportOutcome, AppError> {
        self.import_catalog(&catalog_source::reference(), now_ms, &|_, _| {})
            .await
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
        if limit == 0 || limit > MAX_PAGE {
            return Err(AppError::Invalid {
                field: "limit",
                message: format!("give a limit from 1 to {MAX_PAGE}"),
            });
        }
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

    pub async fn close(&self) {
        self.store.close().await;
    }
}
