use axum::Json;

use super::{
    extract::ApiCaller,
    problem::{ApiResult, E401},
};
use crate::backend::access_tokens::{self, Me};

/// The caller: the token, the user it acts for, the organization and what it may do there.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "me",
    tag = "me",
    responses((status = 200, body = Me), E401),
)]
pub async fn me(api: ApiCaller) -> ApiResult<Json<Me>> {
    Ok(Json(access_tokens::whoami(&api.caller, &api.token)))
}
