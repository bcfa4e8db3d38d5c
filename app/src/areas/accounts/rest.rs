use crate::server::rest::{
    extract::ApiCaller,
    problem::{ApiResult, E401},
};
use axum::Json;

/// The caller: the token, the user it acts for, the organization and what it may do there.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "me",
    tag = "me",
    responses((status = 200, body = Me), E401),
)]
pub async fn me(api: ApiCaller) -> ApiResult<Json<Me>> {
    Ok(Json(crate::areas::accounts::rest::whoami(
        &api.caller,
        &api.token,
    )))
}

use crate::{
    core::{ids::TokenId, kinds::TokenKind},
    policy::{self, RoleId, Scope},
    server::{caller::Caller, store::TokenRecord},
};

/// Who a token-authenticated caller is (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    /// `user_token` (acts for `user`) or `organization_token` (a service principal).
    pub kind: &'static str,
    pub token: MeToken,
    /// The person a user token acts for.
    pub user: Option<MeUser>,
    pub organization: crate::areas::accounts::types::OrgSummary,
    /// What the caller may do in the organization now (rules 1 and 2).
    pub permissions: policy::PermissionSet,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MeToken {
    pub id: TokenId,
    pub name: String,
    /// The token's role (`null` if the role was deleted).
    pub role: Option<RoleId>,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MeUser {
    pub id: crate::core::ids::UserId,
    pub name: String,
    pub email: String,
}

/// The caller of a token as the API describes it, from what authentication read. Needs no
/// permission and no further lookup.
pub fn whoami(caller: &Caller, token: &TokenRecord) -> Me {
    let user = match (token.owner, &token.owner_name, &token.owner_email) {
        (Some(id), Some(name), Some(email)) => Some(MeUser {
            id,
            name: name.clone(),
            email: email.clone(),
        }),
        _ => None,
    };
    Me {
        kind: match token.kind {
            TokenKind::User => "user_token",
            TokenKind::Organization => "organization_token",
        },
        token: MeToken {
            id: token.id,
            name: token.name.clone(),
            role: token.role_id,
            expires_at: token.expires_at,
        },
        user,
        organization: token.org.clone(),
        permissions: caller.principal.permissions_at(Scope::Organization),
    }
}
