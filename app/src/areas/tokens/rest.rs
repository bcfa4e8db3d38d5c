use crate::{
    areas::tokens::{serverfns::CreatedToken, service::TokenRequest, types::AccessToken},
    core::{ids::TokenId, kinds::TokenKind},
    server::{
        AppState,
        auth::token_secret::TokenSecret,
        rest::{
            extract::{ApiCaller, Body, Params, PathId},
            paging::{self, Page},
            problem::{ApiResult, E400, E401, E403, E404, E409, E422},
        },
    },
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `user` or `organization`; both when absent.
    kind: Option<TokenKind>,
    /// 1 to 100; 50 unless given.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Access tokens, newest first: everyone's with `tokens.manage`, otherwise the caller's own.
/// Never their secrets.
#[utoipa::path(
    get,
    path = "/tokens",
    operation_id = "tokens_list",
    tag = "tokens",
    params(ListParams),
    responses((status = 200, body = Page<AccessToken>), E401, E403, E422),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<ListParams>,
) -> ApiResult<Json<Page<AccessToken>>> {
    let tokens = crate::areas::tokens::service::list(&state, &api.caller, p.kind).await?;
    Ok(Json(paging::page_of(
        tokens,
        p.limit,
        p.cursor.as_deref(),
        |t| t.id.to_string(),
    )?))
}

fn created(token: AccessToken, secret: TokenSecret) -> CreatedToken {
    CreatedToken {
        token,
        secret: secret.expose().to_string(),
    }
}

/// Creates a user token (`tokens.create`; it acts for the calling user) or an organization
/// token (`tokens.manage`). The answer holds the secret, this once.
#[utoipa::path(
    post,
    path = "/tokens",
    operation_id = "tokens_create",
    tag = "tokens",
    request_body = TokenRequest,
    responses((status = 201, body = CreatedToken), E400, E401, E403, E409, E422),
)]
pub async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    Body(req): Body<TokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let (token, secret) =
        crate::areas::tokens::service::create(&state, &api.ctx, &api.caller, req).await?;
    Ok((StatusCode::CREATED, Json(created(token, secret))))
}

/// Replaces a token's secret, keeping its settings; the old secret stops working at once.
#[utoipa::path(
    post,
    path = "/tokens/{id}/regenerate",
    operation_id = "tokens_regenerate",
    tag = "tokens",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = CreatedToken), E401, E403, E404, E409),
)]
pub async fn regenerate(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(token): PathId<TokenId>,
) -> ApiResult<Json<CreatedToken>> {
    let (token, secret) =
        crate::areas::tokens::service::regenerate(&state, &api.ctx, &api.caller, token).await?;
    Ok(Json(created(token, secret)))
}

/// Revokes a token at once.
#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    operation_id = "tokens_delete",
    tag = "tokens",
    params(("id" = String, Path, format = Uuid)),
    responses((status = 204, description = "Revoked"), E401, E403, E404),
)]
pub async fn delete(
    State(state): State<AppState>,
    api: ApiCaller,
    PathId(token): PathId<TokenId>,
) -> ApiResult<StatusCode> {
    crate::areas::tokens::service::delete(&state, &api.ctx, &api.caller, token).await?;
    Ok(StatusCode::NO_CONTENT)
}
