use crate::{
    areas::roles::types::RoleView,
    policy::RoleId,
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

/// Every role: the built-in ones, then the organization's own.
#[utoipa::path(
    get,
    path = "/roles",
    operation_id = "roles_list",
    tag = "roles",
    params(PageParams),
    responses((status = 200, body = Page<RoleView>), E401, E403, E422),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<PageParams>,
) -> ApiResult<Json<Page<RoleView>>> {
    let roles = crate::areas::roles::service::all_roles(&state, &api.caller).await?;
    Ok(Json(paging::page_of(
        roles,
        p.limit,
        p.cursor.as_deref(),
        |r| r.id.to_string(),
    )?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    /// Not the name of a built-in role, in any case (409 `role_name_taken`).
    #[schema(schema_with = crate::server::rest::schema::name)]
    name: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    description: String,
    /// Permission names from the catalogue, e.g. `members.read`.
    #[schema(value_type = Vec<crate::policy::Permission>, min_items = 1)]
    permissions: Vec<String>,
}

/// Creates a custom role (only with permissions the caller holds).
#[utoipa::path(
    post,
    path = "/roles",
    operation_id = "roles_create",
    tag = "roles",
    request_body = NewRole,
    responses((status = 201, body = RoleView), E400, E401, E403, E409, E422),
)]
pub async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    Body(r): Body<NewRole>,
) -> ApiResult<(StatusCode, Json<RoleView>)> {
    let role = crate::areas::roles::service::create_role(
        &state,
        &api.ctx,
        &api.caller,
        &r.name,
        &r.description,
        &r.permissions,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(RoleView::custom(role))))
}

/// One role, built-in (`viewer`, `editor`, `admin`) or custom.
#[utoipa::path(
    get,
    path = "/roles/{id}",
    operation_id = "roles_get",
    tag = "roles",
    params(("id" = String, Path, description = "`viewer`, `editor`, `admin` or a custom role's UUID")),
    responses((status = 200, body = RoleView), E401, E403, E404),
)]
pub async fn get(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(role): PathId<RoleId>,
) -> ApiResult<Json<RoleView>> {
    Ok(Json(
        crate::areas::roles::service::role(&state, &api.caller, role).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    #[schema(schema_with = crate::server::rest::schema::name)]
    name: Option<String>,
    #[schema(max_length = 500)]
    description: Option<String>,
    #[schema(value_type = Option<Vec<crate::policy::Permission>>, min_items = 1)]
    permissions: Option<Vec<String>>,
}

/// Edits a custom role; what is not given stays. Built-in roles cannot be edited (409).
#[utoipa::path(
    patch,
    path = "/roles/{id}",
    operation_id = "roles_update",
    tag = "roles",
    params(("id" = String, Path)),
    request_body = RoleChange,
    responses((status = 200, body = RoleView), E400, E401, E403, E404, E409, E422),
)]
pub async fn update(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(role): PathId<RoleId>,
    Body(c): Body<RoleChange>,
) -> ApiResult<Json<RoleView>> {
    let view = crate::areas::roles::service::edit_role(
        &state,
        &api.ctx,
        &api.caller,
        role,
        c.name,
        c.description,
        c.permissions,
    )
    .await?;
    Ok(Json(view))
}

/// Deletes a custom role; refused (409) while anything is bound to it, and for built-in roles.
#[utoipa::path(
    delete,
    path = "/roles/{id}",
    operation_id = "roles_delete",
    tag = "roles",
    params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), E401, E403, E404, E409),
)]
pub async fn delete(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(role): PathId<RoleId>,
) -> ApiResult<StatusCode> {
    crate::areas::roles::service::delete_any_role(&state, &api.ctx, &api.caller, role).await?;
    Ok(StatusCode::NO_CONTENT)
}
