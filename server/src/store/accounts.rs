//! Organizations, accounts, sessions and sign-in attempts.

use super::{
    Database,
    audit::insert_audit,
    db::{Ids, Row, Tx, query, query_scalar},
    db_error,
    dialect::Dialect,
    email_taken, free_slug, not_first,
    values::Id,
};
use app::{
    areas::{
        accounts::types::{Language, OrgSummary, SessionView},
        audit::event::AuditEvent,
    },
    core::ids::{OrgId, UserId},
    policy::{Binding, BuiltinRole, RoleId},
    server::store::{
        AccountStore, Attempt, AttemptOutcome, NewOrganization, NewSession, SessionRecord,
        StoreError, StoreResult, UserCredentials, member_search_key,
    },
};
use async_trait::async_trait;
use uuid::Uuid;

/// Serializes first-run sign-ups across PostgreSQL nodes (`pg_advisory_xact_lock` key).
const FIRST_ORG_LOCK: i64 = 0x6761_7465_0001;

/// An organization as `SELECT id, slug, name` reads it.
#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Id,
    slug: String,
    name: String,
}

pub(super) fn org_from_row(r: &Row) -> StoreResult<OrgSummary> {
    let o: OrgRow = r.decode()?;
    Ok(OrgSummary {
        id: OrgId(o.id.0),
        slug: o.slug,
        name: o.name,
    })
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: Id,
    password_hash: String,
    language: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Id,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

/// Writes the organization, its first user and their Admin binding (the caller's transaction
/// commits). Conflicts: `email_taken`, `not_first`.
pub(super) async fn insert_organization(
    tx: &mut Tx,
    org: NewOrganization,
) -> StoreResult<OrgSummary> {
    if org.only_if_first {
        if tx.dialect() == Dialect::Postgres {
            query("SELECT pg_advisory_xact_lock($1)")
                .bind(FIRST_ORG_LOCK)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let n: i64 = query_scalar("SELECT count(*) FROM organizations")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        if n > 0 {
            return Err(not_first());
        }
    }
    let exists: Option<i32> = query_scalar("SELECT 1 FROM users WHERE email = $1")
        .bind(&org.admin.email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
    if exists.is_some() {
        return Err(email_taken());
    }
    let taken: Vec<String> =
        query_scalar("SELECT slug FROM organizations WHERE slug = $1 OR slug LIKE $1 || '-%'")
            .bind(org.slug.as_str())
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
    let slug = free_slug(&org.slug, &taken);
    query("INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(Id(org.id.0))
        .bind(&slug)
        .bind(&org.name)
        .bind(org.now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(Id(org.admin.id.0))
        .bind(&org.admin.email)
        .bind(&org.admin.name)
        .bind(&org.admin.password_hash)
        .bind(org.now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    query(
        "INSERT INTO memberships (org_id, user_id, status, name_key, email, search_key, created_at, updated_at) \
         VALUES ($1, $2, 'active', $3, $4, $5, $6, $6)",
    )
    .bind(Id(org.id.0))
    .bind(Id(org.admin.id.0))
    .bind(org.admin.name.to_lowercase())
    .bind(&org.admin.email)
    .bind(member_search_key(&org.admin.name, &org.admin.email))
    .bind(org.now)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    query(
        "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, project_id, created_at) \
         VALUES ($1, $2, 'user', $3, 'admin', NULL, $4)",
    )
    .bind(Uuid::now_v7())
    .bind(Id(org.id.0))
    .bind(Id(org.admin.id.0))
    .bind(org.now)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    Ok(OrgSummary {
        id: org.id,
        slug,
        name: org.name,
    })
}

/// A stored language code; anything unknown reads as no choice.
fn language(code: Option<String>) -> Option<Language> {
    code.as_deref().and_then(Language::parse)
}

#[async_trait]
impl AccountStore for Database {
    async fn ping(&self) -> StoreResult<()> {
        query("SELECT 1")
            .execute(self.read_pool())
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn organization_count(&self) -> StoreResult<i64> {
        query_scalar("SELECT count(*) FROM organizations")
            .fetch_one(self.read_pool())
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
        let row = query("SELECT id, password_hash, language FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_error)?;
        row.map(|r| {
            let c: CredentialsRow = r.decode()?;
            Ok(UserCredentials {
                id: UserId(c.id.0),
                password_hash: c.password_hash,
                language: language(c.language),
            })
        })
        .transpose()
    }

    async fn create_session(&self, s: NewSession, audit: AuditEvent) -> StoreResult<()> {
        // Nothing reused can have read a session that did not exist, nor the last sign-in time.
        let mut tx = self.bookkeeping_tx().await?;
        query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(&s.id_hash)
        .bind(Id(s.user_id.0))
        .bind(s.now)
        .bind(s.expires_at)
        .bind(&s.client_addr)
        .bind(&s.user_agent)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
            .bind(s.now)
            .bind(Id(s.user_id.0))
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = query(
            "SELECT user_id, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?;
        row.map(|r| {
            let s: SessionRow = r.decode()?;
            Ok(SessionRecord {
                user_id: UserId(s.user_id.0),
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()> {
        query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(self.bookkeeping_pool())
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str, audit: Option<AuditEvent>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        if let Some(a) = &audit {
            insert_audit(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn delete_expired_sessions(&self, idle_cutoff: i64, now: i64) -> StoreResult<u64> {
        let r = query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff)
            .execute(self.bookkeeping_pool())
            .await
            .map_err(db_error)?;
        Ok(r.rows_affected())
    }

    async fn count_attempt(&self, a: Attempt<'_>) -> StoreResult<AttemptOutcome> {
        // The WHERE of the upsert makes the check and the count one atomic step, so concurrent
        // attempts on several servers cannot all slip through the same free slot; an attempt
        // that is refused is not counted, so refusals do not push the next slot further away.
        let admitted: Option<i64> = query_scalar(
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
        .fetch_optional(self.bookkeeping_pool())
        .await
        .map_err(db_error)?;
        if let Some(n) = admitted {
            return Ok(AttemptOutcome::Admitted(n));
        }
        let until: Option<i64> = query_scalar(
            "SELECT next_at FROM attempt_windows WHERE key = $1 AND window_start = $2",
        )
        .bind(a.key)
        .bind(a.window_start)
        .fetch_optional(self.bookkeeping_pool())
        .await
        .map_err(db_error)?;
        Ok(AttemptOutcome::Delayed {
            until: until.unwrap_or(a.now),
        })
    }

    async fn delete_attempt_windows(&self, before: i64) -> StoreResult<u64> {
        let r = query("DELETE FROM attempt_windows WHERE window_start < $1")
            .bind(before)
            .execute(self.bookkeeping_pool())
            .await
            .map_err(db_error)?;
        Ok(r.rows_affected())
    }

    async fn session_view(&self, user: UserId) -> StoreResult<Option<SessionView>> {
        let Some(u) = query("SELECT name, email, language FROM users WHERE id = $1")
            .bind(Id(user.0))
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let orgs = query(format!(
            "SELECT o.id, o.slug, o.name FROM memberships m JOIN organizations o ON o.id = m.org_id \
             WHERE m.user_id = $1 AND m.status = 'active' ORDER BY {}, o.id",
            self.dialect().order_nocase("o.name")
        ))
        .bind(Id(user.0))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_error)?;
        Ok(Some(SessionView {
            user_id: user,
            name: u.get("name")?,
            email: u.get("email")?,
            organizations: orgs.iter().map(org_from_row).collect::<StoreResult<_>>()?,
            language: language(u.get("language")?),
        }))
    }

    async fn set_language(
        &self,
        user: UserId,
        language: Option<Language>,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let n = query("UPDATE users SET language = $2 WHERE id = $1")
            .bind(Id(user.0))
            .bind(language.map(Language::as_str))
            .execute(&mut tx)
            .await
            .map_err(db_error)?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn languages(
        &self,
        user: UserId,
        org_slug: Option<&str>,
    ) -> StoreResult<(Option<Language>, Option<Language>)> {
        let Some(r) = query(
            "SELECT u.language, \
                    (SELECT o.default_language FROM organizations o \
                     JOIN memberships m ON m.org_id = o.id AND m.user_id = u.id AND m.status = 'active' \
                     WHERE ($2 IS NULL OR o.slug = $2) AND o.default_language IS NOT NULL \
                     ORDER BY o.name, o.id LIMIT 1) AS org_language \
             FROM users u WHERE u.id = $1",
        )
        .bind(Id(user.0))
        .bind(org_slug)
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        else {
            return Ok((None, None));
        };
        Ok((
            language(r.get("language")?),
            language(r.get("org_language")?),
        ))
    }

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<OrgSummary>> {
        query("SELECT id, slug, name FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_error)?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    async fn organization(&self, id: OrgId) -> StoreResult<Option<OrgSummary>> {
        query("SELECT id, slug, name FROM organizations WHERE id = $1")
            .bind(Id(id.0))
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_error)?
            .as_ref()
            .map(org_from_row)
            .transpose()
    }

    async fn create_organization_for(
        &self,
        id: OrgId,
        name: &str,
        slug: &app::core::validate::OrgSlug,
        admin: UserId,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<OrgSummary> {
        let mut tx = self.write_tx().await?;
        let user = query("SELECT name, email FROM users WHERE id = $1")
            .bind(Ids::bind(admin.0))
            .fetch_optional(&mut tx)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound)?;
        let user_name: String = user.try_get("name").map_err(StoreError::backend)?;
        let user_email: String = user.try_get("email").map_err(StoreError::backend)?;
        let taken: Vec<String> =
            query_scalar("SELECT slug FROM organizations WHERE slug = $1 OR slug LIKE $1 || '-%'")
                .bind(slug.as_str())
                .fetch_all(&mut tx)
                .await
                .map_err(db_error)?;
        let slug = free_slug(slug, &taken);
        query("INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(Ids::bind(id.0))
            .bind(&slug)
            .bind(name)
            .bind(now)
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        query(
            "INSERT INTO memberships (org_id, user_id, status, name_key, email, search_key, created_at, updated_at) \
             VALUES ($1, $2, 'active', $3, $4, $5, $6, $6)",
        )
        .bind(Ids::bind(id.0))
        .bind(Ids::bind(admin.0))
        .bind(user_name.to_lowercase())
        .bind(&user_email)
        .bind(member_search_key(&user_name, &user_email))
        .bind(now)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        let admin_role = [Binding {
            role: RoleId::Builtin(BuiltinRole::Admin),
            project: None,
        }];
        Self::insert_bindings(&mut tx, id, "user", admin.0, &admin_role, now).await?;
        Self::finish(tx, &audit).await?;
        Ok(OrgSummary {
            id,
            slug,
            name: name.to_string(),
        })
    }
}
