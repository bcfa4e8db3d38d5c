use crate::{
    areas::invitations::{
        service as inv,
        types::{Invitation, InvitationListing, InvitationStatus, InviteRequest},
    },
    core::ids::InvitationId,
    server::{
        AppState,
        rest::{
            extract::{ApiCaller, Body, Params, PathId},
            paging,
            problem::{ApiResult, E400, E401, E403, E404, E409, E422},
        },
    },
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `pending`, `accepted`, `withdrawn` or `expired`; all when absent.
    status: Option<InvitationStatus>,
    /// 1 to 100; 50 unless given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Invitations, newest first.
#[utoipa::path(
    get,
    path = "/invitations",
    operation_id = "invitations_list",
    tag = "invitations",
    params(ListParams),
    responses((status = 200, body = InvitationListing), E401, E403, E422),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<ListParams>,
) -> ApiResult<Json<InvitationListing>> {
    let after = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<InvitationId>()
                .map_err(|_| paging::invalid_cursor())?,
        ),
    };
    let limit = p.limit.unwrap_or(paging::DEFAULT_LIMIT);
    Ok(Json(
        inv::list(&state, &api.caller, p.status, after, limit).await?,
    ))
}

/// Invites an address with role bindings and groups; the email is sent from the outbox.
#[utoipa::path(
    post,
    path = "/invitations",
    operation_id = "invitations_create",
    tag = "invitations",
    request_body = InviteRequest,
    responses(
        (status = 201, body = Invitation), E400, E401, E403,
        E409, E422,
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    Body(req): Body<InviteRequest>,
) -> ApiResult<(StatusCode, Json<Invitation>)> {
    let id = inv::invite(&state, &api.ctx, &api.caller, req).await?;
    let invitation = inv::invitation(&state, &api.caller, id).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// Sends a new link: the old one stops working and the lifetime starts again.
#[utoipa::path(
    post,
    path = "/invitations/{id}/resend",
    operation_id = "invitations_resend",
    tag = "invitations",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = Invitation), E401, E403, E404, E409),
)]
pub async fn resend(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(invitation): PathId<InvitationId>,
) -> ApiResult<Json<Invitation>> {
    inv::resend(&state, &api.ctx, &api.caller, invitation).await?;
    Ok(Json(
        inv::invitation(&state, &api.caller, invitation).await?,
    ))
}

/// Withdraws an invitation: its link stops working.
#[utoipa::path(
    delete,
    path = "/invitations/{id}",
    operation_id = "invitations_withdraw",
    tag = "invitations",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 204, description = "Withdrawn"), E401, E403, E404, E409),
)]
pub async fn withdraw(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(invitation): PathId<InvitationId>,
) -> ApiResult<StatusCode> {
    inv::withdraw(&state, &api.ctx, &api.caller, invitation).await?;
    Ok(StatusCode::NO_CONTENT)
}
