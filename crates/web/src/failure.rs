//! The one classifier of failures: every [`AppError`] gets its status, problem type and page
//! messages here, so the API and the pages answer the same failure the same way.

use axum::http::StatusCode;
use qiaoyi_app::{AppError, StoreError};
use qiaoyi_domain::wechat::WechatError;

/// How loudly a failure is logged by whoever answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Log {
    /// The reader's doing, or an ordinary race: nothing for operators.
    None,
    /// Passing trouble on our side (the database out of reach).
    Warn,
    /// Something operators must fix.
    Error,
}

/// What a failure means to the reader, whichever way it is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: StatusCode,
    /// The problem type's last segment: `/problems/{slug}`.
    pub slug: &'static str,
    /// The page's title and message, as message ids.
    pub title_key: &'static str,
    pub message_key: &'static str,
    /// The API's `detail` when the error's own text is for operators only; `None` shows the
    /// error's text, which is written for the person who sent the request.
    pub public_detail: Option<&'static str>,
    pub log: Log,
}

const fn failure(
    status: StatusCode,
    slug: &'static str,
    title_key: &'static str,
    message_key: &'static str,
) -> Failure {
    Failure {
        status,
        slug,
        title_key,
        message_key,
        public_detail: None,
        log: Log::None,
    }
}

const INTERNAL: Failure = Failure {
    public_detail: Some("something went wrong on our side; it has been logged"),
    log: Log::Error,
    ..failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "error-internal-title",
        "error-internal",
    )
};

/// Classifies a failure. Every variant is named (no catch-all), so a new kind of failure cannot
/// be added without deciding here how it is answered.
pub(crate) fn classify(error: &AppError) -> Failure {
    match error {
        AppError::NotFound(_) => failure(
            StatusCode::NOT_FOUND,
            "not-found",
            "error-not-found-title",
            "error-not-found",
        ),
        AppError::Invalid { .. } | AppError::InvalidFields(_) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "error-invalid-title",
            "error-invalid",
        ),
        AppError::Unauthenticated => failure(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "error-sign-in-title",
            "error-sign-in",
        ),
        AppError::SecondFactorRequired => failure(
            StatusCode::UNAUTHORIZED,
            "second-factor-required",
            "error-sign-in-title",
            "error-sign-in",
        ),
        AppError::FreshSecondFactorRequired => failure(
            StatusCode::UNAUTHORIZED,
            "second-factor-stale",
            "error-sign-in-title",
            "error-sign-in",
        ),
        AppError::Forbidden(_) => failure(
            StatusCode::FORBIDDEN,
            "forbidden",
            "error-forbidden-title",
            "error-forbidden",
        ),
        AppError::Mandate(_) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "mandate-refused",
            "error-refused-title",
            "error-mandate-refused",
        ),
        AppError::Catalog(_) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-catalogue",
            "error-refused-title",
            "error-invalid-catalogue",
        ),
        AppError::NoCatalog => failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-catalogue",
            "error-unavailable-title",
            "error-no-catalogue",
        ),
        AppError::CaseConflict { .. } => failure(
            StatusCode::CONFLICT,
            "case-conflict",
            "error-conflict-title",
            "error-case-conflict",
        ),
        AppError::Calendar(_) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-calendar",
            "error-refused-title",
            "error-invalid-calendar",
        ),
        AppError::NoCalendar(_) => failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-calendar",
            "error-unavailable-title",
            "error-no-calendar",
        ),
        AppError::NoFont(_) => Failure {
            public_detail: Some(
                "the server cannot print certificates as PDF just now; the printable page works (operators: see the log)",
            ),
            log: Log::Error,
            ..failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "no-certificate-font",
                "error-unavailable-title",
                "error-no-font",
            )
        },
        AppError::Search(_) => Failure {
            public_detail: Some(
                "search cannot answer just now; browse the catalogue and guides meanwhile (operators: see the log, or run qiaoyi reindex)",
            ),
            log: Log::Error,
            ..failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "search-unavailable",
                "error-unavailable-title",
                "error-unavailable",
            )
        },
        AppError::Wechat(e) => classify_wechat(e),
        AppError::Store(e) => classify_store(e),
        AppError::Config(_)
        | AppError::DataDir(_)
        | AppError::AuditChain(_)
        | AppError::Internal(_) => INTERNAL,
    }
}

