//! PostgreSQL: any number of stateless nodes over one database. Invariants that must hold
//! across nodes are decided inside the write (advisory locks, conditional statements).

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

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
    Connection, PgConnection, Postgres, QueryBuilder, Row,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow},
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

type Tx = WriteTx<Postgres>;

/// Ids are `uuid` in PostgreSQL.
struct Ids;

impl Ids {
    fn bind(u: Uuid) -> Uuid {
        u
    }
    fn bind_opt(u: Option<Uuid>) -> Option<Uuid> {
        u
    }
    fn get(r: &PgRow, col: &str) -> StoreResult<Uuid> {
        get(r, col)
    }
    fn get_opt(r: &PgRow, col: &str) -> StoreResult<Option<Uuid>> {
        get(r, col)
    }
}

/// Serializes writes to one organization across connections and nodes: the rule-4 check and
/// the change it guards happen under this row lock.
async fn lock_org(tx: &mut Tx, org: OrgId) -> StoreResult<()> {
    sqlx::query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
        .bind(org.0)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
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
    sqlx::query(&format!(
        "SELECT id FROM {table} WHERE org_id = $1 AND id = ANY($2)"
    ))
    .bind(org.0)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?
    .iter()
    .map(|r| Ids::get(r, "id"))
    .collect()
}

directory_store!(PostgresStore);
invitation_store!(PostgresStore);
signup_store!(PostgresStore);
token_store!(PostgresStore);
audit_store!(PostgresStore, Postgres);

type DbRow = PgRow;

