//! Typed models shared by browser and server. Validation lives here so both sides agree.

mod ids;
mod validate;

use serde::{Deserialize, Serialize};

pub use self::{
    ids::*,
    validate::{DisplayName, Email, OrgName, OrgSlug, Password},
};

/// A user's place in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// The console's interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
    Zh,
    Ru,
}

impl Language {
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Zh => "zh",
            Language::Ru => "ru",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Language::En),
            "de" => Some(Language::De),
            "zh" => Some(Language::Zh),
            "ru" => Some(Language::Ru),
            _ => None,
        }
    }
}

/// An organization as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
}

/// The signed-in person and where they belong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    /// Organizations in which the user's membership is active, by name.
    pub organizations: Vec<OrgSummary>,
}

/// One row of the members list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub status: MembershipStatus,
    /// Display names of the roles bound directly to the member at organization scope.
    pub roles: Vec<String>,
    /// Milliseconds since the Unix epoch, UTC.
    pub last_sign_in_at: Option<i64>,
}

/// The members page's data: the organization and its active members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPage {
    pub org: OrgSummary,
    pub members: Vec<MemberRow>,
}
