//! What every handler takes from a request: the authenticated caller, a JSON body and query
//! parameters whose rejections are problem documents, and ids from the path.

use crate::{
    error::{AppError, Wording},
    server::{AppState, RequestCtx, caller::Caller, rest::problem::ApiError, store::TokenRecord},
};
use axum::{
    extract::{FromRequest, FromRequestParts, Path, Request},
    http::{header, request::Parts},
};
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A caller authenticated by `Authorization: Bearer <token>`, with what the services need to
/// know about the request. Session cookies are not accepted here: the API has no ambient
/// credentials, so it needs no cross-site protection.
pub struct ApiCaller {
    pub caller: Caller,
    pub ctx: RequestCtx,
    /// The token as authentication read it.
    pub token: TokenRecord,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| AppError::unauthorized(Wording::new("unauthorized_token_missing")))?
            .to_str()
            .map_err(|_| AppError::unauthorized(Wording::new("unauthorized_token_invalid")))?;
        let token = match header.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => {
                return Err(
                    AppError::unauthorized(Wording::new("unauthorized_token_scheme")).into(),
                );
            }
        };
        let mut ctx = RequestCtx::from_parts(parts, &state.config);
        ctx.session_secret = None;
        let (caller, token) = crate::server::auth::bearer::authenticate(state, &ctx, token).await?;
        Ok(ApiCaller { caller, ctx, token })
    }
}

/// A JSON request body; a malformed or mistyped one is a 400/422 problem.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::Transport(format!(
                "The body is not valid JSON: {}",
                e.body_text()
            ))
            .into()),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::field_worded("body", Wording::new("field_body_json")).into())
            }
            Err(e) => Err(AppError::field_worded("body", body_message(&e.body_text())).into()),
        }
    }
}

/// axum's messages start with what failed ("Failed to deserialize the JSON body into the target
/// type: "); what follows names the field and the problem.
/// The reader's detail stays as serde wrote it (English).
fn body_message(text: &str) -> Wording {
    let detail = text.rsplit_once("type: ").map_or(text, |(_, d)| d);
    Wording::new("field_body_shape").with("detail", detail)
}

/// Query parameters; ones that do not parse are a 422 problem. A parameter with an empty value
/// (`?role=`, as an HTML form or a URL template leaves it) is taken as absent.
pub struct Params<T>(pub T);

/// The query string without its empty parameters.
fn without_empty(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| pair.split_once('=').is_some_and(|(_, v)| !v.is_empty()))
        .collect::<Vec<_>>()
        .join("&")
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = without_empty(parts.uri.query().unwrap_or_default());
        match axum::extract::Query::<T>::try_from_uri(
            &format!("/?{query}")
                .parse()
                .map_err(|_| AppError::Transport("The query string is not valid".into()))?,
        ) {
            Ok(axum::extract::Query(v)) => Ok(Params(v)),
            Err(e) => {
                let text = e.body_text();
                let detail = text
                    .rsplit_once("string: ")
                    .map_or(text.as_str(), |(_, d)| d);
                Err(AppError::field_worded(
                    "query",
                    Wording::new("field_query_invalid").with("detail", detail),
                )
                .into())
            }
        }
    }
}

fn no_such_thing<E>(_: E) -> ApiError {
    ApiError(AppError::NotFound)
}

/// An id from the path (`/groups/{id}`). One that does not parse names nothing, so it answers
/// 404 like an id that names nothing here.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: FromStr> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(no_such_thing)?;
        text.parse().map(PathId).map_err(no_such_thing)
    }
}

/// Two ids from the path (`/groups/{id}/members/{user_id}`), as [`PathId`].
pub struct PathIds<A, B>(pub A, pub B);

impl<S: Send + Sync, A: FromStr, B: FromStr> FromRequestParts<S> for PathIds<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(no_such_thing)?;
        Ok(PathIds(
            a.parse().map_err(no_such_thing)?,
            b.parse().map_err(no_such_thing)?,
        ))
    }
}

/// `limit` and `cursor` of a list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 100; 50 unless given.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
