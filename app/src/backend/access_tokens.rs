//! Access tokens: create, list, regenerate and delete (console and API), and authenticating a
//! bearer token into a `Principal` (rules 1 and 2).

use serde_json::json;

use super::{
    AppState, RequestCtx,
    audit::AuditTarget,
    directory::{Caller, event},
    store::NewToken,
    tokens::{self, TokenSecret},
};
use crate::{
    error::AppError,
    model::{AccessToken, CustomRole, MembershipStatus, TOKEN_EXPIRY_DAYS, TokenId, TokenKind},
    policy::{self, Actor, Permission, Principal, RoleId, Scope},
};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Last use is written at most this often per token.
const USE_RESOLUTION_MS: i64 = 60_000;

/// What a new token is to be.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub name: String,
    pub kind: TokenKind,
    pub role: RoleId,
    /// 7, 30, 90 or 365; `None` never expires.
    pub expires_in_days: Option<u32>,
}

fn role_permissions(
    role: RoleId,
    custom: &[CustomRole],
) -> Result<policy::PermissionSet, AppError> {
    match role {
        RoleId::Builtin(b) => Ok(b.permissions()),
        RoleId::Custom(id) => custom
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.permissions)
            .ok_or_else(|| {
                AppError::field(
                    "role",
                    format!("There is no role {id} in this organization"),
                )
            }),
    }
}

fn me(caller: &Caller) -> Result<crate::model::UserId, AppError> {
    match caller.principal.actor() {
        Actor::User(u) | Actor::UserToken { owner: u, .. } => Ok(*u),
        Actor::OrganizationToken { .. } => Err(AppError::Forbidden(
            "An organization token has no user tokens of its own".into(),
        )),
    }
}

/// Creates a token and returns it with its secret, shown this once. A user token needs
/// `tokens.create` and acts for the caller; an organization token needs `tokens.manage`. Either
/// way the role may not exceed what the caller holds (rule 3).
pub async fn create(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    req: TokenRequest,
) -> Result<(AccessToken, TokenSecret), AppError> {
    let auth = caller.require(match req.kind {
        TokenKind::User => Permission::TokensCreate,
        TokenKind::Organization => Permission::TokensManage,
    })?;
    let name = req.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(("name", "Give the token a name".to_string()));
    } else if name.chars().count() > 64 || name.chars().any(char::is_control) {
        errors.push((
            "name",
            "A name is one line of at most 64 characters".to_string(),
        ));
    }
    if let Some(d) = req.expires_in_days
        && !TOKEN_EXPIRY_DAYS.contains(&d)
    {
        errors.push((
            "expires_in_days",
            "A token expires after 7, 30, 90 or 365 days, or never".to_string(),
        ));
    }
    AppError::fields(errors)?;
    let custom = state.store.custom_roles(auth.org()).await?;
    policy::check_grant(
        caller.principal.permissions_at(Scope::Organization),
        role_permissions(req.role, &custom)?,
    )?;
    let owner = match req.kind {
        TokenKind::User => Some(me(caller)?),
        TokenKind::Organization => None,
    };
    let now = state.now();
    let id = TokenId::new();
    let (secret, fp) = tokens::generate(req.kind);
    let creator = match caller.principal.actor() {
        Actor::User(u) | Actor::UserToken { owner: u, .. } => Some(*u),
        Actor::OrganizationToken { .. } => None,
    };
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "token.created",
        AuditTarget::new("token", Some(id.to_string()), name),
    )
    .with_after(
        json!({ "kind": req.kind, "role": req.role, "expires_in_days": req.expires_in_days }),
    );
    state
        .store
        .create_token(
            NewToken {
                id,
                org: auth.org(),
                kind: req.kind,
                name: name.to_string(),
                role: req.role,
                owner,
                created_by: creator,
                created_by_name: caller.label.clone(),
                hash: fp.hash,
                last_four: fp.last_four,
                now,
                expires_at: req.expires_in_days.map(|d| now + i64::from(d) * DAY_MS),
            },
            audit,
        )
        .await?;
    let token = state
        .store
        .token(auth.org(), id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((token, secret))
}

