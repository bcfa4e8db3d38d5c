use crate::{
    core::ids::{NamedRef, UserId},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::Json};

/// Founds an organization with the signed-in person as its Admin and goes there.
#[server(endpoint = "org_create")]
pub async fn create_organization(name: String) -> Result<String, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let view = crate::areas::accounts::service::session_view(&state, &ctx)
                .await?
                .ok_or_else(|| AppError::Unauthorized("Sign in to continue".into()))?;
            let org = crate::areas::organizations::service::create_organization(
                &state,
                &ctx,
                view.user_id,
                &view.email,
                &name,
            )
            .await?;
            let landing = crate::areas::accounts::service::members_path(&org.slug);
            leptos_axum::redirect(&landing);
            Ok(landing)
        }
        .await,
    )
}

/// The signed-in person leaves the organization.
#[server(endpoint = "org_leave", input = Json)]
pub async fn leave_organization(org: String, new_owner: Option<UserId>) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::organizations::service::leave(&state, &ctx, &oc.caller, new_owner)
                .await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Active members who could take over the caller's projects when they leave (not the caller).
#[server(endpoint = "org_leave_candidates")]
pub async fn leave_candidates(org: String) -> Result<Vec<NamedRef<UserId>>, AppError> {
    use crate::areas::members::service::owner_candidates;
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
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
