//! The store behind `app::server::Store`: one implementation in plain SQL for SQLite and
//! PostgreSQL (chosen by `DATABASE_URL`), one file per area. `db` is the small layer the two
//! share; `sqlite` and `postgres` hold only what differs (connecting, the server's lock,
//! migrations).

mod acceptance;
mod accounts;
mod admins;
mod audit;
mod bulk;
mod db;
mod dialect;
mod directory;
mod groups;
mod invitation_status;
mod invitations;
mod member_list;
mod member_query;
mod member_search;
mod members;
mod outbox;
mod postgres;
mod projects;
mod roles;
mod settings;
mod signups;
mod sqlite;
mod tokens;
mod tx;
mod values;

pub(crate) use self::tx::{Generation, WriteTx};
pub use self::{
    bulk::BulkMember,
    postgres::{PgServerClaim, PostgresStore},
    sqlite::{SqliteServerClaim, SqliteStore},
};
use self::{
    db::{Ex, Tx},
    dialect::Dialect,
    tx::begin,
};
use app::error::Wording;
use app::{
    core::ids::ProjectId,
    policy::{Permission, PermissionSet, ResolvedBinding, RoleId},
    server::{
        Store,
        store::{StoreError, StoreResult},
    },
};
use std::sync::Arc;

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
    #[error("filling in the member search keys failed: {0}")]
    SearchKeys(String),
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
            Database::Sqlite(s) => s.migrate().await?,
            Database::Postgres(s) => s.migrate().await?,
        }
        let filled = member_search::fill_search_keys(self)
            .await
            .map_err(|e| OpenError::SearchKeys(e.to_string()))?;
        if filled > 0 {
            tracing::info!(filled, "member search keys filled in");
        }
        Ok(())
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

    /// The plans of a member listing's queries (for `benches/members.rs`).
    pub async fn explain_members(
        &self,
        org: app::core::ids::OrgId,
        filter: &app::server::store::MemberFilter,
    ) -> Result<Vec<(&'static str, Vec<String>)>, app::server::store::StoreError> {
        member_list::explain_members(self, org, filter).await
    }

    pub fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.clone())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    fn dialect(&self) -> Dialect {
        match self {
            Database::Sqlite(_) => Dialect::Sqlite,
            Database::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Where reads run: SQLite's readers, or PostgreSQL's pool.
    fn read_pool(&self) -> Ex<'_> {
        match self {
            Database::Sqlite(s) => Ex::SqlitePool(s.reader()),
            Database::Postgres(p) => Ex::PgPool(p.pool()),
        }
    }

    /// For single-statement writes that authentication does not read (a session's or a
    /// token's last use, sign-in attempts), which therefore leave the generation as it is
    /// (see also `bookkeeping_tx`).
    fn bookkeeping_pool(&self) -> Ex<'_> {
        match self {
            Database::Sqlite(s) => Ex::SqlitePool(s.writer()),
            Database::Postgres(p) => Ex::PgPool(p.pool()),
        }
    }

    /// A write transaction: committing it advances the generation.
    async fn write_tx(&self) -> StoreResult<Tx> {
        Ok(match self {
            Database::Sqlite(s) => Tx::Sqlite(s.write_tx().await?),
            Database::Postgres(p) => Tx::Postgres(p.write_tx().await?),
        })
    }

    /// A write transaction of rows that no reused lookup has read (a new session, with its
    /// event): committing it leaves the generation as it is, so that a rush of sign-ins does not
    /// make every server look up every token and session again.
    async fn bookkeeping_tx(&self) -> StoreResult<Tx> {
        Ok(match self {
            Database::Sqlite(s) => Tx::Sqlite(WriteTx::untracked(
                begin(s.writer()).await.map_err(db_error)?,
            )),
            Database::Postgres(p) => {
                Tx::Postgres(WriteTx::untracked(begin(p.pool()).await.map_err(db_error)?))
            }
        })
    }
}

impl Store for Database {
    /// SQLite: every write of this process goes through its one writer connection, so the
    /// process knows them all (another process may only add: the command line creates
    /// organizations, tokens and seeded members, none of which changes an existing token's
    /// access). PostgreSQL: only while this server holds the database alone (see
    /// `claim_server`); otherwise another server may write, and nothing may be reused.
    fn generation(&self) -> Option<u64> {
        match self {
            Database::Sqlite(s) => s.generation(),
            Database::Postgres(p) => p.generation(),
        }
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

/// Maps a unique-constraint violation to a conflict a person understands.
fn unique_violation(e: &sqlx::Error) -> Option<StoreError> {
    let db = e.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    let msg = db.message();
    let constraint = db.constraint().unwrap_or_default();
    if msg.contains("users.email") || constraint.contains("users_email") {
        Some(email_taken())
    } else if msg.contains("organizations.slug") || constraint.contains("organizations_slug") {
        Some(StoreError::coded("org_name_taken"))
    } else {
        [
            ("custom_roles_name", "role_name_taken", "role_name_taken"),
            ("groups_name", "group_name_taken", "group_name_taken"),
            (
                "invitations_open_email",
                "already_invited",
                "already_invited_open",
            ),
            ("projects_name", "project_name_taken", "project_name_taken"),
        ]
        .into_iter()
        .find(|(index, _, _)| msg.contains(index) || constraint.contains(index))
        .map(|(_, code, wording)| StoreError::conflict(code, Wording::new(wording)))
    }
}

fn db_error(e: sqlx::Error) -> StoreError {
    unique_violation(&e).unwrap_or_else(|| StoreError::backend(e))
}

fn email_taken() -> StoreError {
    StoreError::coded("email_taken")
}

fn not_first() -> StoreError {
    StoreError::coded("not_first")
}

/// The first free slug among `base`, `base-2`, `base-3`, … given the slugs already taken.
fn free_slug(base: &app::core::validate::OrgSlug, taken: &[String]) -> String {
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
        let base = app::core::validate::OrgSlug::from_name("Acme").expect("slug");
        assert_eq!(free_slug(&base, &[]), "acme");
        assert_eq!(free_slug(&base, &["acme".into()]), "acme-2");
        assert_eq!(
            free_slug(&base, &["acme".into(), "acme-2".into(), "acme-3".into()]),
            "acme-4"
        );
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
