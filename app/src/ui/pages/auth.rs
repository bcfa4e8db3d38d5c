//! `/signin` and `/signup`.

use leptos::{form::ActionForm, prelude::*};
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::accounts::{SignIn, SignUp, signup_available},
    error::AppError,
    ui::components::{ErrorNotice, field_error, set_status},
};

/// A password input with a show/hide toggle (the toggle needs the app to be hydrated).
#[component]
pub(super) fn PasswordInput(
    name: &'static str,
    autocomplete: &'static str,
    id: &'static str,
) -> impl IntoView {
    let visible = RwSignal::new(false);
    view! {
        <div class="password">
            <input
                id=id
                type=move || if visible.get() { "text" } else { "password" }
                name=name
                autocomplete=autocomplete
                required
            />
            <button
                type="button"
                class="ghost"
                aria-controls=id
                aria-pressed=move || visible.get().to_string()
                on:click=move |_| visible.update(|v| *v = !*v)
            >
                {move || if visible.get() { "Hide password" } else { "Show password" }}
            </button>
        </div>
    }
}

/// An error about the whole form (field errors stand beside their fields).
fn form_error(error: Option<AppError>) -> impl IntoView {
    error
        .filter(|e| !matches!(e, AppError::Validation { .. }))
        .map(|e| view! { <ErrorNotice error=e /> })
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = move || action.value().get().and_then(Result::err);
    let can_sign_up = Resource::new(|| (), |_| signup_available());
    // Where to go after signing in (an invitation link), if the page was opened with one.
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <main class="auth">
            <h1>"Sign in to Gatehouse"</h1>
            <ActionForm action=action>
                <input type="hidden" name="next" value=next />
                <label for="email">"Email"</label>
                <input id="email" type="email" name="email" autocomplete="username" required />
                {move || field_error(error(), "email")}
                <label for="password">"Password"</label>
                <PasswordInput name="password" autocomplete="current-password" id="password" />
                {move || field_error(error(), "password")}
                {move || form_error(error())}
                <button type="submit" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <Suspense>
                {move || {
                    can_sign_up
                        .get()
                        .and_then(Result::ok)
                        .filter(|open| *open)
                        .map(|_| {
                            view! {
                                <p class="aside">
                                    <A href="/signup">"Create an organization"</A>
                                </p>
                            }
                        })
                }}
            </Suspense>
        </main>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let available = Resource::new(|| (), |_| signup_available());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                available
                    .get()
                    .map(|r| match r {
                        Ok(true) => view! { <SignUpForm /> }.into_any(),
                        Ok(false) => view! { <SignUpClosed /> }.into_any(),
                        Err(e) => {
                            view! {
                                <main class="auth">
                                    <ErrorNotice error=e />
                                </main>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn SignUpClosed() -> impl IntoView {
    set_status(404);
    view! {
        <main class="auth">
            <h1>"Sign-up is not available"</h1>
            <p>
                "New people join an organization by invitation. \
                 Ask an administrator of your organization to invite you."
            </p>
            <p>
                <A href="/signin">"Sign in"</A>
            </p>
        </main>
    }
}

#[component]
fn SignUpForm() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <main class="auth">
            <h1>"Create your organization"</h1>
            <p class="aside">"You will be its first administrator."</p>
            <ActionForm action=action>
                <label for="org_name">"Organization name"</label>
                <input id="org_name" name="org_name" autocomplete="organization" required />
                {move || field_error(error(), "org_name")}
                <label for="name">"Your name"</label>
                <input id="name" name="name" autocomplete="name" required />
                {move || field_error(error(), "name")}
                <label for="email">"Email"</label>
                <input id="email" type="email" name="email" autocomplete="email" required />
                {move || field_error(error(), "email")}
                <label for="password">"Password"</label>
                <PasswordInput name="password" autocomplete="new-password" id="password" />
                <span class="hint">"At least 8 characters."</span>
                {move || field_error(error(), "password")}
                {move || form_error(error())}
                <button type="submit" disabled=move || action.pending().get()>
                    "Create organization"
                </button>
            </ActionForm>
            <p class="aside">
                "Already have an account? " <A href="/signin">"Sign in"</A>
            </p>
        </main>
    }
}
