use axum::{Json, extract::State};

use super::{
    extract::ApiCaller,
    problem::{ApiResult, E401},
};
use crate::backend::{
    AppState,
    access_tokens::{self, Me},
};

/// The caller: the token, the user it acts for, the organization and what it may do there.
#[utoipa::path(
    get,
    path = "/me",
    tag = "me",
    responses((status = 200, body = Me), E401),
)]
pub async fn me(State(state): State<AppState>, api: ApiCaller) -> ApiResult<Json<Me>> {
    Ok(Json(access_tokens::whoami(&state, &api.caller).await?))
}