/// A WeChat callback refused: a 4xx with nothing kept, not logged, as every refusal of what a
/// caller sent. An operator whose account's own messages fail sees the 403s in the access log
/// and reads OPERATIONS.md ("WeChat").
fn classify_wechat(error: &WechatError) -> Failure {
    let (status, slug) = match error {
        WechatError::BadSignature
        | WechatError::BadTimestamp
        | WechatError::Stale { .. }
        | WechatError::Replayed => (StatusCode::FORBIDDEN, "wechat-refused"),
        WechatError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "wechat-too-large"),
        WechatError::BadKey
        | WechatError::Undecryptable(_)
        | WechatError::WrongAppId
        | WechatError::Doctype
        | WechatError::Malformed(_)
        | WechatError::Missing(_) => (StatusCode::BAD_REQUEST, "wechat-malformed"),
    };
    failure(status, slug, "error-refused-title", "error-forbidden")
}

fn classify_store(error: &StoreError) -> Failure {
    if error.is_disk_full() {
        return Failure {
            public_detail: Some(
                "the server's disk is full, so nothing was saved; try again later (operators: free space for the database)",
            ),
            log: Log::Error,
            ..failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "disk-full",
                "error-unavailable-title",
                "error-disk-full",
            )
        };
    }
    if error.is_unavailable() {
        return Failure {
            public_detail: Some(
                "the service cannot reach its database just now; try again in a minute",
            ),
            log: Log::Warn,
            ..failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "error-unavailable-title",
                "error-unavailable",
            )
        };
    }
    match error {
        StoreError::Conflict { .. } => failure(
            StatusCode::CONFLICT,
            "conflict",
            "error-conflict-title",
            "error-conflict",
        ),
        StoreError::UnsupportedUrl(_)
        | StoreError::Connect(_)
        | StoreError::Migrate(_)
        | StoreError::CorruptRow { .. }
        | StoreError::Ledger(_)
        | StoreError::NoAuditKey
        | StoreError::Database(_)
        | StoreError::Group(_) => INTERNAL,
    }
}

/// Logs a failure as loudly as its class asks; `what` says where it was answered.
pub(crate) fn log(failure: &Failure, error: &AppError, what: &'static str) {
    match failure.log {
        Log::None => {}
        Log::Warn => tracing::warn!(error = %error, slug = failure.slug, "{what} failed"),
        Log::Error => tracing::error!(error = %error, slug = failure.slug, "{what} failed"),
    }
}

#[cfg(test)]
mod tests {
    use qiaoyi_app::domain::catalog::CatalogError;
    use qiaoyi_app::domain::mandates::Refusal;
    use qiaoyi_app::{ConflictKind, Reason};
    use qiaoyi_domain::lang::Lang;

    use super::*;
    use crate::i18n::has_message;

