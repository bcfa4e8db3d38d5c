use crate::{
    areas::groups::types::Group,
    core::ids::{GroupId, UserId},
    policy::Binding,
    server::{
        AppState,
        rest::{
            extract::{ApiCaller, Body, PageParams, Params, PathId, PathIds},
            paging::{self, Page},
            problem::{ApiResult, E400, E401, E403, E404, E409, E422},
        },
    },
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

/// Groups, by name, with their members and role bindings.
#[utoipa::path(
    get,
    path = "/groups",
    operation_id = "groups_list",
    tag = "groups",
    params(PageParams),
    responses((status = 200, body = Page<Group>), E401, E403, E422),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<PageParams>,
) -> ApiResult<Json<Page<Group>>> {
    let groups = crate::areas::groups::service::groups(&state, &api.caller).await?;
    Ok(Json(paging::page_of(
        groups,
        p.limit,
        p.cursor.as_deref(),
        |g| g.id.to_string(),
    )?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    #[schema(schema_with = crate::server::rest::schema::name)]
    name: String,
    /// Roles every member of the group holds. At most 100; repeated entries count once.
    #[serde(default)]
    #[schema(max_items = 100)]
    bindings: Vec<Binding>,
}

/// Creates a group with its role bindings (only roles within the caller's own permissions).
#[utoipa::path(
    post,
    path = "/groups",
    operation_id = "groups_create",
    tag = "groups",
    request_body = NewGroup,
    responses((status = 201, body = Group), E400, E401, E403, E409, E422),
)]
pub async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    Body(g): Body<NewGroup>,
) -> ApiResult<(StatusCode, Json<Group>)> {
    let group = crate::areas::groups::service::create_group_with(
        &state,
        &api.ctx,
        &api.caller,
        &g.name,
        g.bindings,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(group)))
}

/// One group.
#[utoipa::path(
    get,
    path = "/groups/{id}",
    operation_id = "groups_get",
    tag = "groups",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Group), E401, E403, E404),
)]
pub async fn get(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(group): PathId<GroupId>,
) -> ApiResult<Json<Group>> {
    Ok(Json(
        crate::areas::groups::service::group_view(&state, &api.caller, group).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupChange {
    #[schema(schema_with = crate::server::rest::schema::name)]
    name: Option<String>,
    /// Replaces the group's role bindings. At most 100; repeated entries count once.
    #[schema(max_items = 100)]
    bindings: Option<Vec<Binding>>,
}

/// Renames a group or replaces its role bindings; what is not given stays.
#[utoipa::path(
    patch,
    path = "/groups/{id}",
    operation_id = "groups_update",
    tag = "groups",
    params(("id" = String, Path, format = Uuid)),
    request_body = GroupChange,
    responses((status = 200, body = Group), E400, E401, E403, E404, E409, E422),
)]
pub async fn update(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(group): PathId<GroupId>,
    Body(c): Body<GroupChange>,
) -> ApiResult<Json<Group>> {
    let g = crate::areas::groups::service::edit_group(
        &state,
        &api.ctx,
        &api.caller,
        group,
        c.name,
        c.bindings,
    )
    .await?;
    Ok(Json(g))
}

/// Deletes a group and its role bindings.
#[utoipa::path(
    delete,
    path = "/groups/{id}",
    operation_id = "groups_delete",
    tag = "groups",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 204, description = "Deleted"), E401, E403, E404, E409),
)]
pub async fn delete(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(group): PathId<GroupId>,
) -> ApiResult<StatusCode> {
    crate::areas::groups::service::delete_group(&state, &api.ctx, &api.caller, group).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a member to a group (they gain its roles).
#[utoipa::path(
    put,
    path = "/groups/{id}/members/{user_id}",
    operation_id = "groups_add_member",
    tag = "groups",
    params(("id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    responses((status = 204, description = "The user is in the group"), E401, E403, E404, E409, E422),
)]
pub async fn add_member(
    State(state): State<AppState>,
    api: ApiCaller,
    PathIds(group, user): PathIds<GroupId, UserId>,
) -> ApiResult<StatusCode> {
    crate::areas::groups::service::add_group_member(&state, &api.ctx, &api.caller, group, user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member from a group.
#[utoipa::path(
    delete,
    path = "/groups/{id}/members/{user_id}",
    operation_id = "groups_remove_member",
    tag = "groups",
    params(("id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    responses((status = 204, description = "The user is not in the group"), E401, E403, E404, E409),
)]
pub async fn remove_member(
    State(state): State<AppState>,
    api: ApiCaller,
    PathIds(group, user): PathIds<GroupId, UserId>,
) -> ApiResult<StatusCode> {
    crate::areas::groups::service::remove_group_member(&state, &api.ctx, &api.caller, group, user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
