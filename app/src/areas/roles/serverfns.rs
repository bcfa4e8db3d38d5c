use crate::{
    areas::{organizations::types::OrgFrame, roles::types::CustomRole},
    core::ids::CustomRoleId,
    error::AppError,
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesData {
    pub frame: OrgFrame,
    pub roles: Vec<CustomRole>,
}

#[server(endpoint = "roles")]
pub async fn load_roles(org: String) -> Result<RolesData, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let roles = crate::areas::roles::service::roles(&state, &oc.caller).await?;
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
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            match id {
                Some(id) => {
                    crate::areas::roles::service::update_role(
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
                    crate::areas::roles::service::create_role(
                        &state,
                        &ctx,
                        &oc.caller,
                        &name,
                        &description,
                        &permissions,
                    )
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
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::roles::service::delete_role(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}
