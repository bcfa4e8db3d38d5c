//! SQLite: WAL mode, foreign keys on, and a single writer connection so that write
//! transactions never race each other for the lock (readers use their own pool).

use std::{str::FromStr, time::Duration};

use app::{
    backend::{
        audit::{AuditActor, AuditEvent, AuditTarget},
        store::{
            Attempt, AttemptOutcome, MemberAccess, MemberFilter, MemberPage, MemberSearch,
            NewOrganization, NewSession, SessionRecord, Store, StoreError, StoreResult,
            UserCredentials, like_prefix, prefix_end,
        },
    },
    model::{
        AuditEventId, GroupId, MembershipStatus, NamedRef, OrgId, OrgSummary, ProjectId,
        SessionView, UserId,
    },
};
use async_trait::async_trait;
use sqlx::{
    QueryBuilder, Row, Sqlite, SqliteConnection,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
        SqliteSynchronous,
    },
};
use uuid::Uuid;

use app::{
    backend::store::{
        Acceptor, DirectoryStore, GroupWrite, InvitationFilter, InvitationRecord, InvitationStore,
        MemberUser, NewInvitation, NewLink, NewSignUp, NewToken, OutgoingMail, QueuedMail,
        SignUpRecord, SignUpStore, TokenRecord, TokenStore,
    },
    model::{
        AccessToken, Binding, BindingView, CustomRole, CustomRoleId, Group, Invitation,
        InvitationId, InvitationListing, InvitationStatus, OrgSettings, Project, TokenId,
    },
    policy::{BuiltinRole, RoleId},
};

use super::{
    audit::audit_store,
    directory::{self, directory_store},
    invitations::{self, invitation_store},
    signups::{self, signup_store},
    tokens::{self, token_store},
};

use super::{
    BaseRow, Generation, GrantRow, OpenError, WriteTx, assemble_page, db_error, email_taken,
    free_slug, not_first, redact_url, resolve_binding,
};

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

type Tx = WriteTx<Sqlite>;

/// Ids are TEXT in SQLite.
struct Ids;

impl Ids {
    fn bind(u: Uuid) -> String {
        u.to_string()
    }
    fn bind_opt(u: Option<Uuid>) -> Option<String> {
        u.map(|u| u.to_string())
    }
    fn get(r: &SqliteRow, col: &str) -> StoreResult<Uuid> {
        let s: String = r.try_get(col).map_err(StoreError::backend)?;
        uuid(&s)
    }
    fn get_opt(r: &SqliteRow, col: &str) -> StoreResult<Option<Uuid>> {
        opt_uuid(r.try_get(col).map_err(StoreError::backend)?)
    }
}

/// Nothing to do: the single writer connection already serializes write transactions.
async fn lock_org(_tx: &mut Tx, _org: OrgId) -> StoreResult<()> {
    Ok(())
}

/// Which of `ids` are rows of `table` in `org`, in one query. `table` is one of the literal
/// names the shared store code passes (`custom_roles`, `projects`, `groups`).
async fn known_ids(
    tx: &mut Tx,
    table: &'static str,
    org: OrgId,
    ids: &[Uuid],
) -> StoreResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM {table} WHERE org_id = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query(&sql).bind(org.0.to_string());
    for id in ids {
        q = q.bind(id.to_string());
    }
    q.fetch_all(&mut **tx)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| Ids::get(r, "id"))
        .collect()
}

directory_store!(SqliteStore);
invitation_store!(SqliteStore);
signup_store!(SqliteStore);
token_store!(SqliteStore);
audit_store!(SqliteStore, Sqlite);

type DbRow = SqliteRow;

fn uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(StoreError::backend)
}

fn opt_uuid(s: Option<String>) -> StoreResult<Option<Uuid>> {
    s.as_deref().map(uuid).transpose()
}

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
            .busy_timeout(Duration::from_secs(10));
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

    async fn write_tx(&self) -> StoreResult<Tx> {
        let tx = self.writer.begin().await.map_err(db_error)?;
        Ok(WriteTx::new(tx, self.generation.clone()))
    }

    fn read_pool(&self) -> &SqlitePool {
        &self.reader
    }

    /// For single-statement writes that authentication does not read (last use), which
    /// therefore leave the generation as it is.
    fn bookkeeping_pool(&self) -> &SqlitePool {
        &self.writer
    }
}

