//! Pieces shared by pages.

use crate::error::AppError;
use leptos::prelude::*;

/// An error message for the person, with a role that screen readers announce.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <p class="error" role="alert">
            {error.to_string()}
        </p>
    }
}

/// The message for one form field, if the last submission's error names it.
pub fn field_error(error: Option<AppError>, field: &'static str) -> impl IntoView {
    error
        .and_then(|e| e.field_message(field).map(str::to_string))
        .map(|m| view! { <span class="field-error">{m}</span> })
}

/// Sets the HTTP status of a server-rendered page.
pub fn set_status(_status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(s) = http::StatusCode::from_u16(_status)
    {
        res.set_status(s);
    }
}
