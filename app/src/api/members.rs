//! The members page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    model::{MemberQuery, MembersPage, SessionView},
};

/// Everything the members page shows: who is signed in, the organization, its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPageData {
    pub session: SessionView,
    pub page: MembersPage,
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
            Ok(MembersPageData {
                session: oc.session,
                page,
            })
        }
        .await,
    )
}
