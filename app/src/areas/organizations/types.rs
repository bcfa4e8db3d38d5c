use crate::core::{text::thousands, wording::Wording};
use crate::{
    areas::accounts::types::{Language, OrgSummary, SessionView},
    policy::PermissionSet,
};
use serde::{Deserialize, Serialize};

/// What every organization page needs besides its own data: who is signed in, the
/// organization, and what they may do there (to hide what would be refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgFrame {
    pub session: SessionView,
    pub org: OrgSummary,
    pub permissions: PermissionSet,
    /// The language their pages here are in when someone chose it (their own, else the
    /// organization's default); `None`: the browser's.
    pub language: Option<Language>,
}

/// The organization settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrgSettings {
    pub name: String,
    /// How long an invitation link works, in hours (1 h to 30 days).
    pub invitation_lifetime_hours: u32,
    /// How many invitations may be pending at once.
    pub pending_invitation_limit: u32,
    /// How many custom roles the organization may have.
    pub custom_role_limit: u32,
    /// How many groups the organization may have.
    pub group_limit: u32,
    /// How many projects the organization may have.
    pub project_limit: u32,
    /// How many access tokens the organization may have (revoked and expired ones count until
    /// they are deleted).
    pub token_limit: u32,
    /// The console's language for members who have not chosen their own, and of invitation
    /// mail to new addresses; `null`: each person's browser decides (English for mail).
    #[serde(default)]
    pub default_language: Option<Language>,
}

impl OrgSettings {
    pub const DEFAULT_LIFETIME_HOURS: u32 = 72;
    pub const MAX_LIFETIME_HOURS: u32 = 30 * 24;
    pub const DEFAULT_PENDING_LIMIT: u32 = 50;
    pub const MAX_PENDING_LIMIT: u32 = 10_000;
    pub const DEFAULT_CUSTOM_ROLE_LIMIT: u32 = 100;
    pub const MAX_CUSTOM_ROLE_LIMIT: u32 = 1_000;
    pub const DEFAULT_GROUP_LIMIT: u32 = 1_000;
    pub const MAX_GROUP_LIMIT: u32 = 10_000;
    pub const DEFAULT_PROJECT_LIMIT: u32 = 1_000;
    pub const MAX_PROJECT_LIMIT: u32 = 10_000;
    pub const DEFAULT_TOKEN_LIMIT: u32 = 1_000;
    pub const MAX_TOKEN_LIMIT: u32 = 10_000;

    /// A new organization's settings.
    pub fn defaults(name: impl Into<String>) -> OrgSettings {
        OrgSettings {
            name: name.into(),
            invitation_lifetime_hours: Self::DEFAULT_LIFETIME_HOURS,
            pending_invitation_limit: Self::DEFAULT_PENDING_LIMIT,
            custom_role_limit: Self::DEFAULT_CUSTOM_ROLE_LIMIT,
            group_limit: Self::DEFAULT_GROUP_LIMIT,
            project_limit: Self::DEFAULT_PROJECT_LIMIT,
            token_limit: Self::DEFAULT_TOKEN_LIMIT,
            default_language: None,
        }
    }

    /// Checks the numbers; the name is checked as an organization name.
    pub fn check_limits(&self) -> Vec<(&'static str, Wording)> {
        let mut errors = Vec::new();
        if !(1..=Self::MAX_LIFETIME_HOURS).contains(&self.invitation_lifetime_hours) {
            errors.push((
                "invitation_lifetime_hours",
                Wording::new("field_lifetime_range").with("max", Self::MAX_LIFETIME_HOURS),
            ));
        }
        let limits = [
            (
                "pending_invitation_limit",
                "field_pending_limit_range",
                self.pending_invitation_limit,
                Self::MAX_PENDING_LIMIT,
            ),
            (
                "custom_role_limit",
                "field_custom_role_limit_range",
                self.custom_role_limit,
                Self::MAX_CUSTOM_ROLE_LIMIT,
            ),
            (
                "group_limit",
                "field_group_limit_range",
                self.group_limit,
                Self::MAX_GROUP_LIMIT,
            ),
            (
                "project_limit",
                "field_project_limit_range",
                self.project_limit,
                Self::MAX_PROJECT_LIMIT,
            ),
            (
                "token_limit",
                "field_token_limit_range",
                self.token_limit,
                Self::MAX_TOKEN_LIMIT,
            ),
        ];
        for (field, code, value, max) in limits {
            if !(1..=max).contains(&value) {
                errors.push((field, Wording::new(code).with("max", thousands(max))));
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_limits() {
        let lowest = OrgSettings {
            invitation_lifetime_hours: 1,
            pending_invitation_limit: 1,
            custom_role_limit: 1,
            group_limit: 1,
            project_limit: 1,
            token_limit: 1,
            ..OrgSettings::defaults("Acme")
        };
        assert!(lowest.check_limits().is_empty());
        assert!(OrgSettings::defaults("Acme").check_limits().is_empty());
        let highest = OrgSettings {
            invitation_lifetime_hours: 720,
            pending_invitation_limit: 10_000,
            custom_role_limit: 1_000,
            group_limit: 10_000,
            project_limit: 10_000,
            token_limit: 10_000,
            ..OrgSettings::defaults("Acme")
        };
        assert!(highest.check_limits().is_empty());
        let zeros = OrgSettings {
            invitation_lifetime_hours: 0,
            pending_invitation_limit: 0,
            custom_role_limit: 0,
            group_limit: 0,
            project_limit: 0,
            token_limit: 0,
            ..OrgSettings::defaults("Acme")
        };
        let fields: Vec<&str> = zeros.check_limits().into_iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            [
                "invitation_lifetime_hours",
                "pending_invitation_limit",
                "custom_role_limit",
                "group_limit",
                "project_limit",
                "token_limit"
            ]
        );
        let over = OrgSettings {
            invitation_lifetime_hours: 721,
            custom_role_limit: 1_001,
            ..OrgSettings::defaults("Acme")
        };
        let errors = over.check_limits();
        assert_eq!(errors[0].0, "invitation_lifetime_hours");
        assert_eq!(errors[1].0, "custom_role_limit");
        #[cfg(feature = "ssr")]
        assert_eq!(
            crate::error::english(&errors[1].1),
            "The custom role limit is a whole number from 1 to 1,000"
        );
    }
}
