//! The members page.

use crate::{
    areas::{
        members::types::{MemberQuery, MembersPage},
        organizations::types::OrgFrame,
        roles::types::CustomRole,
    },
    core::ids::{GroupId, NamedRef},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the members page shows: who is signed in, the organization, its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPageData {
    pub frame: OrgFrame,
    /// When the page was served: times show relative to it, alike on server and browser.
    pub now: i64,
    pub page: MembersPage,
    /// For the filters: the organization's groups and custom roles.
    pub groups: Vec<NamedRef<GroupId>>,
    pub roles: Vec<CustomRole>,
}

#[server(endpoint = "members")]
pub async fn load_members(org: String, query: MemberQuery) -> Result<MembersPageData, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let oc = crate::areas::organizations::service::org_context(&state, &ctx, &org).await?;
            let frame = crate::areas::organizations::service::frame(&oc);
            let page =
                crate::areas::members::service::members_page(&state, &oc.caller, oc.org, &query)
                    .await?;
            let groups = crate::areas::groups::service::groups(&state, &oc.caller)
                .await
                .map(|gs| {
                    gs.into_iter()
                        .map(|g| NamedRef {
                            id: g.id,
                            name: g.name,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let roles = crate::areas::roles::service::roles(&state, &oc.caller)
                .await
                .unwrap_or_default();
            Ok(MembersPageData {
                frame,
                now: oc.now,
                page,
                groups,
                roles,
            })
        }
        .await,
    )
}

use crate::{
    areas::{members::types::MemberRow, projects::types::Project},
    core::ids::UserId,
    policy::Binding,
};
use leptos::server_fn::codec::Json;

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

#[server(endpoint = "member")]
pub async fn load_member(org: String, user: UserId) -> Result<MemberDetail, AppError> {
    use crate::areas::members::service::owner_candidates;
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let member = crate::areas::members::service::member(&state, &oc.caller, user).await?;
            let roles = crate::areas::roles::service::roles(&state, &oc.caller).await?;
            let groups = crate::areas::groups::service::groups(&state, &oc.caller)
                .await?
                .into_iter()
                .map(|g| NamedRef {
                    id: g.id,
                    name: g.name,
                })
                .collect();
            let projects = crate::areas::projects::service::projects(&state, &oc.caller).await?;
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
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::members::service::update_member(
                &state, &ctx, &oc.caller, user, bindings, groups,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "member_status")]
pub async fn set_member_active(org: String, user: UserId, active: bool) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::members::service::set_member_active(
                &state, &ctx, &oc.caller, user, active,
            )
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
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::members::service::remove_member(
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
