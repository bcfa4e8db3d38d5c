//! Server functions of the invitations and invitation-link pages.

use crate::{
    areas::{
        groups::types::Group,
        invitations::types::{
            BulkLine, BulkReport, InvitationListing, InvitationStatus, InviteLink, InviteRequest,
        },
        organizations::types::OrgFrame,
        projects::types::Project,
        roles::types::CustomRole,
    },
    core::ids::InvitationId,
    error::AppError,
    policy::RoleId,
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationsData {
    pub frame: OrgFrame,
    /// `None`: the members page's Invited tab (pending and expired).
    pub status: Option<InvitationStatus>,
    pub listing: InvitationListing,
    /// When the page was drawn, for its relative times.
    pub now: i64,
    /// What the invite form offers (empty without `members.invite`).
    pub roles: Vec<CustomRole>,
    pub groups: Vec<Group>,
    pub projects: Vec<Project>,
}

#[server(endpoint = "invitations")]
pub async fn load_invitations(
    org: String,
    status: Option<InvitationStatus>,
    after: Option<InvitationId>,
) -> Result<InvitationsData, AppError> {
    use crate::areas::invitations::service as inv;
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::policy::Permission;
    use crate::policy::Scope;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let listing = match status {
                Some(status) => inv::list(&state, &oc.caller, Some(status), after, 50).await?,
                None => inv::list_open(&state, &oc.caller, after, 50).await?,
            };
            let (roles, groups, projects) = if oc
                .caller
                .principal
                .can(Permission::MembersInvite, Scope::Organization)
            {
                (
                    crate::areas::roles::service::roles(&state, &oc.caller).await?,
                    crate::areas::groups::service::groups(&state, &oc.caller).await?,
                    crate::areas::projects::service::projects(&state, &oc.caller).await?,
                )
            } else {
                (Vec::new(), Vec::new(), Vec::new())
            };
            Ok(InvitationsData {
                frame: frame(&oc),
                status,
                listing,
                now: oc.now,
                roles,
                groups,
                projects,
            })
        }
        .await,
    )
}

#[server(endpoint = "invite", input = Json)]
pub async fn invite(org: String, invitation: InviteRequest) -> Result<InvitationId, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::invitations::service::invite(&state, &ctx, &oc.caller, invitation).await
        }
        .await,
    )
}

#[server(endpoint = "invite_bulk", input = Json)]
pub async fn bulk_invite(
    org: String,
    default_role: RoleId,
    lines: Vec<BulkLine>,
) -> Result<Vec<BulkReport>, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::invitations::service::bulk_invite(
                &state,
                &ctx,
                &oc.caller,
                default_role,
                lines,
                request_language().unwrap_or_default(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "invitation_resend")]
pub async fn resend_invitation(org: String, id: InvitationId) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::invitations::service::resend(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

#[server(endpoint = "invitation_resend_to")]
pub async fn resend_invitation_to(org: String, email: String) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::invitations::service::resend_to(&state, &ctx, &oc.caller, &email).await
        }
        .await,
    )
}

#[server(endpoint = "invitation_withdraw")]
pub async fn withdraw_invitation(org: String, id: InvitationId) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::invitations::service::withdraw(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

/// What the link leads to (the `/invite/{token}` page).
#[server(endpoint = "invite_link")]
pub async fn load_invite_link(token: String) -> Result<InviteLink, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            crate::areas::invitations::acceptance::link_state(&state, &ctx, &token).await
        }
        .await,
    )
}

/// Accepts by creating the invited account; signs the new member in.
#[server(endpoint = "invite_accept_new")]
pub async fn accept_invitation_new(
    token: String,
    name: String,
    password: String,
) -> Result<String, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let done = crate::areas::invitations::acceptance::accept_new(
                &state, &ctx, &token, &name, &password,
            )
            .await?;
            Ok(crate::areas::accounts::serverfns::hand_over_session(
                &state, done,
            ))
        }
        .await,
    )
}

/// Accepts as the signed-in user.
#[server(endpoint = "invite_accept")]
pub async fn accept_invitation(token: String) -> Result<String, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let landing =
                crate::areas::invitations::acceptance::accept_existing(&state, &ctx, &token)
                    .await?;
            leptos_axum::redirect(&landing);
            Ok(landing)
        }
        .await,
    )
}
