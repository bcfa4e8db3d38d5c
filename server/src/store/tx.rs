//! Write transactions: the store's generation (the count of committed writes that reused
//! lookups are checked against), and transactions that neither a cancelled request nor an
//! abandoned `BEGIN` can leave open.

use std::{
    ops::{Deref, DerefMut},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

/// The count of committed writes behind `Store::generation`, shared by a store's clones, and
/// how many commits are under way. While one is, the database may already show it (another
/// request may have seen it land) before the count moves on, so no lookup may be reused then:
/// `current` answers `None`.
#[derive(Clone, Default)]
pub(crate) struct Generation(Arc<Counts>);

#[derive(Default)]
pub(crate) struct Counts {
    committed: AtomicU64,
    committing: AtomicU64,
}

impl Generation {
    pub(crate) fn current(&self) -> Option<u64> {
        if self.0.committing.load(Ordering::SeqCst) > 0 {
            return None;
        }
        Some(self.0.committed.load(Ordering::SeqCst))
    }

    /// A write outside the store's transactions has finished.
    pub(crate) fn advance(&self) {
        self.0.committed.fetch_add(1, Ordering::SeqCst);
    }

    /// A commit begins: nothing is reused until the returned guard is dropped, which counts it
    /// (also when the commit failed or its task was cancelled: advancing too often only costs
    /// a lookup).
    fn committing(&self) -> Committing {
        self.0.committing.fetch_add(1, Ordering::SeqCst);
        Committing(self.clone())
    }
}

/// A commit under way (see [`Generation::committing`]).
struct Committing(Generation);

impl Drop for Committing {
    fn drop(&mut self) {
        let counts = &(self.0).0;
        counts.committed.fetch_add(1, Ordering::SeqCst);
        counts.committing.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A write transaction of a store. From the moment it starts committing until the commit has
/// finished, nothing is reused; then the store's generation advances, even when the request
/// that committed is cancelled meanwhile (a client hanging up): the commit runs on its own task. A transaction dropped before it
/// commits (a refusal, or a request abandoned halfway, even in the middle of a statement) is
/// rolled back on a task of its own at once, so its locks never wait for the connection's next
/// use: a connection left idle in the pool with a pending rollback would otherwise keep holding
/// them.
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: Option<sqlx::Transaction<'static, DB>>,
    /// `None` for a transaction that leaves the generation as it is (`Database::bookkeeping_tx`).
    generation: Option<Generation>,
}

/// Begins a transaction on a task of its own, so that a caller abandoned while `BEGIN` is on
/// its way cannot leave it open. sqlx 0.8.6 counts a PostgreSQL transaction only once the
/// server has answered `BEGIN`: cancelled before that, nothing rolls it back, and the connection
/// returns to the pool inside a transaction that holds every lock its later statements take
/// (an abandoned request's connection, reused by plain statements, blocked a token's deletion
/// for good). Here the task runs to the end; if its caller is gone, the finished transaction is
/// dropped inside the task, which rolls it back.
pub(crate) async fn begin<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
    let pool = pool.clone();
    match tokio::spawn(async move { pool.begin().await }).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(sqlx::Error::Io(std::io::Error::other(e))),
    }
}

const IN_USE: &str = "a write transaction is used only until it commits";

impl<DB: sqlx::Database> WriteTx<DB> {
    pub(crate) fn new(tx: sqlx::Transaction<'static, DB>, generation: Generation) -> Self {
        WriteTx {
            tx: Some(tx),
            generation: Some(generation),
        }
    }

    /// A transaction whose commit leaves the generation as it is.
    pub(super) fn untracked(tx: sqlx::Transaction<'static, DB>) -> Self {
        WriteTx {
            tx: Some(tx),
            generation: None,
        }
    }

    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let tx = self.tx.take().expect(IN_USE);
        let under_way = self.generation.as_ref().map(Generation::committing);
        let committing = tokio::spawn(async move {
            let result = tx.commit().await;
            drop(under_way);
            result
        });
        match committing.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(sqlx::Error::Io(std::io::Error::other(e))),
        }
    }
}

impl<DB: sqlx::Database> Drop for WriteTx<DB> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(e) = tx.rollback().await {
                    tracing::debug!(error = %e, "rolling back an abandoned write failed");
                }
            });
        }
    }
}

impl<DB: sqlx::Database> Deref for WriteTx<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        self.tx.as_ref().expect(IN_USE)
    }
}

impl<DB: sqlx::Database> DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.tx.as_mut().expect(IN_USE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_reused_while_a_commit_is_under_way() {
        let g = Generation::default();
        assert_eq!(g.current(), Some(0));
        let first = g.committing();
        // The database may already show the commit; the count has not moved on yet.
        assert_eq!(g.current(), None);
        let second = g.committing();
        drop(first);
        assert_eq!(g.current(), None, "one commit is still under way");
        drop(second);
        assert_eq!(g.current(), Some(2));
        g.advance();
        assert_eq!(g.current(), Some(3));
    }
}