/// The `FROM … WHERE …` of a member listing (and, with `cursor`, the keyset condition).
fn push_member_filter(
    qb: &mut QueryBuilder<'_, Sqlite>,
    org_id: &str,
    f: &MemberFilter,
    cursor: bool,
    count: bool,
) -> &'static str {
    // With a role filter the listing walks the role's holders (migration 0004), which carry
    // the status and sort key; otherwise the organization's memberships. Counting needs the
    // user row only for the 2FA filter, and the membership only for a search.
    let users = !count || f.two_factor.is_some();
    let key = if let Some(role) = &f.role {
        qb.push(" FROM role_holders h");
        if !count || f.search.is_some() {
            qb.push(" JOIN memberships m ON m.org_id = h.org_id AND m.user_id = h.user_id");
        }
        if users {
            qb.push(" JOIN users u ON u.id = h.user_id");
        }
        qb.push(" WHERE h.org_id = ")
            .push_bind(org_id.to_string())
            .push(" AND h.role_id = ")
            .push_bind(role.to_string());
        "h"
    } else {
        qb.push(" FROM memberships m");
        if users {
            qb.push(" JOIN users u ON u.id = m.user_id");
        }
        qb.push(" WHERE m.org_id = ").push_bind(org_id.to_string());
        "m"
    };
    qb.push(format_args!(" AND {key}.status = "))
        .push_bind(f.status.as_str());
    match &f.search {
        Some(MemberSearch::EmailPrefix(p)) => {
            qb.push(" AND m.email >= ")
                .push_bind(p.clone())
                .push(" AND m.email < ")
                .push_bind(prefix_end(p));
        }
        Some(MemberSearch::Text(t)) => {
            // Prefixes of the email and of the name use the indexes; a later word of the name
            // (`% word%`) has to scan.
            qb.push(" AND ((m.email >= ")
                .push_bind(t.clone())
                .push(" AND m.email < ")
                .push_bind(prefix_end(t))
                .push(") OR (m.name_key >= ")
                .push_bind(t.clone())
                .push(" AND m.name_key < ")
                .push_bind(prefix_end(t))
                .push(") OR m.name_key LIKE ")
                .push_bind(format!("% {}", like_prefix(t)))
                .push(" ESCAPE '\\')");
        }
        Some(MemberSearch::UserId(id)) => {
            qb.push(" AND m.user_id = ").push_bind(id.to_string());
        }
        None => {}
    }
    if let Some(g) = f.group {
        qb.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ")
            .push_bind(g.to_string())
            // Rule 5: another organization's group is as unknown as a missing one.
            .push(format_args!(
                " AND gm.org_id = {key}.org_id AND gm.user_id = {key}.user_id)"
            ));
    }
    if let Some(tf) = f.two_factor {
        qb.push(" AND u.two_factor_enabled = ").push_bind(tf);
    }
    if cursor && let Some(k) = &f.after {
        qb.push(format_args!(" AND ({key}.name_key, {key}.user_id) > ("))
            .push_bind(k.name_key.clone())
            .push(", ")
            .push_bind(k.user_id.to_string())
            .push(")");
    }
    key
}

/// `?, ?, …` for an `IN` list of `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn named<T>(
    r: &SqliteRow,
    id_col: &str,
    name_col: &str,
    wrap: fn(Uuid) -> T,
) -> StoreResult<Option<NamedRef<T>>> {
    let id = opt_uuid(r.try_get(id_col).map_err(StoreError::backend)?)?;
    let name: Option<String> = r.try_get(name_col).map_err(StoreError::backend)?;
    Ok(id
        .zip(name)
        .map(|(id, name)| NamedRef { id: wrap(id), name }))
}

