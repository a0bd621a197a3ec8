use qiaoyi_domain::catalog::CatalogError;
use qiaoyi_domain::failure::Reason;
use qiaoyi_store::StoreError;
use thiserror::Error;

use crate::config::ConfigError;

/// Every way a use case can refuse or fail. The web layer alone turns these into status codes.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("{0} was not found")]
    NotFound(String),
    /// An input refused: the field at fault, why (what pages and clients act on) and the English
    /// message for logs and the API's `detail`.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        reason: Reason,
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
    /// An act for a principal that her mandate does not allow, with the reason.
    #[error("{0}")]
    Mandate(qiaoyi_domain::mandates::Refusal),
    #[error("the catalogue is refused: {0}")]
    Catalog(#[from] CatalogError),
    #[error("no catalogue has been imported yet; run `qiaoyi import catalog DIR` or `qiaoyi demo`")]
    NoCatalog,
    #[error("someone else moved this case first: it is now {state} (version {version}); reload it")]
    CaseConflict { state: &'static str, version: i64 },
    #[error("the working-day calendar is refused: {0}")]
    Calendar(String),
    #[error(
        "no working-day calendar for {0} has been imported; an administrator imports it with `qiaoyi import calendar FILE`"
    )]
    NoCalendar(i16),
    #[error(
        "the certificate font cannot be used ({0}); install Debian's fonts-noto-cjk or set certificate_font"
    )]
    NoFont(String),
    #[error("the search index cannot be used: {0}")]
    Search(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the data directory cannot be used: {0}")]
    DataDir(String),
    /// The audit chain cannot be kept under this key: what is wrong and what the operator does.
    #[error("{0}")]
    AuditChain(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure on the server's side that no input can fix, e.g. a password that cannot be hashed.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl AppError {
    /// A field wrong in form: the page shows its message for the field.
    pub fn malformed(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field,
            reason: Reason::Malformed,
            message: message.into(),
        }
    }

    /// A field refused for a reason pages or clients tell apart.
    pub fn refused(field: &'static str, reason: Reason, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field,
            reason,
            message: message.into(),
        }
    }
}
