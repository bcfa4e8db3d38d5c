use crate::i18n::use_i18n;
use crate::{
    areas::organizations::{header::Header, types::OrgFrame},
    error::AppError,
    ui::components::{ErrorNotice, use_toasts},
};
use leptos::{prelude::*, text_prop::TextProp};
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
                <Header session=f.session org=f.org permissions=f.permissions language=f.language />
                <main class="page">{body(data)}</main>
            }
            .into_any()
        }
        Err(AppError::Unauthorized(_)) => view! { <Redirect path="/signin" /> }.into_any(),
        Err(AppError::NotFound) => view! { <crate::ui::pages::NotFound /> }.into_any(),
        Err(e @ AppError::Forbidden(_)) => {
            let i18n = use_i18n();
            view! {
                <main class="narrow">
                    <h1>{tr!(i18n, common.forbidden_title)}</h1>
                    <p>{e.to_string()}</p>
                    <p class="hint">{tr!(i18n, common.forbidden_hint)}</p>
                    <p>
                        <a href="/">{tr!(i18n, common.back_to_console)}</a>
                    </p>
                </main>
            }
            .into_any()
        }
        Err(e) => view! {
            <main class="narrow">
                <ErrorNotice error=e />
            </main>
        }
        .into_any(),
    }
}

/// The outcome of the last submission of a form: a toast saying it worked, or the error in
/// place (where a field's message can sit beside the field).
pub fn outcome<T, S>(value: S, done: impl Into<TextProp>) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    announce(value, done);
    move || {
        value
            .get()
            .and_then(Result::err)
            .map(|e| view! { <ErrorNotice error=e /> })
    }
}

/// A toast each time the action succeeds from now on (its errors are shown elsewhere, e.g. in
/// its dialog). Earlier completions are not announced again when a page draws anew.
pub fn announce<T, S>(value: S, done: impl Into<TextProp>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    let toasts = use_toasts();
    let done = done.into();
    Effect::watch(
        move || matches!(value.get(), Some(Ok(_))),
        move |ok, _, _| {
            if *ok {
                toasts.ok(done.get());
            }
        },
        false,
    );
}

/// Row actions (resend, regenerate) report in toasts both ways: the row they came from may be
/// far from any place on the page where an error could sit.
pub fn announce_both<T, S>(value: S, done: impl Into<TextProp>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    let toasts = use_toasts();
    let done = done.into();
    Effect::watch(
        move || value.get().map(|r| r.err()),
        move |outcome, _, _| match outcome {
            Some(None) => toasts.ok(done.get()),
            Some(Some(e)) => toasts.error(e),
            None => {}
        },
        false,
    );
}