/// The tokens the caller may see: everyone's with `tokens.manage`, else their own.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<AccessToken>, AppError> {
    if let Ok(auth) = caller.require(Permission::TokensManage) {
        return Ok(state.store.tokens(auth.org(), None, state.now()).await?);
    }
    let auth = caller.require(Permission::TokensCreate)?;
    Ok(state
        .store
        .tokens(auth.org(), Some(me(caller)?), state.now())
        .await?)
}

/// A token the caller may change: their own user token (`tokens.create`), or any with
/// `tokens.manage`. Others' tokens answer as unknown.
async fn changeable(
    state: &AppState,
    caller: &Caller,
    id: TokenId,
) -> Result<(policy::Authorized, AccessToken), AppError> {
    let auth = caller
        .require(Permission::TokensManage)
        .or_else(|_| caller.require(Permission::TokensCreate))?;
    let token = state
        .store
        .token(auth.org(), id, state.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let manages = caller
        .principal
        .can(Permission::TokensManage, Scope::Organization);
    let own = token.owner.as_ref().map(|o| o.id) == me(caller).ok();
    if !manages && !own {
        return Err(AppError::NotFound);
    }
    Ok((auth, token))
}

/// A new secret for the same settings; the old one stops working on the next request.
pub async fn regenerate(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: TokenId,
) -> Result<(AccessToken, TokenSecret), AppError> {
    let (auth, token) = changeable(state, caller, id).await?;
    let (secret, fp) = tokens::generate(token.kind);
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "token.regenerated",
        AuditTarget::new("token", Some(id.to_string()), &token.name),
    );
    state
        .store
        .regenerate_token(auth.org(), id, &fp.hash, &fp.last_four, audit)
        .await?;
    let token = state
        .store
        .token(auth.org(), id, state.now())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((token, secret))
}

/// Revokes a token at once.
pub async fn delete(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: TokenId,
) -> Result<(), AppError> {
    let (auth, token) = changeable(state, caller, id).await?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "token.deleted",
        AuditTarget::new("token", Some(id.to_string()), &token.name),
    )
    .with_before(json!({ "kind": token.kind, "role": token.role }));
    state.store.delete_token(auth.org(), id, audit).await?;
    Ok(())
}

fn bad_token() -> AppError {
    AppError::Unauthorized("The access token is not valid".into())
}

/// The caller a bearer token stands for. Malformed tokens are refused before any lookup;
/// expired tokens, and user tokens whose owner is not an active member, are refused.
pub async fn authenticate(
    state: &AppState,
    ctx: &RequestCtx,
    bearer: &str,
) -> Result<Caller, AppError> {
    let fp = tokens::parse(bearer.trim()).map_err(|_| bad_token())?;
    let rec = state
        .store
        .token_by_hash(&fp.hash)
        .await?
        .ok_or_else(bad_token)?;
    let now = state.now();
    if rec.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::Unauthorized(
            "The access token has expired".into(),
        ));
    }
    let principal = match (rec.kind, rec.owner) {
        (TokenKind::Organization, _) => Principal::organization_token(rec.id, rec.org, rec.role),
        (TokenKind::User, Some(owner)) => {
            let access = state
                .store
                .member_access(rec.org, owner)
                .await?
                .filter(|a| a.status == MembershipStatus::Active)
                .ok_or_else(|| {
                    AppError::Unauthorized(
                        "The access token's owner is not an active member of the organization"
                            .into(),
                    )
                })?;
            Principal::user_token(
                rec.id,
                owner,
                rec.org,
                rec.role,
                access.status,
                access.bindings,
            )
        }
        (TokenKind::User, None) => return Err(bad_token()),
    };
    if rec
        .last_used_at
        .is_none_or(|t| now - t >= USE_RESOLUTION_MS)
    {
        state
            .store
            .token_used(rec.id, now, ctx.client_addr.as_deref())
            .await?;
    }
    Ok(Caller {
        principal,
        label: format!("token …{}", fp.last_four),
    })
}
