//! Pieces shared by pages.

use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

use crate::{
    api::accounts::SignOut,
    error::AppError,
    model::{OrgSummary, SessionView},
};

/// The console header: organization, the organizations one can switch to, who is signed in,
/// and sign-out.
#[component]
pub fn Header(session: SessionView, org: OrgSummary) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let others: Vec<OrgSummary> = session
        .organizations
        .iter()
        .filter(|o| o.id != org.id)
        .cloned()
        .collect();
    view! {
        <header class="topbar">
            <div class="brand">"Gatehouse"</div>
            <div class="org" data-testid="org-name">{org.name.clone()}</div>
            <Show when={
                let has_others = !others.is_empty();
                move || has_others
            }>
                <nav class="org-switch" aria-label="Your other organizations">
                    {others
                        .clone()
                        .into_iter()
                        .map(|o| {
                            view! { <A href=format!("/o/{}/members", o.slug)>{o.name}</A> }
                        })
                        .collect_view()}
                </nav>
            </Show>
            <div class="spacer"></div>
            <div class="user" data-testid="current-user" title=session.email.clone()>
                {session.name.clone()}
            </div>
            <ActionForm action=sign_out attr:class="inline">
                <button type="submit" class="secondary">
                    "Sign out"
                </button>
            </ActionForm>
        </header>
    }
}

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
