//! SQLite: WAL mode, foreign keys on, and a single writer connection so that write
//! transactions never race each other for the lock (readers use their own pool).

use super::{Generation, OpenError, WriteTx, db_error, redact_url};
use app::server::store::StoreResult;
use sqlx::{
    Sqlite,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};
use std::{str::FromStr, time::Duration};

#[derive(Clone)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    url: String,
    /// The database file; `None` in memory.
    file: Option<std::path::PathBuf>,
    generation: Generation,
}

/// Held by the one server process that serves a SQLite database file; released on exit
/// (also by a crash: the operating system drops the lock with the process).
pub struct SqliteServerClaim {
    _lock: Option<std::fs::File>,
}

/// How much of a database file is read through a memory map (larger files: the rest by reads).
const MMAP_SIZE: u64 = 1 << 30;

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<SqliteStore, OpenError> {
        let shown = redact_url(url);
        let connect_err = |source| OpenError::Connect {
            url: shown.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads come straight from the operating system's cache of the file, shared by
            // every connection, instead of being copied into each connection's own small page
            // cache one system call at a time (a search walking a thousand members in name
            // order went from about 6 ms to 1.5 ms at 100,000 members).
            .pragma("mmap_size", MMAP_SIZE.to_string());
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let file = (!in_memory).then(|| options.get_filename().to_path_buf());
        if !in_memory
            && let Some(parent) = options.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|source| OpenError::Folder {
                url: shown.clone(),
                source,
            })?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(connect_err)?;
        // An in-memory database exists once per connection: readers must share the writer.
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options.read_only(true))
                .await
                .map_err(connect_err)?
        };
        Ok(SqliteStore {
            reader,
            writer,
            url: shown,
            file,
            generation: Generation::default(),
        })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.writer)
            .await
            .map_err(|source| OpenError::Migrate {
                url: self.url.clone(),
                source,
            })
    }

    /// Makes this process the database's only server, or says which file another server holds.
    /// A server reuses token lookups for as long as it has written nothing (its generation),
    /// which is exact only when no other server writes to the same file. (The command line may
    /// still run beside it: it only adds organizations, tokens and seeded members, which changes
    /// no existing token's access.)
    pub fn claim_server(&self) -> Result<SqliteServerClaim, String> {
        let Some(db) = &self.file else {
            return Ok(SqliteServerClaim { _lock: None });
        };
        let mut name = db.as_os_str().to_owned();
        name.push("-server.lock");
        let path = std::path::PathBuf::from(name);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(SqliteServerClaim { _lock: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(format!(
                "another Gatehouse server is already serving {}; a SQLite database has one \
                 server process (stop the other one first, or use PostgreSQL for several)",
                db.display()
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
    }

    /// The writer pool, for tools that load data in bulk. Call [`SqliteStore::changed`] after
    /// writing through it.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Advances the generation after writes made outside the store's own transactions.
    pub fn changed(&self) {
        self.generation.advance();
    }

    pub(super) async fn write_tx(&self) -> StoreResult<WriteTx<Sqlite>> {
        let tx = super::tx::begin(&self.writer).await.map_err(db_error)?;
        Ok(WriteTx::new(tx, self.generation.clone()))
    }

    pub(super) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// The count of this process's committed writes.
    pub(super) fn generation(&self) -> Option<u64> {
        self.generation.current()
    }
}
