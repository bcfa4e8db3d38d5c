use crate::{
    areas::{organizations::types::OrgFrame, projects::types::Project},
    core::ids::{NamedRef, ProjectId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectsData {
    pub frame: OrgFrame,
    pub projects: Vec<Project>,
    pub owner_candidates: Vec<NamedRef<UserId>>,
}

#[server(endpoint = "projects")]
pub async fn load_projects(org: String) -> Result<ProjectsData, AppError> {
    use crate::areas::members::service::owner_candidates;
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            Ok(ProjectsData {
                frame: frame(&oc),
                projects: crate::areas::projects::service::projects(&state, &oc.caller).await?,
                owner_candidates: owner_candidates(&state, &oc.caller).await,
            })
        }
        .await,
    )
}

#[server(endpoint = "project_create")]
pub async fn create_project(org: String, name: String) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::projects::service::create_project(&state, &ctx, &oc.caller, &name, None)
                .await
                .map(|_| ())
        }
        .await,
    )
}

#[server(endpoint = "project_rename")]
pub async fn rename_project(org: String, id: ProjectId, name: String) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::projects::service::rename_project(&state, &ctx, &oc.caller, id, &name)
                .await
        }
        .await,
    )
}

#[server(endpoint = "project_delete")]
pub async fn delete_project(org: String, id: ProjectId) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::projects::service::delete_project(&state, &ctx, &oc.caller, id).await
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
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::projects::service::change_project_owner(
                &state, &ctx, &oc.caller, id, owner,
            )
            .await
        }
        .await,
    )
}
