//! `/signin`, `/signup` and `/signup/confirm/{token}`.

use crate::{
    areas::accounts::{
        serverfns::{ConfirmSignUp, SignIn, SignUp, load_signup_link, signup_available},
        signup_types::{SignUpAnswer, SignUpLink},
    },
    core::time::utc_minute,
    error::AppError,
    ui::components::{ErrorNotice, field_error, set_status},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

/// A password input with a show/hide toggle (the toggle needs the app to be hydrated).
#[component]
pub(crate) fn PasswordInput(
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
    let sent = move || match action.value().get() {
        Some(Ok(SignUpAnswer::CheckEmail { message })) => Some(message),
        _ => None,
    };
    view! {
        <Show when=move || sent().is_none() fallback=move || view! { <CheckEmail message=sent().unwrap_or_default() /> }>
            <SignUpFields action error />
        </Show>
    }
}

/// Open sign-up sent its message: what to do next.
#[component]
fn CheckEmail(message: String) -> impl IntoView {
    view! {
        <main class="auth" data-testid="signup-sent">
            <h1>"Check your email"</h1>
            <p role="status">{message}</p>
            <p class="aside">
                "Nothing arrived? Check the spam folder and the address, then " <A href="/signup">"try again"</A> "."
            </p>
        </main>
    }
}

#[component]
fn SignUpFields(
    action: ServerAction<SignUp>,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
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

/// `/signup/confirm/{token}`: the link from a sign-up email. Opening it changes nothing (mail
/// scanners open links); the button creates the organization.
#[component]
pub fn SignUpConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, load_signup_link);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Opening the link…"</p> }>
            {move || {
                link.get()
                    .map(|r| {
                        let body = match r {
                            Ok(l) => view! { <ConfirmState link=l token=token() /> }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                        };
                        view! { <main class="auth" data-testid="signup-confirm-page">{body}</main> }
                    })
            }}
        </Suspense>
    }
}

/// A dead end: why the link does not work and what to do.
fn dead_end(
    status: u16,
    title: &'static str,
    text: String,
    next: (&'static str, &'static str),
) -> AnyView {
    set_status(status);
    view! {
        <h1>{title}</h1>
        <p>{text}</p>
        <p>
            <A href=next.0>{next.1}</A>
        </p>
    }
    .into_any()
}

#[component]
fn ConfirmState(link: SignUpLink, token: String) -> impl IntoView {
    const SIGN_IN: (&str, &str) = ("/signin", "Sign in");
    const SIGN_UP: (&str, &str) = ("/signup", "Sign up again");
    match link {
        SignUpLink::Malformed => dead_end(
            400,
            "This sign-up link is incomplete",
            "The link is cut off or mistyped. Open it again from the email, copying the whole \
             address."
                .into(),
            SIGN_UP,
        ),
        SignUpLink::Unknown => dead_end(
            404,
            "This sign-up link does not work",
            "There is no sign-up with this link. If you signed up more than once, use the newest \
             email; otherwise sign up again."
                .into(),
            SIGN_UP,
        ),
        SignUpLink::Used => dead_end(
            410,
            "This sign-up link has already been used",
            SignUpLink::closed_reason(true).1.into(),
            SIGN_IN,
        ),
        SignUpLink::Expired => dead_end(
            410,
            "This sign-up link has expired",
            SignUpLink::closed_reason(false).1.into(),
            SIGN_UP,
        ),
        SignUpLink::AccountExists { email } => dead_end(
            409,
            "This address already has an account",
            format!(
                "{email} has a Gatehouse account now, so this link creates nothing. Sign in; \
                 then create the organization with New organization in the Organizations menu."
            ),
            SIGN_IN,
        ),
        SignUpLink::Open {
            org_name,
            email,
            expires_at,
        } => view! { <ConfirmForm token org_name email expires_at /> }.into_any(),
    }
}

#[component]
fn ConfirmForm(token: String, org_name: String, email: String, expires_at: i64) -> impl IntoView {
    let action = ServerAction::<ConfirmSignUp>::new();
    view! {
        <h1>{format!("Create {org_name}")}</h1>
        <p>{format!("Confirm that {email} is yours to create the organization {org_name}, with you as its administrator.")}</p>
        <p class="hint">{format!("The link expires on {}.", utc_minute(expires_at))}</p>
        <ActionForm action=action>
            <input type="hidden" name="token" value=token />
            <button type="submit" disabled=move || action.pending().get()>
                "Confirm and create organization"
            </button>
        </ActionForm>
        {move || action.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
    }
}
