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

pub mod harness;

use app::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    core::{
        ids::{OrgId, UserId},
        validate::OrgSlug,
    },
    policy::{Binding, BuiltinRole, Principal, RoleId},
    server::{
        AppState, Clock, RequestCtx,
        caller::Caller,
        store::{MemberUser, NewOrganization, NewUser},
    },
};
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

/// An organization named `name` and its Admin, written straight to the store.
pub async fn new_org(state: &AppState, name: &str) -> (OrgId, UserId) {
    let id = OrgId::new();
    let admin = UserId::new();
    state
        .store
        .create_organization(
            NewOrganization {
                id,
                name: name.into(),
                slug: OrgSlug::from_name(name).unwrap(),
                admin: NewUser {
                    id: admin,
                    email: format!("admin-{}@example.com", id.0.simple()),
                    name: format!("{name} Admin"),
                    password_hash: "x".into(),
                },
                only_if_first: false,
                now: harness::START,
            },
            fixture_event(id),
        )
        .await
        .unwrap();
    (id, admin)
}

/// A new member of `org` holding `role` across the organization.
pub async fn add_member(state: &AppState, org: OrgId, role: BuiltinRole) -> UserId {
    add_member_bound(
        state,
        org,
        &[Binding {
            role: RoleId::Builtin(role),
            project: None,
        }],
    )
    .await
}

/// A new member of `org` with exactly these role bindings.
pub async fn add_member_bound(state: &AppState, org: OrgId, bindings: &[Binding]) -> UserId {
    let id = UserId::new();
    state
        .store
        .add_member(
            org,
            MemberUser::New(NewUser {
                id,
                email: format!("{}@example.com", id.0.simple()),
                name: format!("Member {}", &id.0.simple().to_string()[..8]),
                password_hash: "x".into(),
            }),
            bindings,
            &[],
            fixture_event(org),
        )
        .await
        .unwrap()
}

/// The member as a caller of the services, with their access as it is now.
pub async fn caller(state: &AppState, org: OrgId, user: UserId) -> Caller {
    let a = state.store.member_access(org, user).await.unwrap().unwrap();
    Caller {
        principal: Principal::member(user, org, a.status, a.bindings),
        label: user.to_string(),
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

/// What a test of the store itself passes where the services pass a checked authorization.
pub fn unchecked(org: app::core::ids::OrgId) -> app::policy::Authorized {
    app::policy::unchecked_authorized(org)
}
