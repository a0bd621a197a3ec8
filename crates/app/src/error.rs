use qiaoyi_domain::catalog::CatalogError;
use qiaoyi_store::StoreError;
use thiserror::Error;

use crate::config::ConfigError;

/// Every way a use case can refuse or fail. The web layer alone turns these into status codes.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("sign in first")]
    Unauthenticated,
    #[error("confirm it is you with the code from your authenticator app first")]
    SecondFactorRequired,
    #[error("this decision needs a fresh code from your authenticator app")]
    FreshSecondFactorRequired,
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("the catalogue is refused: {0}")]
    Catalog(#[from] CatalogError),
    #[error("no catalogue has been imported yet; run `qiaoyi import catalog DIR` or `qiaoyi demo`")]
    NoCatalog,
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the data directory cannot be used: {0}")]
    DataDir(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
