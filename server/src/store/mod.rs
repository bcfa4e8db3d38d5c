//! The two database backends behind `app::backend::Store`, chosen by `DATABASE_URL`.

mod audit;
mod directory;
mod invitations;
mod postgres;
mod signups;
mod sqlite;
mod tokens;

use std::{
    ops::{Deref, DerefMut},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use app::{
    backend::{
        Store,
        store::{MemberKey, MemberPage, StoreError},
    },
    model::{GroupId, MemberRow, MembershipStatus, NamedRef, ProjectId, RoleGrant, UserId},
    policy::{BuiltinRole, Permission, PermissionSet, ResolvedBinding, RoleId},
};

pub use self::{
    postgres::{PgServerClaim, PostgresStore},
    sqlite::{SqliteServerClaim, SqliteStore},
};

/// A connected database of either kind.
#[derive(Clone)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// What a serving process holds to show which other servers may use its database.
pub enum ServerClaim {
    Sqlite(SqliteServerClaim),
    Postgres(PgServerClaim),
}

/// Why the database could not be opened. The URL in the message never shows a password.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {0})")]
    Scheme(String),
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create the folder for the database at {url}: {source}")]
    Folder {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error("migrating the database at {url} failed: {source}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

impl Database {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> Result<Database, OpenError> {
        if url.starts_with("sqlite:") {
            SqliteStore::connect(url).await.map(Database::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            PostgresStore::connect(url).await.map(Database::Postgres)
        } else {
            Err(OpenError::Scheme(redact_url(url)))
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        match self {
            Database::Sqlite(s) => s.migrate().await,
            Database::Postgres(s) => s.migrate().await,
        }
    }

    /// Called by `serve` before it listens; keep the claim while serving. On SQLite it makes this
    /// process the file's only server ([`SqliteStore::claim_server`]); on PostgreSQL it takes
    /// the servers' lock, alone when `single_node` ([`PostgresStore::claim_server`]).
    pub async fn claim_server(&self, single_node: bool) -> Result<ServerClaim, String> {
        match self {
            Database::Sqlite(s) => s.claim_server().map(ServerClaim::Sqlite),
            Database::Postgres(p) => p.claim_server(single_node).await.map(ServerClaim::Postgres),
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }
}

/// The count of committed writes behind `Store::generation`, shared by a store's clones.
#[derive(Clone, Default)]
pub(crate) struct Generation(Arc<AtomicU64>);

impl Generation {
    pub(crate) fn current(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn advance(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A write transaction of a store. Committing it advances the store's generation after the
/// commit has finished, and does so even when the request that committed is cancelled meanwhile
/// (a client hanging up): the commit runs on its own task. A transaction dropped before it
/// commits (a refusal, or a request abandoned halfway, even in the middle of a statement) is
/// rolled back on a task of its own at once, so its locks never wait for the connection's next
/// use: a connection left idle in the pool with a pending rollback would otherwise keep holding
/// them.
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: Option<sqlx::Transaction<'static, DB>>,
    generation: Generation,
}

const IN_USE: &str = "a write transaction is used only until it commits";

impl<DB: sqlx::Database> WriteTx<DB> {
    pub(crate) fn new(tx: sqlx::Transaction<'static, DB>, generation: Generation) -> Self {
        WriteTx {
            tx: Some(tx),
            generation,
        }
    }

    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let tx = self.tx.take().expect(IN_USE);
        let generation = self.generation.clone();
        let committing = tokio::spawn(async move {
            let result = tx.commit().await;
            // Also after a failed commit: advancing too often only costs a lookup.
            generation.advance();
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

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => match raw.split_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => raw.to_string(),
        },
    }
}

/// Resolves a stored binding's role id to its permissions: built-ins are fixed, a custom role's
/// are stored with it (space-separated). A role that no longer exists grants nothing.
fn resolve_binding(
    role_id: &str,
    custom_permissions: Option<&str>,
    project: Option<ProjectId>,
) -> ResolvedBinding {
    let permissions = match role_id.parse::<RoleId>() {
        Ok(RoleId::Builtin(b)) => b.permissions(),
        Ok(RoleId::Custom(_)) => parse_permissions(custom_permissions.unwrap_or_default()),
        Err(_) => PermissionSet::EMPTY,
    };
    ResolvedBinding {
        permissions,
        project,
    }
}

/// Permission names as stored: space-separated, in catalogue order.
fn store_permissions(p: PermissionSet) -> String {
    p.iter()
        .map(Permission::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Permission names as stored (space-separated); unknown names are ignored.
fn parse_permissions(stored: &str) -> PermissionSet {
    stored
        .split_whitespace()
        .filter_map(Permission::parse)
        .collect()
}

/// A member row as the page query returns it, before roles and groups are attached.
struct BaseRow {
    user_id: UserId,
    name: String,
    email: String,
    status: MembershipStatus,
    two_factor: bool,
    last_sign_in_at: Option<i64>,
    name_key: String,
}

/// One role held by a member of the page, directly or through a group.
struct GrantRow {
    user_id: UserId,
    role_id: String,
    custom_role_name: Option<String>,
    project: Option<NamedRef<ProjectId>>,
    group: Option<NamedRef<GroupId>>,
}

/// Attaches roles and groups to a page of members, in the order the console shows them: own
/// roles before inherited ones, organization scope before projects, Admin first.
fn assemble_page(
    mut base: Vec<BaseRow>,
    limit: u32,
    grants: Vec<GrantRow>,
    groups: Vec<(UserId, NamedRef<GroupId>)>,
    total: i64,
) -> MemberPage {
    let more = base.len() > limit as usize;
    base.truncate(limit as usize);
    let next = base.last().filter(|_| more).map(|r| MemberKey {
        name_key: r.name_key.clone(),
        user_id: r.user_id,
    });
    let rows = base
        .into_iter()
        .map(|b| {
            let mut roles: Vec<RoleGrant> = grants
                .iter()
                .filter(|g| g.user_id == b.user_id)
                .filter_map(|g| {
                    let role = g.role_id.parse::<RoleId>().ok()?;
                    let role_name = match role {
                        RoleId::Builtin(builtin) => builtin.name().to_string(),
                        RoleId::Custom(_) => g.custom_role_name.clone()?,
                    };
                    Some(RoleGrant {
                        role,
                        role_name,
                        project: g.project.clone(),
                        via_group: g.group.clone(),
                    })
                })
                .collect();
            roles.sort_by_key(|r| {
                (
                    r.via_group.is_some(),
                    r.project.is_some(),
                    builtin_rank(r.role),
                    r.role_name.to_lowercase(),
                    r.project.as_ref().map(|p| p.name.to_lowercase()),
                )
            });
            let mut member_groups: Vec<NamedRef<GroupId>> = groups
                .iter()
                .filter(|(u, _)| *u == b.user_id)
                .map(|(_, g)| g.clone())
                .collect();
            member_groups.sort_by_key(|g| g.name.to_lowercase());
            MemberRow {
                user_id: b.user_id,
                name: b.name,
                email: b.email,
                status: b.status,
                roles,
                groups: member_groups,
                two_factor: b.two_factor,
                last_sign_in_at: b.last_sign_in_at,
            }
        })
        .collect();
    MemberPage { rows, next, total }
}

/// Admin before Editor before Viewer before custom roles.
fn builtin_rank(role: RoleId) -> usize {
    match role {
        RoleId::Builtin(b) => BuiltinRole::ALL
            .iter()
            .rev()
            .position(|x| *x == b)
            .unwrap_or(0),
        RoleId::Custom(_) => BuiltinRole::ALL.len(),
    }
}

/// Maps a unique-constraint violation to a conflict a person understands.
fn unique_violation(e: &sqlx::Error) -> Option<StoreError> {
    let db = e.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    let msg = db.message();
    let constraint = db.constraint().unwrap_or_default();
    if msg.contains("users.email") || constraint.contains("users_email") {
        Some(StoreError::Conflict {
            code: "email_taken",
            message: "An account with this email address already exists. Sign in instead.".into(),
        })
    } else if msg.contains("organizations.slug") || constraint.contains("organizations_slug") {
        Some(StoreError::Conflict {
            code: "org_name_taken",
            message: "An organization with this name was just created. Try again.".into(),
        })
    } else {
        [
            (
                "custom_roles_name",
                "role_name_taken",
                "A role with this name already exists",
            ),
            (
                "groups_name",
                "group_name_taken",
                "A group with this name already exists",
            ),
            (
                "invitations_open_email",
                "already_invited",
                "This address already has an open invitation. Resend it instead.",
            ),
            (
                "projects_name",
                "project_name_taken",
                "A project with this name already exists",
            ),
        ]
        .into_iter()
        .find(|(index, _, _)| msg.contains(index) || constraint.contains(index))
        .map(|(_, code, message)| StoreError::Conflict {
            code,
            message: message.into(),
        })
    }
}

fn db_error(e: sqlx::Error) -> StoreError {
    unique_violation(&e).unwrap_or_else(|| StoreError::backend(e))
}

fn email_taken() -> StoreError {
    StoreError::Conflict {
        code: "email_taken",
        message: "An account with this email address already exists. Sign in instead.".into(),
    }
}

fn not_first() -> StoreError {
    StoreError::Conflict {
        code: "not_first",
        message: "An organization already exists. Sign-up is closed; ask for an invitation.".into(),
    }
}

/// The first free slug among `base`, `base-2`, `base-3`, … given the slugs already taken.
fn free_slug(base: &app::model::OrgSlug, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base.as_str()) {
        return base.as_str().to_string();
    }
    (2..)
        .map(|n| base.with_suffix(n))
        .find(|s| !taken.iter().any(|t| t == s.as_str()))
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            redact_url("postgres://gate:s3cret@db.internal:5432/gatehouse"),
            "postgres://gate:***@db.internal:5432/gatehouse"
        );
        assert_eq!(
            redact_url("sqlite://data/gatehouse.db"),
            "sqlite://data/gatehouse.db"
        );
    }

    #[test]
    fn slugs_get_the_first_free_suffix() {
        let base = app::model::OrgSlug::from_name("Acme").expect("slug");
        assert_eq!(free_slug(&base, &[]), "acme");
        assert_eq!(free_slug(&base, &["acme".into()]), "acme-2");
        assert_eq!(
            free_slug(&base, &["acme".into(), "acme-2".into(), "acme-3".into()]),
            "acme-4"
        );
    }

    #[test]
    fn admin_ranks_before_editor_viewer_and_custom_roles() {
        let rank = |s: &str| builtin_rank(s.parse().expect("role id"));
        assert!(rank("admin") < rank("editor"));
        assert!(rank("editor") < rank("viewer"));
        assert!(rank("viewer") < rank("0190f8a0-0000-7000-8000-000000000001"));
    }

    #[test]
    fn stored_permissions_parse_and_ignore_unknown_names() {
        let p = parse_permissions("org.read  audit.read bogus.perm");
        assert_eq!(
            p,
            PermissionSet::of(&[Permission::OrgRead, Permission::AuditRead])
        );
    }
}
