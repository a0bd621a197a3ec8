//! Write transactions. On SQLite they run on one connection, in arrival order, committed in groups.
//!
//! SQLite lets one transaction write at a time. With a pool, a writer that found the lock taken
//! slept in the busy handler's growing back-off instead of queueing (a p99 of 581 ms at 8
//! connections while the median was 5 ms). Here every write transaction runs on one dedicated
//! connection, taken in arrival order (tokio's mutex is fair). Each is a savepoint in its group's
//! transaction: the first writer of a group begins it (`BEGIN IMMEDIATE`); each releases its
//! savepoint when it is done, or rolls back to it, alone, when it fails; a committer queued behind
//! the writers already waiting then commits them all with one `COMMIT`, one fsync for the group
//! (`synchronous = FULL` stays). A writer's `commit` returns only once its group is on disk, so no
//! request is answered with a write that a crash could still lose.
//!
//! PostgreSQL, whose writers do not exclude each other, keeps a pool transaction per writer.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::StoreError;

/// How long a writer waits for its turn before it is told the database is busy (as a pool's
/// acquire timeout would): a turn never takes this long unless something holds the line.
const TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// The metric of how many write transactions each SQLite commit made durable.
pub const GROUP_SIZE: &str = "qiaoyi_write_group_size";

/// The one writing connection of a SQLite database and its group.
pub(crate) struct Writer {
    /// A pool of one connection, opened with the same settings as the readers'.
    pool: AnyPool,
    line: Arc<Mutex<Line>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

#[derive(Default)]
struct Line {
    conn: Option<PoolConnection<Any>>,
    /// The group's transaction is open.
    open: bool,
    /// A writer went away without committing: its savepoint is rolled back before anything else.
    abandoned: bool,
    /// Writers whose savepoint is released, waiting for the group's `COMMIT`.
    waiting: Vec<oneshot::Sender<Result<(), Arc<sqlx::Error>>>>,
    /// A committer is queued for the line.
    committer_queued: bool,
}

impl Line {
    fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| StoreError::Database(sqlx::Error::PoolClosed))
    }

    /// Tells every waiting writer how its group ended.
    fn settle(&mut self, outcome: &Result<(), Arc<sqlx::Error>>) {
        for waiter in self.waiting.drain(..) {
            let _ = waiter.send(outcome.clone());
        }
    }

    /// Ends the group after a failure it cannot recover from: rolled back, its waiting writers told,
    /// the connection given up so the next writer starts on a fresh one.
    async fn abort(&mut self, error: Arc<sqlx::Error>) {
        if let Some(conn) = self.conn.as_deref_mut() {
            let _ = conn.execute("ROLLBACK").await;
        }
        if let Some(conn) = self.conn.take() {
            let _ = conn.close().await;
        }
        self.open = false;
        self.abandoned = false;
        self.settle(&Err(error));
    }

    /// Commits the group: one `COMMIT`, then every waiting writer is told.
    async fn commit(&mut self) {
        self.settle_abandoned().await;
        if !self.open {
            self.settle(&Ok(()));
            return;
        }
        let committed = match self.conn() {
            Ok(conn) => conn.execute("COMMIT").await.map(drop),
            Err(_) => Err(sqlx::Error::PoolClosed),
        };
        match committed {
            Ok(()) => {
                self.open = false;
                #[allow(clippy::cast_precision_loss)]
                metrics::histogram!(GROUP_SIZE).record(self.waiting.len() as f64);
                self.settle(&Ok(()));
            }
            Err(e) => self.abort(Arc::new(e)).await,
        }
    }

    /// Rolls back the savepoint of a writer that went away without committing.
    async fn settle_abandoned(&mut self) {
        if !self.abandoned {
            return;
        }
        self.abandoned = false;
        self.undo_member().await;
    }

    /// Undoes the current writer's savepoint (`ROLLBACK TO member`, then `RELEASE member`); a
    /// failure aborts the group. Whether the line can go on.
    async fn undo_member(&mut self) -> bool {
        let undone = match self.conn() {
            Ok(conn) => match conn.execute("ROLLBACK TO member").await {
                Ok(_) => conn.execute("RELEASE member").await.map(drop),
                Err(e) => Err(e),
            },
            Err(_) => return false,
        };
        match undone {
            Ok(()) => true,
            Err(e) => {
                self.abort(Arc::new(e)).await;
                false
            }
        }
    }
}

impl Writer {
    pub(crate) fn new(pool: AnyPool) -> Arc<Writer> {
        Arc::new(Writer {
            pool,
            line: Arc::default(),
        })
    }

