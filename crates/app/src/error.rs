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
    /// Several fields of one form refused at once, in the form's order: a person learns every
    /// mistake from one answer. Never holds fewer than two (one is [`AppError::Invalid`]); built by
    /// [`AppError::fields`].
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    InvalidFields(Vec<FieldProblem>),
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
    /// Not a `source`: the message already names the file, field and reason, and a chain printed
    /// with its sources would say it twice.
    #[error("the catalogue is refused: {0}")]
    Catalog(CatalogError),
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
    /// A WeChat callback refused: unsigned, stale, replayed or not WeChat's.
    #[error("the WeChat request is refused: {0}")]
    Wechat(qiaoyi_domain::wechat::WechatError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure on the server's side that no input can fix, e.g. a password that cannot be hashed.
    #[error("internal failure: {0}")]
    Internal(String),
}

/// One refused field: which, why, and the English message (as [`AppError::Invalid`] holds them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub reason: Reason,
    pub message: String,
}

impl From<CatalogError> for AppError {
    fn from(error: CatalogError) -> Self {
        AppError::Catalog(error)
    }
}

impl AppError {
    /// The refusal of a form whose fields were all checked: nothing when none was wrong, one
    /// [`AppError::Invalid`] for one field, [`AppError::InvalidFields`] for more.
    pub fn fields(mut problems: Vec<FieldProblem>) -> Result<(), AppError> {
        match problems.len() {
            0 => Ok(()),
            1 => {
                let FieldProblem {
                    field,
                    reason,
                    message,
                } = problems.remove(0);
                Err(AppError::Invalid {
                    field,
                    reason,
                    message,
                })
            }
            _ => Err(AppError::InvalidFields(problems)),
        }
    }

    /// The value of one checked field, or `None` with its problems added to `problems`: for
    /// checking a whole form before refusing it with [`AppError::fields`]. A failure that is not
    /// about a field (the database, a refusal) is returned at once.
    pub fn keep<T>(
        problems: &mut Vec<FieldProblem>,
        checked: Result<T, AppError>,
    ) -> Result<Option<T>, AppError> {
        match checked {
            Ok(value) => Ok(Some(value)),
            Err(e @ (AppError::Invalid { .. } | AppError::InvalidFields(_))) => {
                problems.extend(e.field_problems());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Every field this error refuses, in order: one for [`AppError::Invalid`], several for
    /// [`AppError::InvalidFields`], none for any other failure.
    pub fn field_problems(&self) -> Vec<FieldProblem> {
        match self {
            AppError::Invalid {
                field,
                reason,
                message,
            } => vec![FieldProblem {
                field,
                reason: *reason,
                message: message.clone(),
            }],
            AppError::InvalidFields(problems) => problems.clone(),
            _ => Vec::new(),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(field: &'static str) -> FieldProblem {
        FieldProblem {
            field,
            reason: Reason::Malformed,
            message: format!("{field} is wrong"),
        }
    }

    /// `qiaoyi demo` prints a refused catalogue with its sources (anyhow's `{:#}`): the reason once.
    #[test]
    fn a_refused_catalogue_is_told_once() {
        let error = AppError::from(CatalogError {
            file: "guides/a.toml".into(),
            line: Some(3),
            field: "guide[0].route".into(),
            message: "is missing".into(),
        });
        let mut told = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            told.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        assert_eq!(told.matches("is missing").count(), 1, "{told}");
        assert!(told.contains("guides/a.toml"), "{told}");
    }

    #[test]
    fn a_form_is_refused_with_one_error_per_wrong_field_and_other_failures_pass_through() {
        assert!(AppError::fields(Vec::new()).is_ok());
        let one = AppError::fields(vec![problem("name")]).expect_err("refused");
        assert!(matches!(one, AppError::Invalid { field: "name", .. }));
        let two = AppError::fields(vec![problem("name"), problem("email")]).expect_err("refused");
        let fields: Vec<&str> = two.field_problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "email"]);
        assert_eq!(
            two.to_string(),
            "name: name is wrong; email: email is wrong"
        );

        let mut problems = Vec::new();
        let kept = AppError::keep(&mut problems, Ok::<_, AppError>(7)).expect("no failure");
        assert_eq!(kept, Some(7));
        let wrong = AppError::keep::<u8>(&mut problems, Err(AppError::malformed("email", "x")));
        assert!(matches!(wrong, Ok(None)));
        assert_eq!(problems.len(), 1);
        let down = AppError::keep::<u8>(&mut problems, Err(AppError::Internal("disk".into())));
        assert!(
            matches!(down, Err(AppError::Internal(_))),
            "not a field's problem"
        );
        assert_eq!(problems.len(), 1);
    }
}
