//! PostgreSQL: any number of stateless nodes over one database. Invariants that must hold
//! across nodes are decided inside the write (row locks, advisory locks, conditional
//! statements).

use super::{Generation, OpenError, WriteTx, db_error, redact_url};
use app::server::store::StoreResult;
use sqlx::{
    Connection, PgConnection, Postgres,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};
use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    url: String,
    /// For the connection that holds the servers' lock.
    options: Arc<PgConnectOptions>,
    generation: Generation,
    /// Whether this server holds the database alone (`GATEHOUSE_SINGLE_NODE`, and the lock that
    /// proves it), so that its own writes are all the writes there are.
    alone: Arc<AtomicBool>,
}

/// Every server holds the same advisory lock while it serves: shared by servers that run side
/// by side, exclusive for a single-node server. (The bytes spell "gatehous".)
const SERVER_LOCK: i64 = 0x6761_7465_686f_7573;
/// How often a server checks that it still holds its lock.
const CLAIM_CHECK: Duration = Duration::from_secs(1);

/// Held while serving; dropping it releases the lock.
pub struct PgServerClaim {
    watch: tokio::task::JoinHandle<()>,
}

impl Drop for PgServerClaim {
    fn drop(&mut self) {
        self.watch.abort();
    }
}

async fn take_server_lock(
    options: &PgConnectOptions,
    single_node: bool,
) -> Result<Result<PgConnection, String>, sqlx::Error> {
    let mut conn = PgConnection::connect_with(options).await?;
    let sql = if single_node {
        "SELECT pg_try_advisory_lock($1)"
    } else {
        "SELECT pg_try_advisory_lock_shared($1)"
    };
    let taken: bool = sqlx::query_scalar(sql)
        .bind(SERVER_LOCK)
        .fetch_one(&mut conn)
        .await?;
    Ok(if taken {
        Ok(conn)
    } else if single_node {
        Err(
            "another Gatehouse server is using this database; GATEHOUSE_SINGLE_NODE=true \
             needs it to be the only one (stop the others, or run every server without it)"
                .into(),
        )
    } else {
        Err(
            "a Gatehouse server started with GATEHOUSE_SINGLE_NODE=true is using this \
             database; stop it, or start it like the others, without that setting"
                .into(),
        )
    })
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore, OpenError> {
        let shown = redact_url(url);
        let connect_err = |source| OpenError::Connect {
            url: shown.clone(),
            source,
        };
        // A transaction left open by a defect, with its locks, ends after a minute instead of
        // blocking the rows it touched until the server restarts.
        let options = PgConnectOptions::from_str(url)
            .map_err(connect_err)?
            .options([("idle_in_transaction_session_timeout", "60s")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await
            .map_err(connect_err)?;
        Ok(PostgresStore {
            pool,
            url: shown,
            options: Arc::new(options),
            generation: Generation::default(),
            alone: Arc::default(),
        })
    }

    /// Takes the servers' lock before serving: exclusive when `single_node`, else shared, so
    /// that a single-node server never runs beside another. A single-node server then reuses
    /// token lookups until its next write. The lock lives on its own connection, checked every
    /// second; if that connection is lost, reuse stops at once and resumes (with every earlier
    /// lookup forgotten) only when the lock is taken again.
    pub async fn claim_server(&self, single_node: bool) -> Result<PgServerClaim, String> {
        let shown = self.url.clone();
        let mut conn = take_server_lock(&self.options, single_node)
            .await
            .map_err(|e| format!("cannot lock the database at {shown}: {e}"))??;
        let alone = self.alone.clone();
        let generation = self.generation.clone();
        let options = self.options.clone();
        generation.advance();
        alone.store(single_node, Ordering::SeqCst);
        let watch = tokio::spawn(async move {
            loop {
                tokio::time::sleep(CLAIM_CHECK).await;
                if sqlx::query("SELECT 1").execute(&mut conn).await.is_ok() {
                    continue;
                }
                alone.store(false, Ordering::SeqCst);
                tracing::error!(
                    "lost the connection that holds the servers' lock; taking it again"
                );
                let mut refused = false;
                conn = loop {
                    tokio::time::sleep(CLAIM_CHECK).await;
                    match take_server_lock(&options, single_node).await {
                        Ok(Ok(c)) => break c,
                        Ok(Err(why)) if !refused => {
                            refused = true;
                            tracing::error!("{why}");
                        }
                        Ok(Err(_)) => {}
                        Err(e) => tracing::warn!(error = %e, "cannot take the servers' lock yet"),
                    }
                };
                // Others may have written meanwhile: nothing looked up before counts.
                generation.advance();
                alone.store(single_node, Ordering::SeqCst);
                tracing::info!("holding the servers' lock again");
            }
        });
        Ok(PgServerClaim { watch })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|source| OpenError::Migrate {
                url: self.url.clone(),
                source,
            })
    }

    /// The pool, for tools that load data in bulk.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(super) async fn write_tx(&self) -> StoreResult<WriteTx<Postgres>> {
        let tx = super::tx::begin(&self.pool).await.map_err(db_error)?;
        Ok(WriteTx::new(tx, self.generation.clone()))
    }

    /// The count of committed writes, while this server holds the database alone.
    pub(super) fn generation(&self) -> Option<u64> {
        self.alone
            .load(Ordering::SeqCst)
            .then(|| self.generation.current())
            .flatten()
    }
}