    /// Waits for this writer's turn, then opens its savepoint (and the group's transaction when it
    /// is the group's first).
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<WriteTx, StoreError> {
        let mut line = tokio::time::timeout(TURN_TIMEOUT, self.line.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?;
        line.settle_abandoned().await;
        if line.conn.is_none() {
            line.conn = Some(self.pool.acquire().await?);
        }
        if !line.open {
            line.conn()?.execute("BEGIN IMMEDIATE").await?;
            line.open = true;
        }
        if let Err(e) = line.conn()?.execute("SAVEPOINT member").await {
            // The group may have writers waiting for its commit: they are committed still.
            self.queue_committer(&mut line);
            return Err(e.into());
        }
        Ok(WriteTx::Grouped(Member {
            line: Some(line),
            writer: self.clone(),
        }))
    }

    /// Queues one committer behind whoever waits for the line now; it commits the group they join.
    fn queue_committer(self: &Arc<Self>, line: &mut Line) {
        if line.committer_queued {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        line.committer_queued = true;
        let writer = self.clone();
        runtime.spawn(async move { writer.commit_group().await });
    }

    async fn commit_group(self: Arc<Self>) {
        let mut line = self.line.clone().lock_owned().await;
        line.committer_queued = false;
        line.commit().await;
    }

    /// Commits what waits and gives the connection back, so that the pool can close.
    pub(crate) async fn close(&self) {
        let mut line = self.line.lock().await;
        line.commit().await;
        if let Some(conn) = line.conn.take() {
            let _ = conn.close().await;
        }
        drop(line);
        self.pool.close().await;
    }
}

/// One writer's turn on the SQLite line: its savepoint in the group's transaction.
pub(crate) struct Member {
    line: Option<OwnedMutexGuard<Line>>,
    writer: Arc<Writer>,
}

impl Member {
    fn conn(&self) -> &AnyConnection {
        match self.line.as_ref().and_then(|line| line.conn.as_deref()) {
            Some(conn) => conn,
            None => unreachable!("a member holds the line and its connection until it ends"),
        }
    }

    fn conn_mut(&mut self) -> &mut AnyConnection {
        match self.line.as_mut().and_then(|line| line.conn.as_deref_mut()) {
            Some(conn) => conn,
            None => unreachable!("a member holds the line and its connection until it ends"),
        }
    }

    /// Releases the savepoint, gives the line to the next writer, and waits for the group's commit.
    async fn commit(mut self) -> Result<(), StoreError> {
        let Some(mut line) = self.line.take() else {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        };
        if let Err(e) = line.conn()?.execute("RELEASE member").await {
            // This writer's statements alone are undone; the group goes on.
            line.abandoned = true;
            self.writer.queue_committer(&mut line);
            return Err(e.into());
        }
        let (done, committed) = oneshot::channel();
        line.waiting.push(done);
        self.writer.queue_committer(&mut line);
        drop(line);
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Group(e)),
            Err(_) => Err(StoreError::Database(sqlx::Error::PoolClosed)),
        }
    }
}

impl Member {
    /// Undoes this writer's statements now and waits for the rest of its group: what it saw of the
    /// others' writes (and answers with) is durable before its caller reads the database again.
    async fn rollback(mut self) {
        let Some(mut line) = self.line.take() else {
            return;
        };
        if !line.undo_member().await {
            return;
        }
        let (done, group) = oneshot::channel();
        line.waiting.push(done);
        self.writer.queue_committer(&mut line);
        drop(line);
        // This writer wrote nothing: how the group ended does not change its answer.
        let _ = group.await;
    }
}

impl Drop for Member {
    /// A writer that ends without committing (an error returned early) has its savepoint rolled
    /// back by the next holder of the line; the rest of its group is committed as usual.
    fn drop(&mut self) {
        if let Some(mut line) = self.line.take() {
            line.abandoned = true;
            self.writer.queue_committer(&mut line);
        }
    }
}

/// A write transaction: a savepoint on the SQLite line, or a PostgreSQL pool transaction. Queries
/// run on it as on a connection (`&mut *tx`); nothing is kept unless [`WriteTx::commit`] returns Ok.
pub(crate) enum WriteTx {
    Pooled(sqlx::Transaction<'static, Any>),
    Grouped(Member),
}

impl WriteTx {
    /// Makes the writes durable; on SQLite, returns once the writer's group is committed.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            WriteTx::Pooled(tx) => Ok(tx.commit().await?),
            WriteTx::Grouped(member) => member.commit().await,
        }
    }

    /// Ends the transaction with `error`, writing nothing. Used where the error comes from what
    /// the transaction read (a row someone else changed first): on SQLite that may be a write of
    /// the same group not yet committed, so this returns once the group is, and a caller that
    /// reads again sees what the error speaks of.
    pub(crate) async fn fail<T>(self, error: StoreError) -> Result<T, StoreError> {
        match self {
            WriteTx::Pooled(tx) => {
                let _ = tx.rollback().await;
            }
            WriteTx::Grouped(member) => member.rollback().await,
        }
        Err(error)
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            WriteTx::Pooled(tx) => tx,
            WriteTx::Grouped(member) => member.conn(),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            WriteTx::Pooled(tx) => tx,
            WriteTx::Grouped(member) => member.conn_mut(),
        }
    }
}
