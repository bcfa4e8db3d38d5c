//! Pieces shared by pages, so that every page looks and behaves alike: dialogs and
//! confirmations, toasts, lists that become cards on a phone, form fields with their errors,
//! relative times, empty states.

mod dialog;
mod field;
mod table;
mod text;
mod toast;

pub use dialog::{Confirm, Dialog, close_on_success, open_while};
pub use field::{DialogActions, Field, Submit};
pub use table::{Cell, DataTable};
pub use text::{EmptyState, RelativeTime, Truncated};
pub use toast::{ToastRegion, provide_toasts, use_toasts};

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
