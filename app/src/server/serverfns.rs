//! What every server function does first: the request's state and context, the signed-in
//! caller inside an organization, and turning an error into the response's status.

use crate::{
    core::language::Language,
    error::AppError,
    server::{self as backend, AppState, RequestCtx, language::RequestLanguage},
};
use http::{HeaderName, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The application state and what the services need to know about this request.
pub fn request() -> Result<(AppState, RequestCtx), AppError> {
    let state = backend::state()?;
    let parts = use_context::<http::request::Parts>().ok_or_else(|| {
        AppError::internal(&std::io::Error::other(
            "request parts are not in the context",
        ))
    })?;
    let ctx = RequestCtx::from_parts(&parts, &state.config);
    Ok((state, ctx))
}

/// The language this request is answered in (see `server::language`), when there is a request.
pub fn request_language() -> Option<Language> {
    use_context::<http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<RequestLanguage>()
            .map(|RequestLanguage(l)| *l)
    })
}

/// Gives an error its HTTP status (a server function error is otherwise a 500), and its
/// sentences in the request's language.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let result = result.map_err(|e| match request_language() {
        Some(language) => e.localized(language),
        None => e,
    });
    if let Err(e) = &result
        && let Some(res) = use_context::<ResponseOptions>()
    {
        res.set_status(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if let Some(secs) = e.retry_after_secs() {
            res.insert_header(
                HeaderName::from_static("retry-after"),
                HeaderValue::from(secs),
            );
        }
    }
    result
}

pub fn set_header(name: HeaderName, value: HeaderValue) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.append_header(name, value);
    }
}
