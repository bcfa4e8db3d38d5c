use crate::{areas::accounts::types::OrgSummary, policy::Binding};

use crate::core::{ids::*, kinds::*};
use serde::{Deserialize, Serialize};

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
