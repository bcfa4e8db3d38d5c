//! Access tokens: create, list, regenerate and delete (console and API), and authenticating a
//! bearer token into a `Principal` (rules 1 and 2).

use crate::{
    areas::{
        audit::event::{AuditActor, AuditEvent, AuditTarget},
        roles::types::CustomRole,
        tokens::types::{AccessToken, TOKEN_EXPIRY_DAYS},
    },
    core::{ids::TokenId, kinds::TokenKind},
    error::{AppError, Wording},
    policy::{self, Permission, RoleId, Scope},
    server::{
        AppState, RequestCtx,
        auth::token_secret::{self as tokens, TokenSecret},
        caller::{Caller, event},
        store::NewToken,
    },
};
use serde_json::json;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What a new token is to be.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(schema_with = crate::server::rest::schema::name)]
    pub name: String,
    pub kind: TokenKind,
    /// No higher than the creator's own permissions.
    pub role: RoleId,
    /// 7, 30, 90 or 365; `null` or absent: never expires.
    #[serde(default)]
    #[schema(schema_with = crate::server::rest::schema::expiry_days)]
    pub expires_in_days: Option<u32>,
}

/// A new token's role as permissions; an unknown role is a field error.
fn role_permissions(
    role: RoleId,
    custom: &[CustomRole],
) -> Result<policy::PermissionSet, AppError> {
    crate::areas::shared::role_permissions(role, custom).ok_or_else(|| {
        AppError::field_worded(
            "role",
            Wording::new("field_unknown_role").with("role", role),
        )
    })
}

fn me(caller: &Caller) -> Result<crate::core::ids::UserId, AppError> {
    caller
        .principal
        .acting_user()
        .ok_or_else(|| AppError::forbidden(Wording::new("forbidden_org_token")))
}

/// A token request's name, checked, with its expiry checked too.
fn checked_name(req: &TokenRequest) -> Result<String, AppError> {
    let name = req.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(("name", Wording::new("field_token_name_empty")));
    } else if name.chars().count() > 64 || name.chars().any(char::is_control) {
        errors.push((
            "name",
            Wording::new("field_token_name_shape").with("max", 64),
        ));
    }
    if let Some(d) = req.expires_in_days
        && !TOKEN_EXPIRY_DAYS.contains(&d)
    {
        errors.push(("expires_in_days", Wording::new("field_token_expiry")));
    }
    AppError::fields(errors)?;
    Ok(name.to_string())
}

/// Who a new token records as its creator.
struct Creator {
    actor: AuditActor,
    user: Option<crate::core::ids::UserId>,
    label: String,
}

