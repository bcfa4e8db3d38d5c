//! Server functions of the organization: founding, leaving, and the settings page.

use crate::{
    areas::organizations::types::{OrgFrame, OrgSettings},
    core::ids::{NamedRef, UserId},
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// Founds an organization with the signed-in person as its Admin and goes there.
#[server(endpoint = "org_create")]
pub async fn create_organization(name: String) -> Result<String, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let view = crate::areas::accounts::service::session_view(&state, &ctx)
                .await?
                .ok_or_else(|| {
                    AppError::unauthorized(crate::error::Wording::new("unauthorized_sign_in"))
                })?;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsData {
    pub frame: OrgFrame,
    pub settings: OrgSettings,
}

#[server(endpoint = "settings")]
pub async fn load_settings(org: String) -> Result<SettingsData, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let settings =
                crate::areas::organizations::service::settings(&state, &oc.caller).await?;
            Ok(SettingsData {
                frame: frame(&oc),
                settings,
            })
        }
        .await,
    )
}

pub use settings_form::{SaveSettings, save_settings};

/// The settings form posts its fields flat (`ActionForm`), one server function argument each;
/// the allowance covers the client half the macro generates too.
#[allow(clippy::too_many_arguments)]
mod settings_form {
    use leptos::prelude::*;

    use crate::areas::organizations::types::OrgSettings;
    use crate::error::AppError;

    #[server(endpoint = "settings_save")]
    pub async fn save_settings(
        org: String,
        name: String,
        invitation_lifetime_hours: u32,
        pending_invitation_limit: u32,
        custom_role_limit: u32,
        group_limit: u32,
        project_limit: u32,
        token_limit: u32,
        #[server(default)] default_language: String,
    ) -> Result<OrgSettings, AppError> {
        use crate::areas::organizations::service::caller;
        use crate::server::serverfns::*;
        respond(
            async {
                let (state, ctx, oc) = caller(&org).await?;
                crate::areas::organizations::service::update_settings(
                    &state,
                    &ctx,
                    &oc.caller,
                    OrgSettings {
                        name,
                        invitation_lifetime_hours,
                        pending_invitation_limit,
                        custom_role_limit,
                        group_limit,
                        project_limit,
                        token_limit,
                        default_language: crate::areas::accounts::types::language_choice(
                            &default_language,
                            "default_language",
                            "field_default_language",
                        )?,
                    },
                )
                .await
            }
            .await,
        )
    }
}
