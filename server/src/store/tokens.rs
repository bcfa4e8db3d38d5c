//! Access tokens: user and organization tokens, their role binding and their last use.

use super::{
    Database,
    db::{Ids, Row, lock_org, query},
    db_error,
    values::Id,
};
use app::{
    areas::{
        accounts::types::OrgSummary,
        audit::event::AuditEvent,
        tokens::types::{AccessToken, TokenStatus},
    },
    core::{
        ids::{NamedRef, OrgId, TokenId, UserId},
        kinds::{MembershipStatus, TokenKind},
    },
    policy::{Authorized, Binding},
    server::store::{NewToken, StoreError, StoreResult, TokenRecord, TokenStore},
};
use async_trait::async_trait;

pub(super) fn kind_str(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::User => "user",
        TokenKind::Organization => "organization",
    }
}

pub(super) fn parse_kind(s: &str) -> Option<TokenKind> {
    match s {
        "user" => Some(TokenKind::User),
        "organization" => Some(TokenKind::Organization),
        _ => None,
    }
}

/// Whether a token works now, from its expiry and (for a user token) its owner's membership. A
/// token revoked when its owner was removed stays so, whatever the owner's membership is now.
pub(super) fn status(
    kind: TokenKind,
    owner_status: Option<MembershipStatus>,
    revoked: bool,
    expires_at: Option<i64>,
    now: i64,
) -> TokenStatus {
    match (kind, owner_status) {
        _ if revoked => TokenStatus::OwnerRemoved,
        (TokenKind::User, Some(MembershipStatus::Archived) | None) => TokenStatus::OwnerRemoved,
        _ if expires_at.is_some_and(|e| e <= now) => TokenStatus::Expired,
        (TokenKind::User, Some(MembershipStatus::Deactivated)) => TokenStatus::OwnerDeactivated,
        _ => TokenStatus::Active,
    }
}

pub(super) const TOKEN_COLUMNS: &str = "t.id, t.kind, t.name, t.owner_id, ou.name AS owner_name, m.status AS owner_status, \
     t.created_by_name, t.created_at, t.expires_at, t.last_used_at, t.last_used_addr, t.last_four, t.revoked_at, \
     cm.status AS creator_status, rb.role_id, cr.name AS custom_name \
     FROM access_tokens t \
     LEFT JOIN users ou ON ou.id = t.owner_id \
     LEFT JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.owner_id \
     LEFT JOIN memberships cm ON cm.org_id = t.org_id AND cm.user_id = t.created_by \
     LEFT JOIN role_bindings rb ON rb.org_id = t.org_id AND rb.principal_type = 'token' AND rb.principal_id = t.id \
     LEFT JOIN custom_roles cr ON CAST(cr.id AS TEXT) = rb.role_id AND cr.org_id = t.org_id";

/// A token as `TOKEN_COLUMNS` reads it.
#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Id,
    kind: String,
    name: String,
    owner_id: Option<Id>,
    owner_name: Option<String>,
    owner_status: Option<String>,
    created_by_name: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    last_used_addr: Option<String>,
    last_four: String,
    revoked_at: Option<i64>,
    creator_status: Option<String>,
    role_id: Option<String>,
    custom_name: Option<String>,
}

impl Database {
    fn token_row(r: &Row, now: i64) -> StoreResult<AccessToken> {
        let t: TokenRow = r.decode()?;
        let kind = parse_kind(&t.kind).ok_or(StoreError::NotFound)?;
        let owner_status = t.owner_status.as_deref().and_then(MembershipStatus::parse);
        let (role, role_name) = t
            .role_id
            .as_deref()
            .and_then(|id| super::directory::role_name(id, t.custom_name))
            .ok_or(StoreError::NotFound)?;
        Ok(AccessToken {
            id: TokenId(t.id.0),
            kind,
            name: t.name,
            role,
            role_name,
            owner: t.owner_id.zip(t.owner_name).map(|(id, name)| NamedRef {
                id: UserId(id.0),
                name,
            }),
            created_by: t.created_by_name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            last_used_addr: t.last_used_addr,
            last_four: t.last_four,
            status: status(
                kind,
                owner_status,
                t.revoked_at.is_some(),
                t.expires_at,
                now,
            ),
            creator_removed: kind == app::core::kinds::TokenKind::Organization
                && t.creator_status.as_deref() == Some(MembershipStatus::Archived.as_str()),
        })
    }
}

/// A token's organization as `org_id, org_slug, org_name` reads it.
#[derive(sqlx::FromRow)]
struct TokenOrgRow {
    org_id: Id,
    org_slug: String,
    org_name: String,
}

fn token_org(r: &Row) -> StoreResult<OrgSummary> {
    let o: TokenOrgRow = r.decode()?;
    Ok(OrgSummary {
        id: OrgId(o.org_id.0),
        slug: o.org_slug,
        name: o.org_name,
    })
}

/// A token as `token_by_hash` reads it (its organization is a [`TokenOrgRow`]).
#[derive(sqlx::FromRow)]
struct TokenAuthRow {
    id: Id,
    kind: String,
    name: String,
    owner_id: Option<Id>,
    owner_name: Option<String>,
    owner_email: Option<String>,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    role_id: Option<String>,
    permissions: Option<String>,
}

