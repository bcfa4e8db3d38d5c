//! Typed models shared by browser and server. Validation lives here so both sides agree.

mod invitations;
mod signups;
mod tokens;
mod validate;

pub use crate::{
    core::{ids::*, kinds::*},
    model::{
        invitations::*,
        signups::*,
        tokens::*,
        validate::{DisplayName, Email, OrgName, OrgSlug, Password},
    },
};
use serde::{Deserialize, Serialize};

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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// A reference to a named thing of the organization, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NamedRef<Id> {
    pub id: Id,
    pub name: String,
}

/// A role held by a member: bound to them directly, or through one of their groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleGrant {
    pub role: crate::policy::RoleId,
    pub role_name: String,
    /// `None`: at organization scope.
    pub project: Option<NamedRef<ProjectId>>,
    /// `None`: bound to the member directly.
    pub via_group: Option<NamedRef<GroupId>>,
}

/// One row of the members list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberRow {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub status: MembershipStatus,
    /// Own roles first, then inherited ones; organization scope before projects.
    pub roles: Vec<RoleGrant>,
    pub groups: Vec<NamedRef<GroupId>>,
    pub two_factor: bool,
    /// Milliseconds since the Unix epoch, UTC.
    pub last_sign_in_at: Option<i64>,
}

impl MemberRow {
    /// The roles given to the member directly (not through a group), as bindings to edit.
    pub fn own_bindings(&self) -> Vec<Binding> {
        self.roles
            .iter()
            .filter(|r| r.via_group.is_none())
            .map(|r| Binding {
                role: r.role,
                project: r.project.as_ref().map(|p| p.id),
            })
            .collect()
    }

    pub fn group_ids(&self) -> Vec<GroupId> {
        self.groups.iter().map(|g| g.id).collect()
    }
}

/// How to list members: one status tab, optional search and filters, one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberQuery {
    pub status: MembershipStatus,
    /// Matches the start of the email, of the name or of a word in it, or a whole user id.
    pub q: Option<String>,
    pub role: Option<crate::policy::RoleId>,
    pub group: Option<GroupId>,
    pub two_factor: Option<bool>,
    /// 1 to 100 (the console offers 25, 50 and 100).
    pub limit: u32,
    /// Opaque: `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl MemberQuery {
    pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];
    pub const MAX_LIMIT: u32 = 100;

    pub fn active() -> Self {
        MemberQuery {
            status: MembershipStatus::Active,
            q: None,
            role: None,
            group: None,
            two_factor: None,
            limit: 25,
            cursor: None,
        }
    }
}

/// One page of members, with the total that match the query (all pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberListing {
    pub items: Vec<MemberRow>,
    pub next_cursor: Option<String>,
    pub total: i64,
}

/// The members page's data: the organization and one page of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPage {
    pub org: OrgSummary,
    pub listing: MemberListing,
}

/// Most entries a request's list of role bindings or of groups may hold: the store checks every
/// one inside the write, so the lists are kept short enough not to hold it up.
pub const MAX_LIST_ENTRIES: usize = 100;

/// A role binding as given: a role at organization scope (`project: None`) or at one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Binding {
    pub role: crate::policy::RoleId,
    pub project: Option<ProjectId>,
}

/// A binding as shown: with the role's and project's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BindingView {
    pub role: crate::policy::RoleId,
    pub role_name: String,
    pub project: Option<NamedRef<ProjectId>>,
}

/// An organization's own role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomRole {
    pub id: CustomRoleId,
    pub name: String,
    pub description: String,
    pub permissions: crate::policy::PermissionSet,
}

/// A role as listed: built-in or custom, with its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleView {
    pub id: crate::policy::RoleId,
    pub name: String,
    pub description: String,
    pub permissions: crate::policy::PermissionSet,
    /// Built-in roles cannot be edited or deleted.
    pub builtin: bool,
}

impl RoleView {
    pub fn builtin(role: crate::policy::BuiltinRole) -> Self {
        use crate::policy::BuiltinRole;
        use crate::policy::RoleId;
        RoleView {
            id: RoleId::Builtin(role),
            name: role.name().to_string(),
            description: match role {
                BuiltinRole::Viewer => "Sees the organization, its members and its resources",
                BuiltinRole::Editor => {
                    "A Viewer who also edits resources and creates access tokens"
                }
                BuiltinRole::Admin => "Every permission",
            }
            .to_string(),
            permissions: role.permissions(),
            builtin: true,
        }
    }

    pub fn custom(role: CustomRole) -> Self {
        RoleView {
            id: crate::policy::RoleId::Custom(role.id),
            name: role.name,
            description: role.description,
            permissions: role.permissions,
            builtin: false,
        }
    }
}

/// A group with its members and role bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub members: Vec<NamedRef<UserId>>,
    pub bindings: Vec<BindingView>,
}

/// A project with its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub owner: NamedRef<UserId>,
}