/// Stores a checked token request with its audit event and returns it with its secret.
async fn insert(
    state: &AppState,
    ctx: &RequestCtx,
    org: crate::core::ids::OrgId,
    creator: Creator,
    owner: Option<crate::core::ids::UserId>,
    name: String,
    req: TokenRequest,
) -> Result<(AccessToken, TokenSecret), AppError> {
    let now = state.now();
    let id = TokenId::new();
    let (secret, fp) = tokens::generate(req.kind);
    let audit = AuditEvent::new(
        Some(org),
        creator.actor,
        "token.created",
        AuditTarget::new("token", Some(id.to_string()), &name),
        ctx,
        now,
    )
    .with_after(
        json!({ "kind": req.kind, "role": req.role, "expires_in_days": req.expires_in_days }),
    );
    state
        .store
        .create_token(
            NewToken {
                id,
                org,
                kind: req.kind,
                name,
                role: req.role,
                owner,
                created_by: creator.user,
                created_by_name: creator.label,
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
        .token(org, id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((token, secret))
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
    let name = checked_name(&req)?;
    let custom = state.store.custom_roles(auth.org()).await?;
    policy::check_grant(
        caller.principal.permissions_at(Scope::Organization),
        role_permissions(req.role, &custom)?,
    )?;
    let owner = match req.kind {
        TokenKind::User => Some(me(caller)?),
        TokenKind::Organization => None,
    };
    let creator = Creator {
        actor: caller.actor(),
        user: caller.principal.acting_user(),
        label: caller.label.clone(),
    };
    insert(state, ctx, auth.org(), creator, owner, name, req).await
}

/// Operator bootstrap (`gatehouse token create`): an organization token nobody's permissions
/// were checked for, recorded as made by the system.
pub async fn unchecked_create_organization_token(
    state: &AppState,
    ctx: &RequestCtx,
    org: crate::core::ids::OrgId,
    req: TokenRequest,
) -> Result<(AccessToken, TokenSecret), AppError> {
    let req = TokenRequest {
        kind: TokenKind::Organization,
        ..req
    };
    let name = checked_name(&req)?;
    let custom = state.store.custom_roles(org).await?;
    role_permissions(req.role, &custom)?;
    let creator = Creator {
        actor: AuditActor::system(),
        user: None,
        label: "operator (command line)".into(),
    };
    insert(state, ctx, org, creator, None, name, req).await
}

/// The tokens the caller may see (of one kind, when given): everyone's with `tokens.manage`,
/// else their own.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    kind: Option<TokenKind>,
) -> Result<Vec<AccessToken>, AppError> {
    let tokens = if let Ok(auth) = caller.require(Permission::TokensManage) {
        state.store.tokens(auth.org(), None, state.now()).await?
    } else {
        let auth = caller.require(Permission::TokensCreate)?;
        state
            .store
            .tokens(auth.org(), Some(me(caller)?), state.now())
            .await?
    };
    Ok(tokens
        .into_iter()
        .filter(|t| kind.is_none_or(|k| t.kind == k))
        .collect())
}

/// The signed-in person's own user tokens in every organization (their profile). Listing what
/// is one's own needs no permission; changing a token happens in its organization.
pub async fn own_tokens(
    state: &AppState,
    user: crate::core::ids::UserId,
) -> Result<Vec<crate::areas::tokens::types::OwnToken>, AppError> {
    Ok(state
        .store
        .user_tokens(user, state.now())
        .await?
        .into_iter()
        .map(|(org, token)| crate::areas::tokens::types::OwnToken { org, token })
        .collect())
}

/// What decides who may touch `token`: its kind, owner and role's permissions (a role that no
/// longer exists grants nothing).
fn facts(token: &AccessToken, custom: &[CustomRole]) -> policy::TokenFacts {
    policy::TokenFacts {
        kind: token.kind,
        owner: token.owner.as_ref().map(|o| o.id),
        role: role_permissions(token.role, custom).unwrap_or(policy::PermissionSet::EMPTY),
    }
}

/// Which of `tokens` the caller may regenerate (the tokens page offers it only there).
pub async fn regenerable(
    state: &AppState,
    caller: &Caller,
    tokens: &[AccessToken],
) -> Result<Vec<TokenId>, AppError> {
    let custom = state.store.custom_roles(caller.principal.org()).await?;
    Ok(tokens
        .iter()
        .filter(|t| {
            policy::require_token_action(
                &caller.principal,
                &facts(t, &custom),
                policy::TokenAction::Regenerate,
            )
            .is_ok()
        })
        .map(|t| t.id)
        .collect())
}

/// A token the caller may regenerate or revoke, decided by `policy::require_token_action`.
/// Tokens the caller may not see answer as unknown.
async fn changeable(
    state: &AppState,
    caller: &Caller,
    id: TokenId,
    action: policy::TokenAction,
) -> Result<(policy::Authorized, AccessToken), AppError> {
    // Any token permission at all, before anything is looked up.
    caller
        .require(Permission::TokensManage)
        .or_else(|_| caller.require(Permission::TokensCreate))?;
    let org = caller.principal.org();
    let token = state
        .store
        .token(org, id, state.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let custom = match token.role {
        RoleId::Builtin(_) => Vec::new(),
        RoleId::Custom(_) => state.store.custom_roles(org).await?,
    };
    let auth = policy::require_token_action(&caller.principal, &facts(&token, &custom), action)?;
    Ok((auth, token))
}

/// A new secret for the same settings; the old one stops working on the next request.
pub async fn regenerate(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: TokenId,
) -> Result<(AccessToken, TokenSecret), AppError> {
    let (auth, token) = changeable(state, caller, id, policy::TokenAction::Regenerate).await?;
    if token.status == crate::areas::tokens::types::TokenStatus::OwnerRemoved {
        return Err(AppError::coded("token_revoked"));
    }
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
        .regenerate_token(&auth, id, &fp.hash, &fp.last_four, audit)
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
    let (auth, token) = changeable(state, caller, id, policy::TokenAction::Revoke).await?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "token.deleted",
        AuditTarget::new("token", Some(id.to_string()), &token.name),
    )
    .with_before(json!({ "kind": token.kind, "role": token.role }));
    state.store.delete_token(&auth, id, audit).await?;
    Ok(())
}