impl SqliteStore {
    /// Roles of the given members: their own, and those of their groups.
    async fn page_grants(&self, org_id: &str, ids: &[String]) -> StoreResult<Vec<GrantRow>> {
        let list = placeholders(ids.len());
        let sql = format!(
            "SELECT rb.principal_id AS user_id, rb.role_id, cr.name AS custom_name, \
                    rb.project_id, p.name AS project_name, NULL AS group_id, NULL AS group_name \
             FROM role_bindings rb \
             LEFT JOIN custom_roles cr ON cr.id = rb.role_id AND cr.org_id = rb.org_id \
             LEFT JOIN projects p ON p.id = rb.project_id \
             WHERE rb.org_id = ? AND rb.principal_type = 'user' AND rb.principal_id IN ({list}) \
             UNION ALL \
             SELECT gm.user_id, rb.role_id, cr.name, rb.project_id, p.name, g.id, g.name \
             FROM group_members gm JOIN groups g ON g.id = gm.group_id \
             JOIN role_bindings rb ON rb.org_id = gm.org_id AND rb.principal_type = 'group' \
                  AND rb.principal_id = gm.group_id \
             LEFT JOIN custom_roles cr ON cr.id = rb.role_id AND cr.org_id = rb.org_id \
             LEFT JOIN projects p ON p.id = rb.project_id \
             WHERE gm.org_id = ? AND gm.user_id IN ({list})"
        );
        let mut q = sqlx::query(&sql).bind(org_id);
        for id in ids {
            q = q.bind(id);
        }
        q = q.bind(org_id);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(&self.reader)
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| {
                let user: String = r.try_get("user_id").map_err(StoreError::backend)?;
                Ok(GrantRow {
                    user_id: UserId(uuid(&user)?),
                    role_id: r.try_get("role_id").map_err(StoreError::backend)?,
                    custom_role_name: r.try_get("custom_name").map_err(StoreError::backend)?,
                    project: named(r, "project_id", "project_name", ProjectId)?,
                    group: named(r, "group_id", "group_name", GroupId)?,
                })
            })
            .collect()
    }

    /// The groups of the given members.
    async fn page_groups(
        &self,
        org_id: &str,
        ids: &[String],
    ) -> StoreResult<Vec<(UserId, NamedRef<GroupId>)>> {
        let sql = format!(
            "SELECT gm.user_id, g.id AS group_id, g.name AS group_name \
             FROM group_members gm JOIN groups g ON g.id = gm.group_id \
             WHERE gm.org_id = ? AND gm.user_id IN ({})",
            placeholders(ids.len())
        );
        let mut q = sqlx::query(&sql).bind(org_id);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(&self.reader)
            .await
            .map_err(db_error)?
            .iter()
            .filter_map(|r| {
                let user: StoreResult<String> = r.try_get("user_id").map_err(StoreError::backend);
                let group = named(r, "group_id", "group_name", GroupId);
                match (user, group) {
                    (Ok(u), Ok(Some(g))) => Some(uuid(&u).map(|u| (UserId(u), g))),
                    (Err(e), _) | (_, Err(e)) => Some(Err(e)),
                    (Ok(_), Ok(None)) => None,
                }
            })
            .collect()
    }
}

