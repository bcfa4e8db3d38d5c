//! Server functions of the member detail, roles, groups and projects pages, and of creating and
//! leaving organizations. Each resolves the caller and calls one service.

use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    model::{
        Binding, CustomRole, CustomRoleId, Group, GroupId, MemberRow, NamedRef, OrgSummary,
        Project, ProjectId, SessionView, UserId,
    },
    policy::PermissionSet,
};

/// What every organization page needs besides its own data: who is signed in, the
/// organization, and what they may do there (to hide what would be refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgFrame {
    pub session: SessionView,
    pub org: OrgSummary,
    pub permissions: PermissionSet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub frame: OrgFrame,
    pub member: MemberRow,
    pub roles: Vec<CustomRole>,
    pub groups: Vec<NamedRef<GroupId>>,
    pub projects: Vec<Project>,
    /// Active members who could take over the member's projects (the first 100 by name).
    pub owner_candidates: Vec<NamedRef<UserId>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesData {
    pub frame: OrgFrame,
    pub roles: Vec<CustomRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsData {
    pub frame: OrgFrame,
    pub groups: Vec<Group>,
    pub roles: Vec<CustomRole>,
    pub projects: Vec<Project>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectsData {
    pub frame: OrgFrame,
    pub projects: Vec<Project>,
    pub owner_candidates: Vec<NamedRef<UserId>>,
}

#[cfg(feature = "ssr")]
pub(super) mod ssr {
    pub use super::super::ssr::{request, respond};
    use super::OrgFrame;
    use crate::{
        backend::{
            AppState, RequestCtx,
            directory::Caller,
            services::{self, OrgContext},
        },
        error::AppError,
        model::{MemberQuery, NamedRef, UserId},
        policy::Scope,
    };

    /// The request, and the signed-in caller inside organization `org`.
    pub async fn caller(org: &str) -> Result<(AppState, RequestCtx, OrgContext), AppError> {
        let (state, ctx) = request()?;
        let oc = services::org_context(&state, &ctx, org).await?;
        Ok((state, ctx, oc))
    }

    pub fn frame(oc: &OrgContext) -> OrgFrame {
        OrgFrame {
            session: oc.session.clone(),
            org: oc.org.clone(),
            permissions: oc.caller.principal.permissions_at(Scope::Organization),
        }
    }

    /// Active members to choose an owner from; empty for callers who may not list members.
    pub async fn owner_candidates(state: &AppState, caller: &Caller) -> Vec<NamedRef<UserId>> {
        let mut q = MemberQuery::active();
        q.limit = 100;
        services::list_members(state, caller, &q)
            .await
            .map(|l| {
                l.items
                    .into_iter()
                    .map(|m| NamedRef {
                        id: m.user_id,
                        name: m.name,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[server(endpoint = "member")]
pub async fn load_member(org: String, user: UserId) -> Result<MemberDetail, AppError> {
    use self::ssr::*;
    use crate::backend::directory as d;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let member = d::member(&state, &oc.caller, user).await?;
            let roles = d::roles(&state, &oc.caller).await?;
            let groups = d::groups(&state, &oc.caller)
                .await?
                .into_iter()
                .map(|g| NamedRef {
                    id: g.id,
                    name: g.name,
                })
                .collect();
            let projects = d::projects(&state, &oc.caller).await?;
            let owner_candidates = owner_candidates(&state, &oc.caller).await;
            Ok(MemberDetail {
                frame: frame(&oc),
                member,
                roles,
                groups,
                projects,
                owner_candidates,
            })
        }
        .await,
    )
}

#[server(endpoint = "member_update", input = Json)]
pub async fn update_member(
    org: String,
    user: UserId,
    bindings: Vec<Binding>,
    groups: Vec<GroupId>,
) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::update_member(
                &state, &ctx, &oc.caller, user, bindings, groups,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "member_status")]
pub async fn set_member_active(org: String, user: UserId, active: bool) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::set_member_active(&state, &ctx, &oc.caller, user, active)
                .await
        }
        .await,
    )
}

#[server(endpoint = "member_remove", input = Json)]
pub async fn remove_member(
    org: String,
    user: UserId,
    new_owner: Option<UserId>,
    #[server(default)] revoke_tokens: bool,
) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::remove_member(
                &state,
                &ctx,
                &oc.caller,
                user,
                new_owner,
                revoke_tokens,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "roles")]
pub async fn load_roles(org: String) -> Result<RolesData, AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let roles = crate::backend::directory::roles(&state, &oc.caller).await?;
            Ok(RolesData {
                frame: frame(&oc),
                roles,
            })
        }
        .await,
    )
}

