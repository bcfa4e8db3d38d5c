//! The members page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    model::{MembersPage, SessionView},
};

/// Everything the members page shows: who is signed in, the organization, its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPageData {
    pub session: SessionView,
    pub page: MembersPage,
}

#[server(endpoint = "members")]
pub async fn load_members(org: String) -> Result<MembersPageData, AppError> {
    use super::ssr::*;
    use crate::backend::services;
    respond(
        async {
            let (state, ctx) = request()?;
            let (summary, principal) = services::member_principal(&state, &ctx, &org).await?;
            let page = services::members_page(&state, &principal, summary).await?;
            let session = services::session_view(&state, &ctx)
                .await?
                .ok_or_else(|| AppError::Unauthorized("Sign in to continue".into()))?;
            Ok(MembersPageData { session, page })
        }
        .await,
    )
}
