use crate::{
    areas::members::types::{MemberListing, MemberQuery, MemberRow},
    core::{
        ids::{GroupId, UserId},
        kinds::MembershipStatus,
    },
    policy::{Binding, RoleId},
    server::{
        AppState,
        rest::{
            extract::{ApiCaller, Body, Params, PathId},
            problem::{ApiResult, E400, E401, E403, E404, E409, E422},
        },
    },
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `active` (the default), `deactivated` or `archived`.
    status: Option<MembershipStatus>,
    /// Three characters or more: any part of a name or an email address ("ell" finds
    /// Wellington); one or two: the start of a word of either (each Chinese, Japanese or Korean
    /// character is a word); or a whole user id. Case does not matter.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Members holding this role (directly or through a group).
    #[param(value_type = Option<RoleId>)]
    role: Option<RoleId>,
    #[param(value_type = Option<String>, format = Uuid)]
    group: Option<GroupId>,
    two_factor: Option<bool>,
    /// 1 to 100; 50 unless given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Members, alphabetically by name, with search and filters.
#[utoipa::path(
    get,
    path = "/members",
    operation_id = "members_list",
    tag = "members",
    params(ListParams),
    responses(
        (status = 200, body = MemberListing), E401, E403, E422,
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<ListParams>,
) -> ApiResult<Json<MemberListing>> {
    let query = MemberQuery {
        status: p.status.unwrap_or(MembershipStatus::Active),
        q: p.q,
        role: p.role,
        group: p.group,
        two_factor: p.two_factor,
        limit: p
            .limit
            .unwrap_or(crate::server::rest::paging::DEFAULT_LIMIT),
        cursor: p.cursor,
    };
    Ok(Json(
        crate::areas::members::service::list_members(&state, &api.caller, &query).await?,
    ))
}

/// One member with own and inherited role bindings.
#[utoipa::path(
    get,
    path = "/members/{user_id}",
    operation_id = "members_get",
    tag = "members",
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = MemberRow), E401, E403, E404,
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(user): PathId<UserId>,
) -> ApiResult<Json<MemberRow>> {
    Ok(Json(
        crate::areas::members::service::member(&state, &api.caller, user).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    /// The member's own role bindings (replaces them); unchanged when absent. At most 100;
    /// repeated entries count once.
    #[schema(max_items = 100)]
    bindings: Option<Vec<Binding>>,
    /// The member's groups (replaces them); unchanged when absent. At most 100; repeated entries
    /// count once.
    #[schema(max_items = 100)]
    groups: Option<Vec<GroupId>>,
}

/// Changes a member's own role bindings and groups.
#[utoipa::path(
    patch,
    path = "/members/{user_id}",
    operation_id = "members_update",
    tag = "members",
    params(("user_id" = String, Path, format = Uuid)),
    request_body = MemberChange,
    responses(
        (status = 200, body = MemberRow), E400, E401, E403, E404, E409, E422,
    ),
)]
pub async fn update(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(user): PathId<UserId>,
    Body(change): Body<MemberChange>,
) -> ApiResult<Json<MemberRow>> {
    let row = crate::areas::members::service::patch_member(
        &state,
        &api.ctx,
        &api.caller,
        user,
        change.bindings,
        change.groups,
    )
    .await?;
    Ok(Json(row))
}

async fn set_active(
    state: AppState,
    api: ApiCaller,
    user: UserId,
    active: bool,
) -> ApiResult<Json<MemberRow>> {
    crate::areas::members::service::set_member_active(&state, &api.ctx, &api.caller, user, active)
        .await?;
    Ok(Json(
        crate::areas::members::service::member(&state, &api.caller, user).await?,
    ))
}

/// Deactivates a member: they cannot sign in to the organization and their user tokens stop
/// working until reactivation.
#[utoipa::path(
    post,
    path = "/members/{user_id}/deactivate",
    operation_id = "members_deactivate",
    tag = "members",
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = MemberRow), E401, E403, E404, E409,
    ),
)]
pub async fn deactivate(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(user): PathId<UserId>,
) -> ApiResult<Json<MemberRow>> {
    set_active(state, api, user, false).await
}

/// Reactivates a deactivated member.
#[utoipa::path(
    post,
    path = "/members/{user_id}/reactivate",
    operation_id = "members_reactivate",
    tag = "members",
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = MemberRow), E401, E403, E404, E409,
    ),
)]
pub async fn reactivate(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(user): PathId<UserId>,
) -> ApiResult<Json<MemberRow>> {
    set_active(state, api, user, true).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveParams {
    /// Also revoke the member's active user tokens (otherwise removal is refused while they hold any).
    revoke_tokens: Option<bool>,
    /// Who takes over the member's projects (required when they own any).
    new_owner: Option<UserId>,
}

/// Removes a member: the membership is archived for good.
#[utoipa::path(
    delete,
    path = "/members/{user_id}",
    operation_id = "members_remove",
    tag = "members",
    params(("user_id" = String, Path, format = Uuid), RemoveParams),
    responses(
        (status = 204, description = "Removed"), E401, E403, E404, E409, E422,
    ),
)]
pub async fn remove(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(user): PathId<UserId>,
    Params(p): Params<RemoveParams>,
) -> ApiResult<StatusCode> {
    crate::areas::members::service::remove_member(
        &state,
        &api.ctx,
        &api.caller,
        user,
        p.new_owner,
        p.revoke_tokens.unwrap_or(false),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