/// Serializes first-run sign-ups across nodes (`pg_advisory_xact_lock` key).
const FIRST_ORG_LOCK: i64 = 0x6761_7465_0001;

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

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    r: &'r PgRow,
    col: &str,
) -> StoreResult<T> {
    r.try_get(col).map_err(StoreError::backend)
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore, OpenError> {
        let shown = redact_url(url);
        let connect_err = |source| OpenError::Connect {
            url: shown.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url).map_err(connect_err)?;
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

    async fn write_tx(&self) -> StoreResult<Tx> {
        let tx = self.pool.begin().await.map_err(db_error)?;
        Ok(WriteTx::new(tx, self.generation.clone()))
    }

    fn read_pool(&self) -> &PgPool {
        &self.pool
    }

    /// For single-statement writes that authentication does not read (last use).
    fn bookkeeping_pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The `FROM … WHERE …` of a member listing (and, with `cursor`, the keyset condition).
fn push_member_filter(
    qb: &mut QueryBuilder<'_, Postgres>,
    org: OrgId,
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
            .push_bind(org.0)
            .push(" AND h.role_id = ")
            .push_bind(role.to_string());
        "h"
    } else {
        qb.push(" FROM memberships m");
        if users {
            qb.push(" JOIN users u ON u.id = m.user_id");
        }
        qb.push(" WHERE m.org_id = ").push_bind(org.0);
        "m"
    };
    qb.push(format_args!(" AND {key}.status = "))
        .push_bind(f.status.as_str());
    match &f.search {
        Some(MemberSearch::EmailPrefix(p)) => {
            qb.push(r#" AND m.email COLLATE "C" >= "#)
                .push_bind(p.clone())
                .push(r#" AND m.email COLLATE "C" < "#)
                .push_bind(prefix_end(p));
        }
        Some(MemberSearch::Text(t)) => {
            // Prefixes of the email and of the name use the indexes; a later word of the name
            // (`% word%`) has to scan.
            qb.push(r#" AND ((m.email COLLATE "C" >= "#)
                .push_bind(t.clone())
                .push(r#" AND m.email COLLATE "C" < "#)
                .push_bind(prefix_end(t))
                .push(r#") OR (m.name_key COLLATE "C" >= "#)
                .push_bind(t.clone())
                .push(r#" AND m.name_key COLLATE "C" < "#)
                .push_bind(prefix_end(t))
                .push(") OR m.name_key LIKE ")
                .push_bind(format!("% {}", like_prefix(t)))
                .push(" ESCAPE '\\')");
        }
        Some(MemberSearch::UserId(id)) => {
            qb.push(" AND m.user_id = ").push_bind(id.0);
        }
        None => {}
    }
    if let Some(g) = f.group {
        qb.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ")
            .push_bind(g.0)
            // Rule 5: another organization's group is as unknown as a missing one.
            .push(format_args!(
                " AND gm.org_id = {key}.org_id AND gm.user_id = {key}.user_id)"
            ));
    }
    if let Some(tf) = f.two_factor {
        qb.push(" AND u.two_factor_enabled = ").push_bind(tf);
    }
    if cursor && let Some(k) = &f.after {
        qb.push(format_args!(
            r#" AND ({key}.name_key COLLATE "C", {key}.user_id) > ("#
        ))
        .push_bind(k.name_key.clone())
        .push(r#" COLLATE "C", "#)
        .push_bind(k.user_id.0)
        .push(")");
    }
    key
}

fn named<T>(
    r: &PgRow,
    id_col: &str,
    name_col: &str,
    wrap: fn(Uuid) -> T,
) -> StoreResult<Option<NamedRef<T>>> {
    let id: Option<Uuid> = get(r, id_col)?;
    let name: Option<String> = get(r, name_col)?;
    Ok(id
        .zip(name)
        .map(|(id, name)| NamedRef { id: wrap(id), name }))
}

impl PostgresStore {
    /// Roles of the given members: their own, and those of their groups.
    async fn page_grants(&self, org: OrgId, ids: &[Uuid]) -> StoreResult<Vec<GrantRow>> {
        sqlx::query(
            "SELECT rb.principal_id AS user_id, rb.role_id, cr.name AS custom_name, \
                    rb.project_id, p.name AS project_name, NULL::uuid AS group_id, NULL::text AS group_name \
             FROM role_bindings rb \
             LEFT JOIN custom_roles cr ON cr.id::text = rb.role_id AND cr.org_id = rb.org_id \
             LEFT JOIN projects p ON p.id = rb.project_id \
             WHERE rb.org_id = $1 AND rb.principal_type = 'user' AND rb.principal_id = ANY($2) \
             UNION ALL \
             SELECT gm.user_id, rb.role_id, cr.name, rb.project_id, p.name, g.id, g.name \
             FROM group_members gm JOIN groups g ON g.id = gm.group_id \
             JOIN role_bindings rb ON rb.org_id = gm.org_id AND rb.principal_type = 'group' \
                  AND rb.principal_id = gm.group_id \
             LEFT JOIN custom_roles cr ON cr.id::text = rb.role_id AND cr.org_id = rb.org_id \
             LEFT JOIN projects p ON p.id = rb.project_id \
             WHERE gm.org_id = $1 AND gm.user_id = ANY($2)",
        )
        .bind(org.0)
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            Ok(GrantRow {
                user_id: UserId(get(r, "user_id")?),
                role_id: get(r, "role_id")?,
                custom_role_name: get(r, "custom_name")?,
                project: named(r, "project_id", "project_name", ProjectId)?,
                group: named(r, "group_id", "group_name", GroupId)?,
            })
        })
        .collect()
    }

    /// The groups of the given members.
    async fn page_groups(
        &self,
        org: OrgId,
        ids: &[Uuid],
    ) -> StoreResult<Vec<(UserId, NamedRef<GroupId>)>> {
        sqlx::query(
            "SELECT gm.user_id, g.id AS group_id, g.name AS group_name \
             FROM group_members gm JOIN groups g ON g.id = gm.group_id \
             WHERE gm.org_id = $1 AND gm.user_id = ANY($2)",
        )
        .bind(org.0)
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            Ok((
                UserId(get(r, "user_id")?),
                NamedRef {
                    id: GroupId(get(r, "group_id")?),
                    name: get(r, "group_name")?,
                },
            ))
        })
        .collect()
    }
}

async fn insert_audit(conn: &mut PgConnection, e: &AuditEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_label, action, target_type, \
         target_id, target_label, before_json, after_json, client_addr, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(e.id.0)
    .bind(e.org.map(|o| o.0))
    .bind(&e.actor.kind)
    .bind(&e.actor.id)
    .bind(&e.actor.label)
    .bind(&e.action)
    .bind(&e.target.kind)
    .bind(&e.target.id)
    .bind(&e.target.label)
    .bind(e.before.as_ref().map(sqlx::types::Json))
    .bind(e.after.as_ref().map(sqlx::types::Json))
    .bind(&e.client_addr)
    .bind(e.at)
    .execute(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

fn audit_from_row(r: &PgRow) -> StoreResult<AuditEvent> {
    let json = |col: &str| -> StoreResult<Option<serde_json::Value>> {
        Ok(get::<Option<sqlx::types::Json<serde_json::Value>>>(r, col)?.map(|j| j.0))
    };
    Ok(AuditEvent {
        id: AuditEventId(get(r, "id")?),
        org: get::<Option<Uuid>>(r, "org_id")?.map(OrgId),
        actor: AuditActor {
            kind: get(r, "actor_type")?,
            id: get(r, "actor_id")?,
            label: get(r, "actor_label")?,
        },
        action: get(r, "action")?,
        target: AuditTarget {
            kind: get(r, "target_type")?,
            id: get(r, "target_id")?,
            label: get(r, "target_label")?,
        },
        before: json("before_json")?,
        after: json("after_json")?,
        client_addr: get(r, "client_addr")?,
        at: get(r, "created_at")?,
    })
}

fn org_from_row(r: &PgRow) -> StoreResult<OrgSummary> {
    Ok(OrgSummary {
        id: OrgId(get(r, "id")?),
        slug: get(r, "slug")?,
        name: get(r, "name")?,
    })
}

/// Writes the organization, its first user and their Admin binding (the caller's transaction
/// commits). Conflicts: `email_taken`, `not_first`.
async fn insert_organization(tx: &mut Tx, org: NewOrganization) -> StoreResult<OrgSummary> {
    if org.only_if_first {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(FIRST_ORG_LOCK)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM organizations")
            .fetch_one(&mut **tx)
            .await
            .map_err(db_error)?;
        if n > 0 {
            return Err(not_first());
        }
    }
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM users WHERE email = $1")
        .bind(&org.admin.email)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
    if exists.is_some() {
        return Err(email_taken());
    }
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM organizations WHERE slug = $1 OR slug LIKE $1 || '-%'",
    )
    .bind(org.slug.as_str())
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    let slug = free_slug(&org.slug, &taken);
    sqlx::query("INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(org.id.0)
        .bind(&slug)
        .bind(&org.name)
        .bind(org.now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org.admin.id.0)
        .bind(&org.admin.email)
        .bind(&org.admin.name)
        .bind(&org.admin.password_hash)
        .bind(org.now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, status, name_key, email, created_at, updated_at) \
         VALUES ($1, $2, 'active', $3, $4, $5, $5)",
    )
    .bind(org.id.0)
    .bind(org.admin.id.0)
    .bind(org.admin.name.to_lowercase())
    .bind(&org.admin.email)
    .bind(org.now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    sqlx::query(
        "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, project_id, created_at) \
         VALUES ($1, $2, 'user', $3, 'admin', NULL, $4)",
    )
    .bind(Uuid::now_v7())
    .bind(org.id.0)
    .bind(org.admin.id.0)
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
impl Store for PostgresStore {
    /// Only while this server holds the database alone (see `claim_server`): otherwise another
    /// server may write, and nothing may be reused.
    fn generation(&self) -> Option<u64> {
        self.alone
            .load(Ordering::SeqCst)
            .then(|| self.generation.current())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn organization_count(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT count(*) FROM organizations")
            .fetch_one(&self.pool)
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
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.map(|r| {
            Ok(UserCredentials {
                id: UserId(get(&r, "id")?),
                password_hash: get(&r, "password_hash")?,
            })
        })
        .transpose()
    }

    async fn create_session(&self, s: NewSession, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id.0)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(&s.client_addr)
        .bind(&s.user_agent)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
            .bind(s.now)
            .bind(s.user_id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT user_id, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            Ok(SessionRecord {
                user_id: UserId(get(&r, "user_id")?),
                created_at: get(&r, "created_at")?,
                last_seen_at: get(&r, "last_seen_at")?,
                expires_at: get(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str, audit: Option<AuditEvent>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
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
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(r.rows_affected())
    }

    async fn count_attempt(&self, a: Attempt<'_>) -> StoreResult<AttemptOutcome> {
        // The WHERE of the upsert makes the check and the count one atomic step, so concurrent
        // attempts on several servers cannot all slip through the same free slot; an attempt
        // that is refused is not counted, so refusals do not push the next slot further away.
        let admitted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO attempt_windows (key, window_start, attempts, next_at) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (key, window_start) DO UPDATE SET attempts = attempt_windows.attempts + 1, \
             next_at = excluded.next_at + CASE WHEN attempt_windows.attempts + 1 > $4 \
             THEN (attempt_windows.attempts + 1 - $4) * $5 ELSE 0 END \
             WHERE attempt_windows.next_at <= excluded.next_at \
             RETURNING attempts",
        )
        .bind(a.key)
        .bind(a.window_start)
        .bind(a.now)
        .bind(a.free)
        .bind(a.step_ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        if let Some(n) = admitted {
            return Ok(AttemptOutcome::Admitted(n));
        }
        let until: Option<i64> = sqlx::query_scalar(
            "SELECT next_at FROM attempt_windows WHERE key = $1 AND window_start = $2",
        )
        .bind(a.key)
        .bind(a.window_start)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(AttemptOutcome::Delayed {
            until: until.unwrap_or(a.now),
        })
    }

    async fn delete_attempt_windows(&self, before: i64) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM attempt_windows WHERE window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(r.rows_affected())
    }

    async fn record_audit(&self, event: AuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        insert_audit(&mut conn, &event).await
    }

    async fn session_view(&self, user: UserId) -> StoreResult<Option<SessionView>> {
        let Some(u) = sqlx::query("SELECT name, email FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let orgs = sqlx::query(
            "SELECT o.id, o.slug, o.name FROM memberships m JOIN organizations o ON o.id = m.org_id \
             WHERE m.user_id = $1 AND m.status = 'active' ORDER BY lower(o.name), o.id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(Some(SessionView {
            user_id: user,
            name: get(&u, "name")?,
            email: get(&u, "email")?,
            organizations: orgs.iter().map(org_from_row).collect::<StoreResult<_>>()?,
        }))
    }

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<OrgSummary>> {
        sqlx::query("SELECT id, slug, name FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    async fn organization(&self, id: OrgId) -> StoreResult<Option<OrgSummary>> {
        sqlx::query("SELECT id, slug, name FROM organizations WHERE id = $1")
            .bind(Ids::bind(id.0))
            .fetch_optional(&self.pool)
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
                 LEFT JOIN custom_roles cr ON cr.id::text = rb.role_id AND cr.org_id = rb.org_id \
                 WHERE rb.org_id = $1 AND ((rb.principal_type = 'user' AND rb.principal_id = $2) \
                    OR (rb.principal_type = 'group' AND rb.principal_id IN \
                        (SELECT group_id FROM group_members WHERE org_id = $1 AND user_id = $2)))) b ON 1 = 1 \
             WHERE m.org_id = $1 AND m.user_id = $2",
        )
        .bind(org.0)
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let status: String = get(first, "status")?;
        let Some(status) = MembershipStatus::parse(&status) else {
            return Ok(None);
        };
        let bindings = rows
            .iter()
            .map(|r| {
                let role: Option<String> = get(r, "role_id")?;
                let Some(role) = role else { return Ok(None) };
                let project: Option<Uuid> = get(r, "project_id")?;
                let custom: Option<String> = get(r, "permissions")?;
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
        let mut page = QueryBuilder::<Postgres>::new(
            "SELECT m.user_id, u.name, m.email, m.status, u.two_factor_enabled, u.last_sign_in_at, m.name_key",
        );
        let key = push_member_filter(&mut page, org, filter, true, false);
        page.push(format_args!(
            r#" ORDER BY {key}.name_key COLLATE "C", {key}.user_id LIMIT "#
        ))
        .push_bind(i64::from(filter.limit) + 1);
        let base = page
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| {
                let status: String = get(r, "status")?;
                Ok(BaseRow {
                    user_id: UserId(get(r, "user_id")?),
                    name: get(r, "name")?,
                    email: get(r, "email")?,
                    status: MembershipStatus::parse(&status).ok_or(StoreError::NotFound)?,
                    two_factor: get(r, "two_factor_enabled")?,
                    last_sign_in_at: get(r, "last_sign_in_at")?,
                    name_key: get(r, "name_key")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;

        let total: i64 = if filter.is_role_only() {
            // Kept by triggers (migration 0004), like the unfiltered total.
            let role = filter.role.as_ref().map(ToString::to_string);
            sqlx::query_scalar(
                "SELECT n FROM role_holder_counts WHERE org_id = $1 AND role_id = $2 AND status = $3",
            )
            .bind(org.0)
            .bind(role)
            .bind(filter.status.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?
            .unwrap_or(0)
        } else if filter.is_unfiltered() {
            // Kept by a trigger (migration 0003): no count over every membership.
            sqlx::query_scalar("SELECT n FROM member_counts WHERE org_id = $1 AND status = $2")
                .bind(org.0)
                .bind(filter.status.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?
                .unwrap_or(0)
        } else {
            let mut count = QueryBuilder::<Postgres>::new("SELECT count(*)");
            push_member_filter(&mut count, org, filter, false, true);
            count
                .build_query_scalar()
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?
        };

        let ids: Vec<Uuid> = base
            .iter()
            .take(filter.limit as usize)
            .map(|b| b.user_id.0)
            .collect();
        let (grants, groups) = if ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                self.page_grants(org, &ids).await?,
                self.page_groups(org, &ids).await?,
            )
        };
        Ok(assemble_page(base, filter.limit, grants, groups, total))
    }

    async fn audit_events(&self, org: Option<OrgId>, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE org_id IS NOT DISTINCT FROM $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(org.map(|o| o.0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(audit_from_row).collect()
    }
}
