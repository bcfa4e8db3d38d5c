use axum::Json;

use crate::areas::tokens::service as access_tokens;
use crate::areas::tokens::service::Me;
use crate::server::rest::extract::ApiCaller;
use crate::server::rest::problem::ApiResult;
use crate::server::rest::problem::E401;

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
