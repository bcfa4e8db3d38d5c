use crate::{
    areas::{
        groups::types::Group, organizations::types::OrgFrame, projects::types::Project,
        roles::types::CustomRole,
    },
    core::ids::{GroupId, UserId},
    error::AppError,
    policy::Binding,
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsData {
    pub frame: OrgFrame,
    pub groups: Vec<Group>,
    pub roles: Vec<CustomRole>,
    pub projects: Vec<Project>,
}

#[server(endpoint = "groups")]
pub async fn load_groups(org: String) -> Result<GroupsData, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            Ok(GroupsData {
                frame: frame(&oc),
                groups: crate::areas::groups::service::groups(&state, &oc.caller).await?,
                roles: crate::areas::roles::service::roles(&state, &oc.caller).await?,
                projects: crate::areas::projects::service::projects(&state, &oc.caller).await?,
            })
        }
        .await,
    )
}

#[server(endpoint = "group_create")]
pub async fn create_group(org: String, name: String) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::groups::service::create_group(&state, &ctx, &oc.caller, &name)
                .await
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "group_rename")]
pub async fn rename_group(org: String, id: GroupId, name: String) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::groups::service::rename_group(&state, &ctx, &oc.caller, id, &name).await
        }
        .await,
    )
}

#[server(endpoint = "group_delete")]
pub async fn delete_group(org: String, id: GroupId) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::groups::service::delete_group(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

#[server(endpoint = "group_member_remove")]
pub async fn remove_group_member(org: String, id: GroupId, user: UserId) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::groups::service::remove_group_member(&state, &ctx, &oc.caller, id, user)
                .await
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
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::groups::service::set_group_bindings(
                &state, &ctx, &oc.caller, id, bindings,
            )
            .await
        }
        .await,
    )
}
