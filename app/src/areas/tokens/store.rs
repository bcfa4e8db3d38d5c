//! What the store keeps for access tokens.

use crate::{
    areas::{accounts::types::OrgSummary, audit::event::AuditEvent, tokens::types::AccessToken},
    core::{
        ids::{OrgId, TokenId, UserId},
        kinds::TokenKind,
    },
    error::StoreResult,
    policy::Authorized,
};
use async_trait::async_trait;

/// A new access token: its settings and the fingerprint of its secret.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: TokenId,
    pub org: OrgId,
    pub kind: TokenKind,
    pub name: String,
    pub role: crate::policy::RoleId,
    /// The user a user token acts for.
    pub owner: Option<UserId>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub hash: String,
    pub last_four: String,
    pub now: i64,
    pub expires_at: Option<i64>,
}

/// A token found by its secret's hash: what authentication needs.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: TokenId,
    pub org: OrgSummary,
    pub kind: TokenKind,
    pub name: String,
    /// `None` when the token's role no longer exists.
    pub role_id: Option<crate::policy::RoleId>,
    pub owner: Option<UserId>,
    /// The owner's name and email address.
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    /// The permissions of the token's role (a role that no longer exists grants nothing).
    pub role: crate::policy::PermissionSet,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// Access tokens. The role of a token is its binding (principal type `token`).
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// Refused with `Invalid` when the role or the owner is not the organization's.
    async fn create_token(&self, token: NewToken, audit: AuditEvent) -> StoreResult<()>;
    /// The organization's tokens (only `owner`'s user tokens when given), newest first.
    async fn tokens(
        &self,
        org: OrgId,
        owner: Option<UserId>,
        now: i64,
    ) -> StoreResult<Vec<AccessToken>>;
    /// A user's own user tokens in every organization, by organization name, newest first.
    async fn user_tokens(
        &self,
        user: UserId,
        now: i64,
    ) -> StoreResult<Vec<(OrgSummary, AccessToken)>>;
    async fn token(&self, org: OrgId, id: TokenId, now: i64) -> StoreResult<Option<AccessToken>>;
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;
    /// A new secret for the same settings; the old one stops working at once.
    async fn regenerate_token(
        &self,
        auth: &Authorized,
        id: TokenId,
        hash: &str,
        last_four: &str,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn delete_token(
        &self,
        auth: &Authorized,
        id: TokenId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Records a use (time and client address).
    async fn token_used(&self, id: TokenId, now: i64, addr: Option<&str>) -> StoreResult<()>;
}
