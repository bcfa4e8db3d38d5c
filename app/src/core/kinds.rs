//! The kinds and states the permission rules speak of: a membership's status and a token's kind.

use serde::{Deserialize, Serialize};

/// A user's place in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MembershipStatus {
    Active,
    Deactivated,
    /// Removed; kept for history, never reactivated.
    Archived,
}

impl MembershipStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Deactivated => "deactivated",
            MembershipStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(MembershipStatus::Active),
            "deactivated" => Some(MembershipStatus::Deactivated),
            "archived" => Some(MembershipStatus::Archived),
            _ => None,
        }
    }
}

/// A user token acts for its owner; an organization token is a service principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum TokenKind {
    User,
    Organization,
}