    /// One value of every failure, with what it must be answered with. The match makes a new
    /// variant of `AppError` fail to compile here until it has a row.
    fn every_failure() -> Vec<(AppError, u16, &'static str, &'static str)> {
        let disk_full = StoreError::Database(sqlx::Error::Database(Box::new(FakeDbError("13"))));
        let rows = vec![
            (
                AppError::NotFound("case".into()),
                404,
                "not-found",
                "error-not-found",
            ),
            (
                AppError::Invalid {
                    field: "name",
                    reason: Reason::TooLong,
                    message: "at most 40 characters".into(),
                },
                422,
                "invalid",
                "error-invalid",
            ),
            (
                AppError::InvalidFields(vec![
                    qiaoyi_app::FieldProblem {
                        field: "name",
                        reason: Reason::TooShort,
                        message: "write a name".into(),
                    },
                    qiaoyi_app::FieldProblem {
                        field: "email",
                        reason: Reason::Malformed,
                        message: "not an address".into(),
                    },
                ]),
                422,
                "invalid",
                "error-invalid",
            ),
            (
                AppError::Unauthenticated,
                401,
                "unauthenticated",
                "error-sign-in",
            ),
            (
                AppError::SecondFactorRequired,
                401,
                "second-factor-required",
                "error-sign-in",
            ),
            (
                AppError::FreshSecondFactorRequired,
                401,
                "second-factor-stale",
                "error-sign-in",
            ),
            (
                AppError::Forbidden("read"),
                403,
                "forbidden",
                "error-forbidden",
            ),
            (
                AppError::Mandate(Refusal::Revoked),
                422,
                "mandate-refused",
                "error-mandate-refused",
            ),
            (
                AppError::Catalog(CatalogError {
                    file: "items.toml".into(),
                    line: Some(3),
                    field: "item[0].fee_fen".into(),
                    message: "broken".into(),
                }),
                422,
                "invalid-catalogue",
                "error-invalid-catalogue",
            ),
            (
                AppError::NoCatalog,
                503,
                "no-catalogue",
                "error-no-catalogue",
            ),
            (
                AppError::CaseConflict {
                    state: "submitted",
                    version: 3,
                },
                409,
                "case-conflict",
                "error-case-conflict",
            ),
            (
                AppError::Calendar("2027.toml: broken".into()),
                422,
                "invalid-calendar",
                "error-invalid-calendar",
            ),
            (
                AppError::NoCalendar(2027),
                503,
                "no-calendar",
                "error-no-calendar",
            ),
            (
                AppError::NoFont("missing".into()),
                503,
                "no-certificate-font",
                "error-no-font",
            ),
            (
                AppError::Search("locked".into()),
                503,
                "search-unavailable",
                "error-unavailable",
            ),
            (
                AppError::Config(qiaoyi_app::config::ConfigError::DatabaseUrl(
                    "mysql://".into(),
                )),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::AuditChain("keyed with another key".into()),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::DataDir("read-only".into()),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Internal("cannot hash".into()),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Store(disk_full),
                503,
                "disk-full",
                "error-disk-full",
            ),
            (
                AppError::Store(StoreError::Connect("refused".into())),
                503,
                "unavailable",
                "error-unavailable",
            ),
            (
                AppError::Store(StoreError::Conflict {
                    kind: ConflictKind::Taken,
                    message: "someone booked this time first".into(),
                }),
                409,
                "conflict",
                "error-conflict",
            ),
            (
                AppError::Store(StoreError::Conflict {
                    kind: ConflictKind::Other,
                    message: "changed meanwhile".into(),
                }),
                409,
                "conflict",
                "error-conflict",
            ),
            (
                AppError::Store(StoreError::Migrate("checksum".into())),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Store(StoreError::UnsupportedUrl("mysql://".into())),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Store(StoreError::CorruptRow {
                    table: "cases",
                    key: "c-1".into(),
                    reason: "state \"lost\"".into(),
                }),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Store(StoreError::Ledger(
                    qiaoyi_app::domain::fees::EntryError::NothingOwed,
                )),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Store(StoreError::NoAuditKey),
                500,
                "internal",
                "error-internal",
            ),
            // A SQLite write group whose commit failed: each writer gets the group's error,
            // answered as its own would be (a full disk is 503 like any other).
            (
                AppError::Store(StoreError::Group(std::sync::Arc::new(
                    sqlx::Error::Database(Box::new(FakeDbError("13"))),
                ))),
                503,
                "disk-full",
                "error-disk-full",
            ),
            (
                AppError::Store(StoreError::Group(std::sync::Arc::new(
                    sqlx::Error::PoolTimedOut,
                ))),
                503,
                "unavailable",
                "error-unavailable",
            ),
            (
                AppError::Store(StoreError::Database(sqlx::Error::RowNotFound)),
                500,
                "internal",
                "error-internal",
            ),
            (
                AppError::Wechat(WechatError::Replayed),
                403,
                "wechat-refused",
                "error-forbidden",
            ),
            (
                AppError::Wechat(WechatError::Doctype),
                400,
                "wechat-malformed",
                "error-forbidden",
            ),
            (
                AppError::Wechat(WechatError::TooLarge(70_000)),
                413,
                "wechat-too-large",
                "error-forbidden",
            ),
        ];
        for (error, ..) in &rows {
            // Names every variant, the store's too: a new one fails to compile until it has a
            // row above.
            if let AppError::Store(e) = error {
                match e {
                    StoreError::UnsupportedUrl(_)
                    | StoreError::Connect(_)
                    | StoreError::Migrate(_)
                    | StoreError::CorruptRow { .. }
                    | StoreError::Conflict { .. }
                    | StoreError::Ledger(_)
                    | StoreError::NoAuditKey
                    | StoreError::Database(_)
                    | StoreError::Group(_) => {}
                }
            }
            match error {
                AppError::NotFound(_)
                | AppError::Invalid { .. }
                | AppError::InvalidFields(_)
                | AppError::Unauthenticated
                | AppError::SecondFactorRequired
                | AppError::FreshSecondFactorRequired
                | AppError::Forbidden(_)
                | AppError::Mandate(_)
                | AppError::Catalog(_)
                | AppError::NoCatalog
                | AppError::CaseConflict { .. }
                | AppError::Calendar(_)
                | AppError::NoCalendar(_)
                | AppError::NoFont(_)
                | AppError::Search(_)
                | AppError::Config(_)
                | AppError::DataDir(_)
                | AppError::AuditChain(_)
                | AppError::Store(_)
                | AppError::Wechat(_)
                | AppError::Internal(_) => {}
            }
        }
        rows
    }