#[async_trait]
impl TokenStore for Database {
    async fn create_token(&self, t: NewToken, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, t.org).await?;
        Self::within_limit(&mut tx, t.org, super::directory::Quota::Tokens).await?;
        Self::check_bindings(
            &mut tx,
            t.org,
            &[Binding {
                role: t.role,
                project: None,
            }],
        )
        .await?;
        if let Some(owner) = t.owner {
            Self::check_member(&mut tx, t.org, owner, "owner", true).await?;
        }
        query(
            "INSERT INTO access_tokens (id, org_id, kind, name, owner_id, created_by, created_by_name, \
                                        secret_hash, last_four, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(Ids::bind(t.id.0))
        .bind(Ids::bind(t.org.0))
        .bind(kind_str(t.kind))
        .bind(&t.name)
        .bind(Ids::bind_opt(t.owner.map(|u| u.0)))
        .bind(Ids::bind_opt(t.created_by.map(|u| u.0)))
        .bind(&t.created_by_name)
        .bind(&t.hash)
        .bind(&t.last_four)
        .bind(t.now)
        .bind(t.expires_at)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        Self::insert_bindings(
            &mut tx,
            t.org,
            "token",
            t.id.0,
            &[Binding {
                role: t.role,
                project: None,
            }],
            t.now,
        )
        .await?;
        Self::finish(tx, &audit).await
    }

    async fn tokens(
        &self,
        org: OrgId,
        owner: Option<UserId>,
        now: i64,
    ) -> StoreResult<Vec<AccessToken>> {
        let sql = format!(
            "SELECT {} WHERE t.org_id = $1 AND ($2 IS NULL OR t.owner_id = $2) ORDER BY t.id DESC",
            TOKEN_COLUMNS
        );
        query(&sql)
            .bind(Ids::bind(org.0))
            .bind(Ids::bind_opt(owner.map(|u| u.0)))
            .fetch_all(self.read_pool())
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| Self::token_row(r, now))
            .collect()
    }

    async fn user_tokens(
        &self,
        user: UserId,
        now: i64,
    ) -> StoreResult<Vec<(OrgSummary, AccessToken)>> {
        let sql = format!(
            "SELECT o.slug AS org_slug, o.name AS org_name, t.org_id, {} \
             JOIN organizations o ON o.id = t.org_id \
             WHERE t.owner_id = $1 AND t.kind = 'user' ORDER BY o.name, t.id DESC",
            TOKEN_COLUMNS
        );
        query(&sql)
            .bind(Ids::bind(user.0))
            .fetch_all(self.read_pool())
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| Ok((token_org(r)?, Self::token_row(r, now)?)))
            .collect()
    }

    async fn token(&self, org: OrgId, id: TokenId, now: i64) -> StoreResult<Option<AccessToken>> {
        let sql = format!("SELECT {} WHERE t.org_id = $1 AND t.id = $2", TOKEN_COLUMNS);
        query(&sql)
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(id.0))
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_error)?
            .map(|r| Self::token_row(&r, now))
            .transpose()
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        let Some(r) = query(
            "SELECT t.id, t.org_id, t.kind, t.name, t.owner_id, t.expires_at, t.last_used_at, rb.role_id, cr.permissions, \
             o.slug AS org_slug, o.name AS org_name, ou.name AS owner_name, ou.email AS owner_email \
             FROM access_tokens t \
             JOIN organizations o ON o.id = t.org_id \
             LEFT JOIN users ou ON ou.id = t.owner_id \
             LEFT JOIN role_bindings rb ON rb.org_id = t.org_id AND rb.principal_type = 'token' AND rb.principal_id = t.id \
             LEFT JOIN custom_roles cr ON CAST(cr.id AS TEXT) = rb.role_id AND cr.org_id = t.org_id \
             WHERE t.secret_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        else {
            return Ok(None);
        };
        let t: TokenAuthRow = r.decode()?;
        let role = t
            .role_id
            .as_deref()
            .map(|id| super::resolve_binding(id, t.permissions.as_deref(), None).permissions)
            .unwrap_or(app::policy::PermissionSet::EMPTY);
        Ok(Some(TokenRecord {
            id: TokenId(t.id.0),
            org: token_org(&r)?,
            kind: parse_kind(&t.kind).ok_or(StoreError::NotFound)?,
            name: t.name,
            role_id: t.role_id.and_then(|id| id.parse().ok()),
            owner: t.owner_id.map(|id| UserId(id.0)),
            owner_name: t.owner_name,
            owner_email: t.owner_email,
            role,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }))
    }

    async fn regenerate_token(
        &self,
        auth: &Authorized,
        id: TokenId,
        hash: &str,
        last_four: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        let n = query(
            "UPDATE access_tokens SET secret_hash = $3, last_four = $4, last_used_at = NULL, last_used_addr = NULL \
             WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(id.0))
        .bind(hash)
        .bind(last_four)
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Self::finish(tx, &audit).await
    }

    async fn delete_token(
        &self,
        auth: &Authorized,
        id: TokenId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        let n = query("DELETE FROM access_tokens WHERE org_id = $1 AND id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(id.0))
            .execute(&mut tx)
            .await
            .map_err(db_error)?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Self::delete_bindings(&mut tx, org, "token", id.0).await?;
        Self::finish(tx, &audit).await
    }

    async fn token_used(&self, id: TokenId, now: i64, addr: Option<&str>) -> StoreResult<()> {
        query("UPDATE access_tokens SET last_used_at = $2, last_used_addr = $3 WHERE id = $1")
            .bind(Ids::bind(id.0))
            .bind(now)
            .bind(addr)
            .execute(self.bookkeeping_pool())
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
