//! Test databases: a fresh SQLite file, or a fresh PostgreSQL database created on the server
//! named by `GATEHOUSE_TEST_POSTGRES` and dropped afterwards.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
};

pub mod fixtures;
pub mod harness;

use app::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    core::ids::OrgId,
    server::{Clock, RequestCtx},
};
#[allow(unused_imports)] // The whole builder, whether or not a test names each type.
pub use fixtures::{TestMember, TestOrg, TestToken, caller_of, org_wide};
use gatehouse::store::Database;

/// The audit event of a fixture written straight to the store.
pub fn fixture_event(org: OrgId) -> AuditEvent {
    AuditEvent::new(
        Some(org),
        AuditActor::system(),
        "fixture",
        AuditTarget::new("test", None, "test"),
        &RequestCtx::default(),
        harness::START,
    )
}

/// A request from 192.0.2.7 (TEST-NET-1).
pub fn ctx() -> RequestCtx {
    RequestCtx {
        client_addr: Some("192.0.2.7".into()),
        ..RequestCtx::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed when dropped.
pub struct TestDb {
    pub db: Database,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl TestDb {
    /// `None` (with a notice) when the backend is PostgreSQL and no server is configured.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("gatehouse-test-{unique}.db"));
                let url = format!("sqlite://{}", path.display());
                let db = Database::connect(&url).await.expect("open sqlite");
                db.migrate().await.expect("migrate sqlite");
                Some(TestDb {
                    db,
                    url,
                    cleanup: Cleanup::File(path),
                })
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var("GATEHOUSE_TEST_POSTGRES") else {
                    eprintln!("GATEHOUSE_TEST_POSTGRES is not set: skipping this PostgreSQL test");
                    return None;
                };
                let name = format!("gatehouse_test_{unique}");
                let admin = sqlx::PgPool::connect(&admin_url)
                    .await
                    .expect("connect to GATEHOUSE_TEST_POSTGRES");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let url = with_database(&admin_url, &name);
                let db = Database::connect(&url).await.expect("open postgres");
                db.migrate().await.expect("migrate postgres");
                Some(TestDb {
                    db,
                    url,
                    cleanup: Cleanup::PgDatabase { admin_url, name },
                })
            }
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("GATEHOUSE_TEST_POSTGRES is a URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; use a thread with a runtime of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&admin)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicI64>);

impl TestClock {
    pub fn new(start_ms: i64) -> Self {
        TestClock(Arc::new(AtomicI64::new(start_ms)))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Generates one test per backend from each async fn taking a `&TestDb`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::support::TestDb::new($crate::support::Backend::Sqlite).await.unwrap();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::support::TestDb::new($crate::support::Backend::Postgres).await {
                        super::$name(&db).await;
                    }
                }
            )*
        }
    };
}
