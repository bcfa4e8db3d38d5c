use crate::{
    areas::projects::types::Project,
    core::ids::{ProjectId, UserId},
    server::{
        AppState,
        rest::{
            extract::{ApiCaller, Body, PageParams, Params, PathId},
            paging::{self, Page},
            problem::{ApiResult, E400, E401, E403, E404, E409, E422},
        },
    },
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

/// Projects, by name, with their owners.
#[utoipa::path(
    get,
    path = "/projects",
    operation_id = "projects_list",
    tag = "projects",
    params(PageParams),
    responses((status = 200, body = Page<Project>), E401, E403, E422),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<PageParams>,
) -> ApiResult<Json<Page<Project>>> {
    let projects = crate::areas::projects::service::projects(&state, &api.caller).await?;
    Ok(Json(paging::page_of(
        projects,
        p.limit,
        p.cursor.as_deref(),
        |p| p.id.to_string(),
    )?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    #[schema(schema_with = crate::server::rest::schema::name)]
    name: String,
    /// An active member; the calling user when absent (required for organization tokens).
    owner: Option<UserId>,
}

/// Creates a project.
#[utoipa::path(
    post,
    path = "/projects",
    operation_id = "projects_create",
    tag = "projects",
    request_body = NewProject,
    responses((status = 201, body = Project), E400, E401, E403, E409, E422),
)]
pub async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    Body(p): Body<NewProject>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    let id = crate::areas::projects::service::create_project(
        &state,
        &api.ctx,
        &api.caller,
        &p.name,
        p.owner,
    )
    .await?;
    let project = crate::areas::projects::service::project_view(&state, &api.caller, id).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// One project.
#[utoipa::path(
    get,
    path = "/projects/{id}",
    operation_id = "projects_get",
    tag = "projects",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Project), E401, E403, E404),
)]
pub async fn get(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(project): PathId<ProjectId>,
) -> ApiResult<Json<Project>> {
    Ok(Json(
        crate::areas::projects::service::project_view(&state, &api.caller, project).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectChange {
    #[schema(schema_with = crate::server::rest::schema::name)]
    name: Option<String>,
    /// Hands the project to another active member.
    owner: Option<UserId>,
}

/// Renames a project or changes its owner; what is not given stays.
#[utoipa::path(
    patch,
    path = "/projects/{id}",
    operation_id = "projects_update",
    tag = "projects",
    params(("id" = String, Path, format = Uuid)),
    request_body = ProjectChange,
    responses((status = 200, body = Project), E400, E401, E403, E404, E409, E422),
)]
pub async fn update(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(project): PathId<ProjectId>,
    Body(c): Body<ProjectChange>,
) -> ApiResult<Json<Project>> {
    let p = crate::areas::projects::service::edit_project(
        &state,
        &api.ctx,
        &api.caller,
        project,
        c.name,
        c.owner,
    )
    .await?;
    Ok(Json(p))
}

/// Deletes a project and the role bindings at its scope.
#[utoipa::path(
    delete,
    path = "/projects/{id}",
    operation_id = "projects_delete",
    tag = "projects",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 204, description = "Deleted"), E401, E403, E404, E409),
)]
pub async fn delete(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(project): PathId<ProjectId>,
) -> ApiResult<StatusCode> {
    crate::areas::projects::service::delete_project(&state, &api.ctx, &api.caller, project).await?;
    Ok(StatusCode::NO_CONTENT)
}