async fn insert_audit(conn: &mut SqliteConnection, e: &AuditEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_label, action, target_type, \
         target_id, target_label, before_json, after_json, client_addr, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.id.to_string())
    .bind(e.org.map(|o| o.to_string()))
    .bind(&e.actor.kind)
    .bind(&e.actor.id)
    .bind(&e.actor.label)
    .bind(&e.action)
    .bind(&e.target.kind)
    .bind(&e.target.id)
    .bind(&e.target.label)
    .bind(e.before.as_ref().map(|v| v.to_string()))
    .bind(e.after.as_ref().map(|v| v.to_string()))
    .bind(&e.client_addr)
    .bind(e.at)
    .execute(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

fn audit_from_row(r: &SqliteRow) -> StoreResult<AuditEvent> {
    let json = |col: &str| -> StoreResult<Option<serde_json::Value>> {
        let s: Option<String> = r.try_get(col).map_err(StoreError::backend)?;
        s.map(|s| serde_json::from_str(&s).map_err(StoreError::backend))
            .transpose()
    };
    let get = |col: &str| -> StoreResult<String> { r.try_get(col).map_err(StoreError::backend) };
    let get_opt =
        |col: &str| -> StoreResult<Option<String>> { r.try_get(col).map_err(StoreError::backend) };
    Ok(AuditEvent {
        id: AuditEventId(uuid(&get("id")?)?),
        org: opt_uuid(get_opt("org_id")?)?.map(OrgId),
        actor: AuditActor {
            kind: get("actor_type")?,
            id: get_opt("actor_id")?,
            label: get("actor_label")?,
        },
        action: get("action")?,
        target: AuditTarget {
            kind: get("target_type")?,
            id: get_opt("target_id")?,
            label: get("target_label")?,
        },
        before: json("before_json")?,
        after: json("after_json")?,
        client_addr: get_opt("client_addr")?,
        at: r.try_get("created_at").map_err(StoreError::backend)?,
    })
}

fn org_from_row(r: &SqliteRow) -> StoreResult<OrgSummary> {
    let id: String = r.try_get("id").map_err(StoreError::backend)?;
    Ok(OrgSummary {
        id: OrgId(uuid(&id)?),
        slug: r.try_get("slug").map_err(StoreError::backend)?,
        name: r.try_get("name").map_err(StoreError::backend)?,
    })
}

/// Writes the organization, its first user and their Admin binding (the caller's transaction
/// commits). Conflicts: `email_taken`, `not_first`.
async fn insert_organization(tx: &mut Tx, org: NewOrganization) -> StoreResult<OrgSummary> {
    if org.only_if_first {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM organizations")
            .fetch_one(&mut **tx)
            .await
            .map_err(db_error)?;
        if n > 0 {
            return Err(not_first());
        }
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE email = ?")
        .bind(&org.admin.email)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
    if exists.is_some() {
        return Err(email_taken());
    }
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM organizations WHERE slug = ?1 OR slug LIKE ?1 || '-%'",
    )
    .bind(org.slug.as_str())
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    let slug = free_slug(&org.slug, &taken);
    let org_id = org.id.to_string();
    let user_id = org.admin.id.to_string();
    sqlx::query("INSERT INTO organizations (id, slug, name, created_at) VALUES (?, ?, ?, ?)")
        .bind(&org_id)
        .bind(&slug)
        .bind(&org.name)
        .bind(org.now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&user_id)
    .bind(&org.admin.email)
    .bind(&org.admin.name)
    .bind(&org.admin.password_hash)
    .bind(org.now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, status, name_key, email, created_at, updated_at) \
         VALUES (?, ?, 'active', ?, ?, ?, ?)",
    )
    .bind(&org_id)
    .bind(&user_id)
    .bind(org.admin.name.to_lowercase())
    .bind(&org.admin.email)
    .bind(org.now)
    .bind(org.now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    sqlx::query(
        "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, project_id, created_at) \
         VALUES (?, ?, 'user', ?, 'admin', NULL, ?)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(&org_id)
    .bind(&user_id)
    .bind(org.now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(OrgSummary {
        id: org.id,
        slug,
        name: org.name,
    })
}

#[async_trait]
impl Store for SqliteStore {
    /// Every write of this process goes through the one writer connection, so the process
    /// knows them all. (Another process may only add: the command line creates organizations,
    /// tokens and seeded members, and none of that changes an existing token's access.)
    fn generation(&self) -> Option<u64> {
        Some(self.generation.current())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn organization_count(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT count(*) FROM organizations")
            .fetch_one(&self.reader)
            .await
            .map_err(db_error)
    }

    async fn create_organization(
        &self,
        org: NewOrganization,
        audit: AuditEvent,
    ) -> StoreResult<OrgSummary> {
        let mut tx = self.write_tx().await?;
        let created = insert_organization(&mut tx, org).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(created)
    }

    async fn user_credentials(&self, email: &str) -> StoreResult<Option<UserCredentials>> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_error)?;
        row.map(|r| {
            let id: String = r.try_get("id").map_err(StoreError::backend)?;
            Ok(UserCredentials {
                id: UserId(uuid(&id)?),
                password_hash: r.try_get("password_hash").map_err(StoreError::backend)?,
            })
        })
        .transpose()
    }

    async fn create_session(&self, s: NewSession, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id.to_string())
        .bind(s.now)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(&s.client_addr)
        .bind(&s.user_agent)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query("UPDATE users SET last_sign_in_at = ? WHERE id = ?")
            .bind(s.now)
            .bind(s.user_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT user_id, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?",
        )
        .bind(id_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            let user: String = r.try_get("user_id").map_err(StoreError::backend)?;
            Ok(SessionRecord {
                user_id: UserId(uuid(&user)?),
                created_at: r.try_get("created_at").map_err(StoreError::backend)?,
                last_seen_at: r.try_get("last_seen_at").map_err(StoreError::backend)?,
                expires_at: r.try_get("expires_at").map_err(StoreError::backend)?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
            .bind(now)
            .bind(id_hash)
            .execute(&self.writer)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str, audit: Option<AuditEvent>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if let Some(a) = &audit {
            insert_audit(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn delete_expired_sessions(&self, idle_cutoff: i64, now: i64) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?")
            .bind(now)
            .bind(idle_cutoff)
            .execute(&self.writer)
            .await
            .map_err(db_error)?;
        Ok(r.rows_affected())
    }

    async fn count_attempt(&self, a: Attempt<'_>) -> StoreResult<AttemptOutcome> {
        // The WHERE of the upsert makes the check and the count one atomic step, so concurrent
        // attempts on several servers cannot all slip through the same free slot; an attempt
        // that is refused is not counted, so refusals do not push the next slot further away.
        let admitted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO attempt_windows (key, window_start, attempts, next_at) VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (key, window_start) DO UPDATE SET attempts = attempt_windows.attempts + 1, \
             next_at = excluded.next_at + CASE WHEN attempt_windows.attempts + 1 > ?4 \
             THEN (attempt_windows.attempts + 1 - ?4) * ?5 ELSE 0 END \
             WHERE attempt_windows.next_at <= excluded.next_at \
             RETURNING attempts",
        )
        .bind(a.key)
        .bind(a.window_start)
        .bind(a.now)
        .bind(a.free)
        .bind(a.step_ms)
        .fetch_optional(&self.writer)
        .await
        .map_err(db_error)?;
        if let Some(n) = admitted {
            return Ok(AttemptOutcome::Admitted(n));
        }
        let until: Option<i64> = sqlx::query_scalar(
            "SELECT next_at FROM attempt_windows WHERE key = ?1 AND window_start = ?2",
        )
        .bind(a.key)
        .bind(a.window_start)
        .fetch_optional(&self.writer)
        .await
        .map_err(db_error)?;
        Ok(AttemptOutcome::Delayed {
            until: until.unwrap_or(a.now),
        })
    }

    async fn delete_attempt_windows(&self, before: i64) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM attempt_windows WHERE window_start < ?1")
            .bind(before)
            .execute(&self.writer)
            .await
            .map_err(db_error)?;
        Ok(r.rows_affected())
    }

    async fn record_audit(&self, event: AuditEvent) -> StoreResult<()> {
        let mut conn = self.writer.acquire().await.map_err(db_error)?;
        insert_audit(&mut conn, &event).await
    }

    async fn session_view(&self, user: UserId) -> StoreResult<Option<SessionView>> {
        let Some(u) = sqlx::query("SELECT name, email FROM users WHERE id = ?")
            .bind(user.to_string())
            .fetch_optional(&self.reader)
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let orgs = sqlx::query(
            "SELECT o.id, o.slug, o.name FROM memberships m JOIN organizations o ON o.id = m.org_id \
             WHERE m.user_id = ? AND m.status = 'active' ORDER BY o.name COLLATE NOCASE, o.id",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(db_error)?;
        Ok(Some(SessionView {
            user_id: user,
            name: u.try_get("name").map_err(StoreError::backend)?,
            email: u.try_get("email").map_err(StoreError::backend)?,
            organizations: orgs.iter().map(org_from_row).collect::<StoreResult<_>>()?,
        }))
    }

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<OrgSummary>> {
        sqlx::query("SELECT id, slug, name FROM organizations WHERE slug = ?")
            .bind(slug)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    async fn organization(&self, id: OrgId) -> StoreResult<Option<OrgSummary>> {
        sqlx::query("SELECT id, slug, name FROM organizations WHERE id = ?")
            .bind(Ids::bind(id.0))
            .fetch_optional(&self.reader)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    async fn member_access(&self, org: OrgId, user: UserId) -> StoreResult<Option<MemberAccess>> {
        // One round trip: the membership, with one row per binding (direct or through a group),
        // or a single row without a role when there are none.
        let rows = sqlx::query(
            "SELECT m.status, b.role_id, b.project_id, b.permissions FROM memberships m \
             LEFT JOIN (SELECT rb.role_id, rb.project_id, cr.permissions FROM role_bindings rb \
                 LEFT JOIN custom_roles cr ON cr.id = rb.role_id AND cr.org_id = rb.org_id \
                 WHERE rb.org_id = ?1 AND ((rb.principal_type = 'user' AND rb.principal_id = ?2) \
                    OR (rb.principal_type = 'group' AND rb.principal_id IN \
                        (SELECT group_id FROM group_members WHERE org_id = ?1 AND user_id = ?2)))) b ON 1 = 1 \
             WHERE m.org_id = ?1 AND m.user_id = ?2",
        )
        .bind(org.to_string())
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(db_error)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let status: String = first.try_get("status").map_err(StoreError::backend)?;
        let Some(status) = MembershipStatus::parse(&status) else {
            return Ok(None);
        };
        let bindings = rows
            .iter()
            .map(|r| {
                let role: Option<String> = r.try_get("role_id").map_err(StoreError::backend)?;
                let Some(role) = role else { return Ok(None) };
                let project = opt_uuid(r.try_get("project_id").map_err(StoreError::backend)?)?;
                let custom: Option<String> =
                    r.try_get("permissions").map_err(StoreError::backend)?;
                Ok(Some(resolve_binding(
                    &role,
                    custom.as_deref(),
                    project.map(ProjectId),
                )))
            })
            .filter_map(StoreResult::transpose)
            .collect::<StoreResult<_>>()?;
        Ok(Some(MemberAccess { status, bindings }))
    }

    async fn list_members(&self, org: OrgId, filter: &MemberFilter) -> StoreResult<MemberPage> {
        let org_id = org.to_string();
        let mut page = QueryBuilder::<Sqlite>::new(
            "SELECT m.user_id, u.name, m.email, m.status, u.two_factor_enabled, u.last_sign_in_at, m.name_key",
        );
        let key = push_member_filter(&mut page, &org_id, filter, true, false);
        page.push(format_args!(
            " ORDER BY {key}.name_key, {key}.user_id LIMIT "
        ))
        .push_bind(i64::from(filter.limit) + 1);
        let base = page
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| {
                let id: String = r.try_get("user_id").map_err(StoreError::backend)?;
                let status: String = r.try_get("status").map_err(StoreError::backend)?;
                Ok(BaseRow {
                    user_id: UserId(uuid(&id)?),
                    name: r.try_get("name").map_err(StoreError::backend)?,
                    email: r.try_get("email").map_err(StoreError::backend)?,
                    status: MembershipStatus::parse(&status).ok_or(StoreError::NotFound)?,
                    two_factor: r
                        .try_get("two_factor_enabled")
                        .map_err(StoreError::backend)?,
                    last_sign_in_at: r.try_get("last_sign_in_at").map_err(StoreError::backend)?,
                    name_key: r.try_get("name_key").map_err(StoreError::backend)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;

        let total: i64 = if filter.is_role_only() {
            // Kept by triggers (migration 0004), like the unfiltered total.
            let role = filter.role.as_ref().map(ToString::to_string);
            sqlx::query_scalar(
                "SELECT n FROM role_holder_counts WHERE org_id = $1 AND role_id = $2 AND status = $3",
            )
            .bind(&org_id)
            .bind(role)
            .bind(filter.status.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(db_error)?
            .unwrap_or(0)
        } else if filter.is_unfiltered() {
            // Kept by triggers (migration 0003): no count over every membership.
            sqlx::query_scalar("SELECT n FROM member_counts WHERE org_id = $1 AND status = $2")
                .bind(&org_id)
                .bind(filter.status.as_str())
                .fetch_optional(&self.reader)
                .await
                .map_err(db_error)?
                .unwrap_or(0)
        } else {
            let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*)");
            push_member_filter(&mut count, &org_id, filter, false, true);
            count
                .build_query_scalar()
                .fetch_one(&self.reader)
                .await
                .map_err(db_error)?
        };

        let ids: Vec<String> = base
            .iter()
            .take(filter.limit as usize)
            .map(|b| b.user_id.to_string())
            .collect();
        let (grants, groups) = if ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                self.page_grants(&org_id, &ids).await?,
                self.page_groups(&org_id, &ids).await?,
            )
        };
        Ok(assemble_page(base, filter.limit, grants, groups, total))
    }

    async fn audit_events(&self, org: Option<OrgId>, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE org_id IS ? ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(org.map(|o| o.to_string()))
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .map_err(db_error)?;
        rows.iter().map(audit_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    /// The SQL shared by both backends (`directory.rs`) uses `$1`-style placeholders, repeated.
    #[tokio::test]
    async fn numbered_placeholders_work_and_repeat() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .expect("pool");
        let v: i64 = sqlx::query_scalar("SELECT $1 + $2 + $1")
            .bind(1_i64)
            .bind(10_i64)
            .fetch_one(&pool)
            .await
            .expect("query");
        assert_eq!(v, 12);
    }
}
