//! Who may see, regenerate or revoke an existing access token (SPEC §2 "Access tokens").
//!
//! "Own" is a positive fact: a user token belongs to the person it acts for, and the caller owns
//! it only when the caller acts for that same person. An organization token owns nothing and is
//! nobody's own, so two absent owners never compare equal here.

use crate::{
    core::{ids::UserId, kinds::TokenKind},
    error::AppError,
    policy::{Authorized, Permission, PermissionSet, Principal, Scope, check_grant},
};

/// What is to be done to an existing token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAction {
    /// A new secret for the same settings: whoever does it obtains the token's power.
    Regenerate,
    /// Delete it; the secret stops working at once.
    Revoke,
}

/// The facts about an existing token that decide who may touch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenFacts {
    pub kind: TokenKind,
    /// The person a user token acts for; `None` for organization tokens.
    pub owner: Option<UserId>,
    /// The permissions of the token's role.
    pub role: PermissionSet,
}

/// Whether `principal` acts for the person who owns `token` (a user token of theirs).
pub fn owns_token(principal: &Principal, token: &TokenFacts) -> bool {
    match (token.kind, token.owner, principal.acting_user()) {
        (TokenKind::User, Some(owner), Some(me)) => owner == me,
        _ => false,
    }
}

/// Whether `principal` may see `token` at all: everyone's with `tokens.manage`, else their own
/// user tokens with `tokens.create`.
pub fn may_see_token(principal: &Principal, token: &TokenFacts) -> bool {
    principal.can(Permission::TokensManage, Scope::Organization)
        || (principal.can(Permission::TokensCreate, Scope::Organization)
            && owns_token(principal, token))
}

/// The one gate for changing an existing token.
///
/// - Without `tokens.create` or `tokens.manage`: forbidden.
/// - A token the caller may not see answers as unknown (`NotFound`), like another
///   organization's.
/// - Revoke: anything the caller sees (`tokens.manage` revokes everyone's tokens).
/// - Regenerate hands out the token's power, so rule 3 applies to its role: a user token only
///   by its owner, an organization token only by a holder of `tokens.manage` who could create it
///   now.
pub fn require_token_action(
    principal: &Principal,
    token: &TokenFacts,
    action: TokenAction,
) -> Result<Authorized, AppError> {
    let perms = principal.permissions_at(Scope::Organization);
    let auth = crate::policy::require(principal, Permission::TokensManage, Scope::Organization)
        .or_else(|_| {
            crate::policy::require(principal, Permission::TokensCreate, Scope::Organization)
        })?;
    if !may_see_token(principal, token) {
        return Err(AppError::NotFound);
    }
    match action {
        TokenAction::Revoke => Ok(auth),
        TokenAction::Regenerate => match token.kind {
            TokenKind::User if !owns_token(principal, token) => Err(AppError::forbidden(
                crate::error::Wording::new("forbidden_regenerate"),
            )),
            TokenKind::User => {
                check_grant(perms, token.role)?;
                Ok(auth)
            }
            // Seen only with `tokens.manage` (nobody owns an organization token).
            TokenKind::Organization => {
                check_grant(perms, token.role)?;
                Ok(auth)
            }
        },
    }
}