    #[test]
    fn every_failure_is_classified_as_the_table_says() {
        for (error, status, slug, message_key) in every_failure() {
            let f = classify(&error);
            assert_eq!(f.status.as_u16(), status, "{error:?}");
            assert_eq!(f.slug, slug, "{error:?}");
            assert_eq!(f.message_key, message_key, "{error:?}");
            // The reader's failures are not logged; ours always are.
            if status < 500 {
                assert_eq!(f.log, Log::None, "{error:?}");
            }
            if status == 500 {
                assert_eq!(f.log, Log::Error, "{error:?}");
            }
        }
    }

    #[test]
    fn the_api_and_the_pages_agree_on_the_status() {
        for (error, status, slug, _) in every_failure() {
            let problem = crate::problem::Problem::from(error);
            assert_eq!(problem.status, status);
            assert_eq!(problem.kind, format!("/problems/{slug}"));
        }
    }

    #[test]
    fn an_invalid_field_tells_clients_why() {
        let problem = crate::problem::Problem::from(AppError::Invalid {
            field: "valid_to",
            reason: Reason::PeriodTooLong,
            message: "a mandate lasts at most two years".into(),
        });
        assert_eq!(problem.field.as_deref(), Some("valid_to"));
        assert_eq!(problem.reason.as_deref(), Some("period-too-long"));
        assert_eq!(problem.detail, "a mandate lasts at most two years");
    }

    #[test]
    fn every_page_message_exists_in_every_language() {
        for (error, ..) in every_failure() {
            let f = classify(&error);
            for lang in Lang::ALL {
                for key in [f.title_key, f.message_key] {
                    assert!(has_message(lang, key), "{lang:?} lacks {key}");
                }
            }
        }
    }

    /// The pages choose a field's message by `(field, reason)`; every error message id they
    /// name, in any arm, must resolve in every language.
    #[test]
    fn every_error_message_a_page_chooses_exists_in_every_language() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
        let mut keys = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("src/pages") {
            let path = entry.expect("entry").path();
            let source = std::fs::read_to_string(&path).expect("read");
            for literal in source.split('"').skip(1).step_by(2) {
                let is_id = literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if is_id && (literal.contains("-error-") || literal.starts_with("error-")) {
                    keys.insert(literal.to_owned());
                }
            }
        }
        assert!(keys.len() > 100, "the scan found the ids ({})", keys.len());
        for lang in Lang::ALL {
            let missing: Vec<_> = keys.iter().filter(|k| !has_message(lang, k)).collect();
            assert!(missing.is_empty(), "{lang:?}: no message for {missing:?}");
        }
    }

    /// A database error with a given code, for the disk-full case.
    #[derive(Debug)]
    struct FakeDbError(&'static str);

    impl std::fmt::Display for FakeDbError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "database error {}", self.0)
        }
    }

    impl std::error::Error for FakeDbError {}

    impl sqlx::error::DatabaseError for FakeDbError {
        fn message(&self) -> &str {
            "database or disk is full"
        }

        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }

        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }

        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }

        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }

        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }
}
