//! The members page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    model::{CustomRole, GroupId, MemberQuery, MembersPage, NamedRef, SessionView},
};

/// Everything the members page shows: who is signed in, the organization, its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPageData {
    pub session: SessionView,
    pub page: MembersPage,
    /// For the filters: the organization's groups and custom roles.
    pub groups: Vec<NamedRef<GroupId>>,
    pub roles: Vec<CustomRole>,
}

#[server(endpoint = "members")]
pub async fn load_members(org: String, query: MemberQuery) -> Result<MembersPageData, AppError> {
    use super::ssr::*;
    use crate::backend::services;
    respond(
        async {
            let (state, ctx) = request()?;
            let oc = services::org_context(&state, &ctx, &org).await?;
            let page = services::members_page(&state, &oc.caller, oc.org, &query).await?;
            let groups = crate::backend::directory::groups(&state, &oc.caller)
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
            let roles = crate::backend::directory::roles(&state, &oc.caller)
                .await
                .unwrap_or_default();
            Ok(MembersPageData {
                session: oc.session,
                page,
                groups,
                roles,
            })
        }
        .await,
    )
}
