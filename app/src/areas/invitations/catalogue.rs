//! What an invitation can grant, looked up once per request: the organization's roles,
//! projects and groups, to check the request and to name what it grants.

use crate::{
    areas::{
        groups::types::Group,
        invitations::types::{GrantedRole, InvitationGrants},
        projects::types::Project,
        roles::types::CustomRole,
    },
    core::ids::GroupId,
    error::AppError,
    policy::{Binding, BuiltinRole, RoleId},
    server::AppState,
};

/// The organization's roles, projects and groups, to check and name what an invitation grants.
pub(crate) struct Catalogue {
    pub(crate) roles: Vec<CustomRole>,
    pub(crate) projects: Vec<Project>,
    pub(crate) groups: Vec<Group>,
}

impl Catalogue {
    pub(crate) async fn load(
        state: &AppState,
        org: crate::core::ids::OrgId,
    ) -> Result<Catalogue, AppError> {
        Ok(Catalogue {
            roles: state.store.custom_roles(org).await?,
            projects: state.store.projects(org).await?,
            groups: state.store.groups(org).await?,
        })
    }

    pub(crate) fn role_name(&self, role: RoleId) -> Option<String> {
        match role {
            RoleId::Builtin(b) => Some(b.name().to_string()),
            RoleId::Custom(id) => self
                .roles
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone()),
        }
    }

    /// A role by id or by name (case-insensitive), for bulk lines.
    pub(crate) fn find_role(&self, text: &str) -> Option<RoleId> {
        let t = text.trim();
        if let Ok(id) = t.parse::<RoleId>()
            && self.role_name(id).is_some()
        {
            return Some(id);
        }
        BuiltinRole::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(t))
            .map(RoleId::Builtin)
            .or_else(|| {
                self.roles
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(t))
                    .map(|r| RoleId::Custom(r.id))
            })
    }

    pub(crate) fn find_group(&self, text: &str) -> Option<GroupId> {
        let t = text.trim();
        self.groups
            .iter()
            .find(|g| g.id.to_string() == t || g.name.eq_ignore_ascii_case(t))
            .map(|g| g.id)
    }

    /// The roles and groups granted, by name as they are now, for the list to show later.
    pub(crate) fn describe(&self, bindings: &[Binding], groups: &[GroupId]) -> InvitationGrants {
        InvitationGrants {
            roles: bindings
                .iter()
                .map(|b| GrantedRole {
                    role: Some(b.role),
                    name: self.role_name(b.role).unwrap_or_else(|| b.role.to_string()),
                    project: b.project.map(|p| {
                        self.projects
                            .iter()
                            .find(|x| x.id == p)
                            .map_or_else(|| p.to_string(), |x| x.name.clone())
                    }),
                })
                .collect(),
            groups: groups
                .iter()
                .map(|g| {
                    self.groups
                        .iter()
                        .find(|x| x.id == *g)
                        .map_or_else(|| g.to_string(), |x| x.name.clone())
                })
                .collect(),
        }
    }
}
