//! Server functions of the tokens page.

use crate::{
    areas::{organizations::types::OrgFrame, roles::types::CustomRole, tokens::types::AccessToken},
    core::{ids::TokenId, kinds::TokenKind},
    error::AppError,
    policy::RoleId,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensData {
    pub frame: OrgFrame,
    /// When the page was served: times show relative to it, alike on server and browser.
    pub now: i64,
    pub tokens: Vec<AccessToken>,
    pub roles: Vec<CustomRole>,
    /// The tokens the caller may regenerate (the server decides; the page only hides).
    pub regenerable: Vec<TokenId>,
}

/// A token with its secret: the only answer that ever carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: AccessToken,
    /// The secret, shown this once: only its hash is kept.
    pub secret: String,
}

#[server(endpoint = "tokens")]
pub async fn load_tokens(org: String) -> Result<TokensData, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::areas::organizations::service::frame;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _, oc) = caller(&org).await?;
            let tokens = crate::areas::tokens::service::list(&state, &oc.caller, None).await?;
            let roles = crate::areas::roles::service::roles(&state, &oc.caller)
                .await
                .unwrap_or_default();
            let regenerable =
                crate::areas::tokens::service::regenerable(&state, &oc.caller, &tokens).await?;
            Ok(TokensData {
                now: oc.now,
                frame: frame(&oc),
                tokens,
                roles,
                regenerable,
            })
        }
        .await,
    )
}

#[server(endpoint = "token_create")]
pub async fn create_token(
    org: String,
    name: String,
    kind: TokenKind,
    role: RoleId,
    #[server(default)] expires_in_days: Option<u32>,
) -> Result<CreatedToken, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::areas::tokens::service::TokenRequest;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            let request = TokenRequest {
                name,
                kind,
                role,
                expires_in_days,
            };
            let (token, secret) =
                crate::areas::tokens::service::create(&state, &ctx, &oc.caller, request).await?;
            Ok(CreatedToken {
                token,
                secret: secret.expose().to_string(),
            })
        }
        .await,
    )
}

#[server(endpoint = "token_regenerate")]
pub async fn regenerate_token(org: String, id: TokenId) -> Result<CreatedToken, AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            let (token, secret) =
                crate::areas::tokens::service::regenerate(&state, &ctx, &oc.caller, id).await?;
            Ok(CreatedToken {
                token,
                secret: secret.expose().to_string(),
            })
        }
        .await,
    )
}

#[server(endpoint = "token_delete")]
pub async fn delete_token(org: String, id: TokenId) -> Result<(), AppError> {
    use crate::areas::organizations::service::caller;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx, oc) = caller(&org).await?;
            crate::areas::tokens::service::delete(&state, &ctx, &oc.caller, id).await
        }
        .await,
    )
}

/// The profile page: who is signed in and their own tokens in every organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileData {
    pub session: crate::areas::accounts::types::SessionView,
    pub tokens: Vec<crate::areas::tokens::types::OwnToken>,
    /// When the page was drawn, for its relative times.
    pub now: i64,
}

#[server(endpoint = "profile")]
pub async fn load_profile() -> Result<ProfileData, AppError> {
    use crate::server::serverfns::request;
    use crate::server::serverfns::respond;
    respond(
        async {
            let (state, ctx) = request()?;
            let session = crate::areas::accounts::service::session_view(&state, &ctx)
                .await?
                .ok_or_else(|| {
                    AppError::unauthorized(crate::error::Wording::new("unauthorized_sign_in"))
                })?;
            let tokens = crate::areas::tokens::service::own_tokens(&state, session.user_id).await?;
            Ok(ProfileData {
                session,
                tokens,
                now: state.now(),
            })
        }
        .await,
    )
}
