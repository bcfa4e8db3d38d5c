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

    /// Each role (at its scope) once, with where it comes from: a role given directly and
    /// again through groups reads "Viewer", given directly, also via Finance.
    pub fn merged_roles(&self) -> Vec<HeldRole> {
        let mut held: Vec<HeldRole> = Vec::new();
        for g in &self.roles {
            let same = held.iter_mut().find(|h| {
                h.role == g.role
                    && h.project.as_ref().map(|p| p.id) == g.project.as_ref().map(|p| p.id)
            });
            let h = match same {
                Some(h) => h,
                None => {
                    held.push(HeldRole {
                        role: g.role,
                        role_name: g.role_name.clone(),
                        project: g.project.clone(),
                        direct: false,
                        via_groups: Vec::new(),
                    });
                    held.last_mut().expect("just pushed")
                }
            };
            match &g.via_group {
                None => h.direct = true,
                Some(group) => h.via_groups.push(group.name.clone()),
            }
        }
        held
    }
}

/// A role a member holds at one scope, and every way they hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    pub role: crate::policy::RoleId,
    pub role_name: String,
    pub project: Option<NamedRef<ProjectId>>,
    /// Given to the member directly.
    pub direct: bool,
    /// The groups that give it, by name.
    pub via_groups: Vec<String>,
}

impl HeldRole {
    /// "Viewer", or "Viewer · Apollo" when bound to a project.
    pub fn label(&self) -> String {
        match &self.project {
            Some(p) => format!("{} · {}", self.role_name, p.name),
            None => self.role_name.clone(),
        }
    }

    /// Where it comes from, in words (the badge's hover text).
    pub fn sources(&self) -> String {
        let groups = self.via_groups.join(", ");
        match (self.direct, self.via_groups.is_empty()) {
            (true, true) => "Given directly".into(),
            (true, false) => format!("Given directly, and through {groups}"),
            (false, _) => format!("Inherited through {groups}"),
        }
    }
}

/// How to list members: one status tab, optional search and filters, one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberQuery {
    pub status: MembershipStatus,
    /// Three characters or more: any part of the name or the email; shorter: the start of a
    /// word of either; or a whole user id.
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
    /// How many members match, on all pages; when `total_is_estimate`, at least this many
    /// (counting stops at 10,000; a search combined with another filter, or a role with a
    /// group, is counted among its first 1,000 candidates only).
    pub total: i64,
    /// More members may match than `total` says: the count stopped at its cap or its budget.
    #[serde(default)]
    pub total_is_estimate: bool,
}

/// The members page's data: the organization and one page of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPage {
    pub org: OrgSummary,
    pub listing: MemberListing,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{BuiltinRole, RoleId};

    fn grant(role: BuiltinRole, project: Option<&str>, group: Option<&str>) -> RoleGrant {
        let named = |n: &str| NamedRef {
            id: GroupId(uuid::Uuid::from_u128(n.len() as u128)),
            name: n.to_string(),
        };
        RoleGrant {
            role: RoleId::Builtin(role),
            role_name: role.name().to_string(),
            project: project.map(|p| NamedRef {
                id: ProjectId(uuid::Uuid::from_u128(p.len() as u128)),
                name: p.to_string(),
            }),
            via_group: group.map(named),
        }
    }

    #[test]
    fn a_role_held_twice_shows_once_with_its_sources() {
        let row = MemberRow {
            user_id: UserId::new(),
            name: "Ada".into(),
            email: "ada@example.com".into(),
            status: MembershipStatus::Active,
            roles: vec![
                grant(BuiltinRole::Viewer, None, None),
                grant(BuiltinRole::Editor, Some("Apollo"), None),
                grant(BuiltinRole::Viewer, None, Some("Finance")),
                grant(BuiltinRole::Viewer, None, Some("Legal")),
                grant(BuiltinRole::Editor, None, Some("Ops")),
            ],
            groups: vec![],
            two_factor: false,
            last_sign_in_at: None,
        };
        let held = row.merged_roles();
        let shown: Vec<(String, String)> = held.iter().map(|h| (h.label(), h.sources())).collect();
        assert_eq!(
            shown,
            [
                (
                    "Viewer".into(),
                    "Given directly, and through Finance, Legal".into()
                ),
                ("Editor · Apollo".into(), "Given directly".into()),
                ("Editor".into(), "Inherited through Ops".into()),
            ]
        );
    }
}
