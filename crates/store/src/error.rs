use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "QIAOYI_DATABASE_URL must start with sqlite:// or postgres://; \"{0}\" names another kind of database"
    )]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(String),
    #[error("a stored {table} row ({key}) cannot be read: {reason}")]
    CorruptRow {
        table: &'static str,
        key: String,
        reason: String,
    },
    /// Someone or something got there first; nothing was written.
    #[error("{message}")]
    Conflict { kind: ConflictKind, message: String },
    /// A fee entry the case's fees do not allow at the moment of writing; nothing was written.
    #[error("{0}")]
    Ledger(qiaoyi_domain::fees::EntryError),
    /// A write that appends to the audit chain on a store opened without the chain's key.
    #[error("the audit chain's key was not given: open the database through the app")]
    NoAuditKey,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The commit of a SQLite write group failed; every writer of the group gets this same error.
    #[error("database error: {0}")]
    Group(std::sync::Arc<sqlx::Error>),
}

/// What a [`StoreError::Conflict`] ran into, for the pages that tell these apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// Someone else took the time or the place first.
    Taken,
    /// An officer has already recorded it, so it can no longer change.
    Recorded,
    /// A WeChat message taken before, sent again by WeChat because the answer was slow.
    Retried,
    /// A WeChat request (its timestamp and nonce) seen before: a replay.
    Replayed,
    /// Anything else that changed meanwhile or exists already.
    Other,
}

impl StoreError {
    /// A conflict no page tells apart from others.
    pub fn conflict(message: String) -> StoreError {
        StoreError::Conflict {
            kind: ConflictKind::Other,
            message,
        }
    }

    /// Whether the database cannot be reached just now, so callers can answer 503.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Connect(_) => true,
            _ => self.sqlx().is_some_and(|e| {
                matches!(
                    e,
                    sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
                )
            }),
        }
    }

    /// The database's own error, whether this writer's or its group's.
    fn sqlx(&self) -> Option<&sqlx::Error> {
        match self {
            StoreError::Database(e) => Some(e),
            StoreError::Group(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the database could not write because its disk is full (SQLite's `SQLITE_FULL` and
    /// its extended codes, PostgreSQL's `disk_full`). The transaction was rolled back.
    pub fn is_disk_full(&self) -> bool {
        let Some(sqlx::Error::Database(e)) = self.sqlx() else {
            return false;
        };
        match e.code() {
            Some(code) => code == "53100" || code.parse::<i64>().is_ok_and(|c| c & 0xff == 13),
            None => false,
        }
    }
}
