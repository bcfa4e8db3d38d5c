use crate::{
    areas::organizations::{header::Header, types::OrgFrame},
    error::AppError,
    ui::components::ErrorNotice,
};
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_params_map};

/// The `:org` of the current route.
pub fn org_param() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("org").unwrap_or_default()
}

/// Renders a loaded organization page with its header, or the right page for an error.
pub fn org_page<T: 'static>(
    result: Result<T, AppError>,
    frame: impl FnOnce(&T) -> OrgFrame,
    body: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match result {
        Ok(data) => {
            let f = frame(&data);
            view! {
                <Header session=f.session org=f.org />
                <main class="page">{body(data)}</main>
            }
            .into_any()
        }
        Err(AppError::Unauthorized(_)) => view! { <Redirect path="/signin" /> }.into_any(),
        Err(AppError::NotFound) => view! { <crate::ui::pages::NotFound /> }.into_any(),
        Err(e) => view! {
            <main class="narrow">
                <ErrorNotice error=e />
            </main>
        }
        .into_any(),
    }
}

/// The outcome of the last submission of a form: an error, or a confirmation.
pub fn outcome<T, S>(value: S, done: &'static str) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || {
        value.get().map(|r| match r {
            Ok(_) => view! { <p class="ok" role="status">{done}</p> }.into_any(),
            Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
        })
    }
}