#[server(endpoint = "role_save", input = Json)]
pub async fn save_role(
    org: String,
    id: Option<CustomRoleId>,
    name: String,
    description: String,
    permissions: Vec<String>,
) -> Result<(), AppError> {
    use self::ssr::*;
    use crate::backend::directory as d;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            match id {
                Some(id) => {
                    d::update_role(
                        &state,
                        &ctx,
                        &oc.caller,
                        id,
                        &name,
                        &description,
                        &permissions,
                    )
                    .await?
                }
                None => {
                    d::create_role(&state, &ctx, &oc.caller, &name, &description, &permissions)
                        .await?
                }
            };
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "role_delete")]
pub async fn delete_role(org: String, id: CustomRoleId) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::delete_role(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

#[server(endpoint = "groups")]
pub async fn load_groups(org: String) -> Result<GroupsData, AppError> {
    use self::ssr::*;
    use crate::backend::directory as d;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            Ok(GroupsData {
                frame: frame(&oc),
                groups: d::groups(&state, &oc.caller).await?,
                roles: d::roles(&state, &oc.caller).await?,
                projects: d::projects(&state, &oc.caller).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "group_create")]
pub async fn create_group(org: String, name: String) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::create_group(&state, &ctx, &oc.caller, &name)
                .await
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "group_rename")]
pub async fn rename_group(org: String, id: GroupId, name: String) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::rename_group(&state, &ctx, &oc.caller, id, &name).await
        }
        .await,
    )
}

#[server(endpoint = "group_delete")]
pub async fn delete_group(org: String, id: GroupId) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::delete_group(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

#[server(endpoint = "group_member_remove")]
pub async fn remove_group_member(org: String, id: GroupId, user: UserId) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::remove_group_member(&state, &ctx, &oc.caller, id, user).await
        }
        .await,
    )
}

#[server(endpoint = "group_bindings", input = Json)]
pub async fn set_group_bindings(
    org: String,
    id: GroupId,
    bindings: Vec<Binding>,
) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::set_group_bindings(&state, &ctx, &oc.caller, id, bindings)
                .await
        }
        .await,
    )
}

#[server(endpoint = "projects")]
pub async fn load_projects(org: String) -> Result<ProjectsData, AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            Ok(ProjectsData {
                frame: frame(&oc),
                projects: crate::backend::directory::projects(&state, &oc.caller).await?,
                owner_candidates: owner_candidates(&state, &oc.caller).await,
            })
        }
        .await,
    )
}

#[server(endpoint = "project_create")]
pub async fn create_project(org: String, name: String) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::create_project(&state, &ctx, &oc.caller, &name, None)
                .await
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "project_rename")]
pub async fn rename_project(org: String, id: ProjectId, name: String) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::rename_project(&state, &ctx, &oc.caller, id, &name).await
        }
        .await,
    )
}

#[server(endpoint = "project_delete")]
pub async fn delete_project(org: String, id: ProjectId) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::delete_project(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

#[server(endpoint = "project_owner")]
pub async fn change_project_owner(
    org: String,
    id: ProjectId,
    owner: UserId,
) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::change_project_owner(&state, &ctx, &oc.caller, id, owner)
                .await
        }
        .await,
    )
}

/// Founds an organization with the signed-in person as its Admin and goes there.
#[server(endpoint = "org_create")]
pub async fn create_organization(name: String) -> Result<String, AppError> {
    use self::ssr::*;
    use crate::backend::services;
    respond(
        async {
            let (state, ctx) = request()?;
            let view = services::session_view(&state, &ctx)
                .await?
                .ok_or_else(|| AppError::Unauthorized("Sign in to continue".into()))?;
            let org = crate::backend::directory::create_organization(
                &state,
                &ctx,
                view.user_id,
                &view.email,
                &name,
            )
            .await?;
            let landing = services::members_path(&org.slug);
            leptos_axum::redirect(&landing);
            Ok(landing)
        }
        .await,
    )
}

/// The signed-in person leaves the organization.
#[server(endpoint = "org_leave", input = Json)]
pub async fn leave_organization(org: String, new_owner: Option<UserId>) -> Result<(), AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::backend::directory::leave(&state, &ctx, &oc.caller, new_owner).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Active members who could take over the caller's projects when they leave (not the caller).
#[server(endpoint = "org_leave_candidates")]
pub async fn leave_candidates(org: String) -> Result<Vec<NamedRef<UserId>>, AppError> {
    use self::ssr::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let me = oc.session.user_id;
            Ok(owner_candidates(&state, &oc.caller)
                .await
                .into_iter()
                .filter(|c| c.id != me)
                .collect())
        }
        .await,
    )
}
