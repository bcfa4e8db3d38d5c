//! Errors as `application/problem+json` (RFC 9457), one stable `type` per kind of error.

use crate::{
    core::{
        language::Language,
        wording::{Wording, sentence},
    },
    error::AppError,
};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use std::collections::BTreeMap;

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable per kind of error: `urn:gatehouse:problem:not-found`,
    /// `urn:gatehouse:problem:conflict:last_admin`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, in a sentence for a person.
    pub detail: String,
    /// For 409: the rule or state that refused the request (`last_admin`, `already_invited`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For 422: one message per invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
    /// For 500: the reference under which the server logged the details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The problem answer for `e`, its `detail` in `language`.
    pub fn from_error(e: &AppError, language: Language) -> Problem {
        let said = |w: Wording| sentence(&w, language).unwrap_or_else(|| e.to_string());
        let (slug, title) = match e {
            AppError::Unauthorized(_) => ("unauthorized".to_string(), "Unauthorized"),
            AppError::Forbidden(_) => ("forbidden".to_string(), "Forbidden"),
            AppError::NotFound => ("not-found".to_string(), "Not found"),
            AppError::Conflict { code, .. } => (format!("conflict:{code}"), "Conflict"),
            AppError::Validation { .. } => ("invalid-input".to_string(), "Invalid input"),
            AppError::RateLimited { .. } => ("rate-limited".to_string(), "Too many requests"),
            AppError::Internal { .. } => ("internal".to_string(), "Internal error"),
            AppError::Unavailable { .. } => ("unavailable".to_string(), "Service unavailable"),
            AppError::Transport(_) => ("bad-request".to_string(), "Bad request"),
        };
        Problem {
            kind: format!("urn:gatehouse:problem:{slug}"),
            title: title.to_string(),
            status: e.status(),
            detail: match e {
                AppError::NotFound => said(Wording::new("not_found")),
                AppError::Internal { request_id } => {
                    said(Wording::new("internal").with("reference", request_id))
                }
                other => other.to_string(),
            },
            code: match e {
                AppError::Conflict { code, .. } => Some(code.clone()),
                _ => None,
            },
            errors: match e {
                AppError::Validation { fields, .. } => Some(fields.clone()),
                _ => None,
            },
            request_id: match e {
                AppError::Internal { request_id } => Some(request_id.clone()),
                _ => None,
            },
        }
    }
}

/// An [`AppError`] on its way out of a REST handler.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// The error a problem answer was made from, kept in the response's extensions so that
/// [`in_language`] can say it again in the language the client asked for.
#[derive(Debug, Clone)]
struct ProblemSource(AppError);

/// Writes the `detail` (and field messages) of a problem answer in the language of the request's
/// `Accept-Language` (English without one); `type`, `title` and `code` stay as they are.
pub async fn in_language(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let language = crate::server::language::accept_language(req.headers());
    let mut res = next.run(req).await;
    let source = res.extensions_mut().remove::<ProblemSource>();
    if let (Some(language), Some(ProblemSource(e))) = (language, source)
        && language != Language::En
    {
        let problem = Problem::from_error(&e.localized(language), language);
        if let Ok(body) = serde_json::to_vec(&problem) {
            res.headers_mut().remove(header::CONTENT_LENGTH);
            *res.body_mut() = axum::body::Body::from(body);
        }
    }
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem::from_error(&self.0, Language::En);
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(problem)).into_response();
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self.0 {
            AppError::Unauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"gatehouse\""),
                );
            }
            e => {
                if let Some(secs) = e.retry_after_secs() {
                    headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
            }
        }
        res.extensions_mut().insert(ProblemSource(self.0));
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Documents one error answer of an endpoint: `responses((status = 200, …), E401, E403)`.
macro_rules! problem_responses {
    ($($name:ident = $status:literal: $text:literal;)*) => {$(
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
            > {
                use utoipa::openapi::ContentBuilder;
                use utoipa::openapi::Ref;
                use utoipa::openapi::ResponseBuilder;
                let response = ResponseBuilder::new()
                    .description($text)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build();
                [($status.to_string(), response.into())].into()
            }
        }
    )*};
}

problem_responses! {
    E400 = "400": "The body is not JSON";
    E401 = "401": "No access token, or one that is malformed, unknown, expired, revoked, or whose owner is not an active member";
    E403 = "403": "The token may not do this";
    E404 = "404": "Unknown, or another organization's";
    E409 = "409": "Refused by a rule or the current state (`code` says which)";
    E422 = "422": "Invalid input (`errors` has one message per field)";
}
