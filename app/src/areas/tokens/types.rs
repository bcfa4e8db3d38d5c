//! Access tokens as the console and the API show them.

use crate::core::{
    ids::{NamedRef, TokenId, UserId},
    kinds::TokenKind,
};
use serde::{Deserialize, Serialize};

/// Whether a token works now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum TokenStatus {
    Active,
    Expired,
    /// A user token whose owner's membership is deactivated (works again on reactivation).
    OwnerDeactivated,
    /// A user token whose owner was removed from the organization: revoked for good.
    OwnerRemoved,
}

impl TokenStatus {
    pub const fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
            TokenStatus::Expired => "Expired",
            TokenStatus::OwnerDeactivated => "Owner deactivated",
            TokenStatus::OwnerRemoved => "User has been deleted",
        }
    }
}

/// One access token; never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccessToken {
    pub id: TokenId,
    pub kind: TokenKind,
    pub name: String,
    pub role: crate::policy::RoleId,
    pub role_name: String,
    /// The user a user token acts for.
    pub owner: Option<NamedRef<UserId>>,
    /// Who created it (their name when they did).
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_addr: Option<String>,
    /// The secret's last four characters, to tell tokens apart.
    pub last_four: String,
    pub status: TokenStatus,
    /// An organization token whose creator has since been removed from the organization: it
    /// keeps working (it belongs to the organization), and is marked for an administrator to
    /// review.
    pub creator_removed: bool,
}

/// Expiry choices for a new token, in days; `None` is "never".
pub const TOKEN_EXPIRY_DAYS: [u32; 4] = [7, 30, 90, 365];

/// One of a person's own user tokens, with the organization it belongs to (the profile page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnToken {
    pub org: crate::areas::accounts::types::OrgSummary,
    pub token: AccessToken,
}
