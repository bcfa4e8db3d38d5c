//! `/signin`, `/signup` and `/signup/confirm/{token}`.

use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::{
    areas::accounts::{
        serverfns::{ConfirmSignUp, SignIn, SignUp, load_signup_link, signup_available},
        signup_types::{SignUpAnswer, SignUpLink},
    },
    core::time::utc_minute,
    error::AppError,
    ui::components::{ErrorNotice, field_error, set_status},
};
use leptos::{children::ChildrenFn, form::ActionForm, prelude::*};
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
    let i18n = use_i18n();
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
                {move || {
                    if visible.get() {
                        t_string!(i18n, auth.hide_password)
                    } else {
                        t_string!(i18n, auth.show_password)
                    }
                }}
            </button>
        </div>
    }
}

/// The languages the console speaks, each named in its own language, for visitors who are not
/// signed in. The choice is kept in a cookie; it needs the app to be hydrated.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let choice = move |locale: Locale, name: AnyView| {
        view! {
            <button
                type="button"
                class="ghost"
                lang=locale.to_string()
                aria-current=move || (i18n.get_locale() == locale).then_some("true")
                on:click=move |_| i18n.set_locale(locale)
            >
                {name}
            </button>
        }
    };
    view! {
        <nav class="aside languages" aria-label=move || t_string!(i18n, common.language_label)>
            {choice(Locale::en, tr!(i18n, common.language_en).into_any())}
            " "
            {choice(Locale::de, tr!(i18n, common.language_de).into_any())}
            " "
            {choice(Locale::zh, tr!(i18n, common.language_zh).into_any())}
            " "
            {choice(Locale::ru, tr!(i18n, common.language_ru).into_any())}
        </nav>
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
    let i18n = use_i18n();
    view! {
        <main class="auth">
            <h1>{tr!(i18n, auth.sign_in_title)}</h1>
            <ActionForm action=action>
                <input type="hidden" name="next" value=next />
                <label for="email">{tr!(i18n, auth.email)}</label>
                <input id="email" type="email" name="email" autocomplete="username" required />
                {move || field_error(error(), "email")}
                <label for="password">{tr!(i18n, auth.password)}</label>
                <PasswordInput name="password" autocomplete="current-password" id="password" />
                {move || field_error(error(), "password")}
                {move || form_error(error())}
                <button type="submit" disabled=move || action.pending().get()>
                    {tr!(i18n, auth.sign_in)}
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
                                    <A href="/signup">{tr!(i18n, auth.create_an_organization)}</A>
                                </p>
                            }
                        })
                }}
            </Suspense>
            <LanguageSwitcher />
        </main>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let available = Resource::new(|| (), |_| signup_available());
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, common.loading)}</p> }>
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
    let i18n = use_i18n();
    view! {
        <main class="auth">
            <h1>{tr!(i18n, auth.sign_up_closed_title)}</h1>
            <p>{tr!(i18n, auth.sign_up_closed_text)}</p>
            <p>
                <A href="/signin">{tr!(i18n, auth.sign_in)}</A>
            </p>
            <LanguageSwitcher />
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
    let i18n = use_i18n();
    let retry = |children: ChildrenFn| view! { <A href="/signup">{children()}</A> };
    view! {
        <main class="auth" data-testid="signup-sent">
            <h1>{tr!(i18n, auth.check_email_title)}</h1>
            <p role="status">{message}</p>
            <p class="aside">{t!(i18n, auth.check_email_retry, <retry>)}</p>
        </main>
    }
}

#[component]
fn SignUpFields(
    action: ServerAction<SignUp>,
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = |children: ChildrenFn| view! { <A href="/signin">{children()}</A> };
    view! {
        <main class="auth">
            <h1>{tr!(i18n, auth.sign_up_title)}</h1>
            <p class="aside">{tr!(i18n, auth.sign_up_first_admin)}</p>
            <ActionForm action=action>
                <label for="org_name">{tr!(i18n, auth.org_name)}</label>
                <input id="org_name" name="org_name" autocomplete="organization" required />
                {move || field_error(error(), "org_name")}
                <label for="name">{tr!(i18n, auth.your_name)}</label>
                <input id="name" name="name" autocomplete="name" required />
                {move || field_error(error(), "name")}
                <label for="email">{tr!(i18n, auth.email)}</label>
                <input id="email" type="email" name="email" autocomplete="email" required />
                {move || field_error(error(), "email")}
                <label for="password">{tr!(i18n, auth.password)}</label>
                <PasswordInput name="password" autocomplete="new-password" id="password" />
                <span class="hint">{tr!(i18n, auth.password_hint)}</span>
                {move || field_error(error(), "password")}
                {move || form_error(error())}
                <button type="submit" disabled=move || action.pending().get()>
                    {tr!(i18n, auth.create_organization)}
                </button>
            </ActionForm>
            <p class="aside">{t!(i18n, auth.have_account, <sign_in>)}</p>
            <LanguageSwitcher />
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
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, auth.opening_link)}</p> }>
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
    title: impl IntoView + 'static,
    text: impl IntoView + 'static,
    next: (&'static str, AnyView),
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
    let i18n = use_i18n();
    let sign_in = move || ("/signin", tr!(i18n, auth.sign_in).into_any());
    let sign_up = move || ("/signup", tr!(i18n, auth.sign_up_again).into_any());
    match link {
        SignUpLink::Malformed => dead_end(
            400,
            tr!(i18n, auth.link_malformed_title),
            tr!(i18n, auth.link_malformed_text),
            sign_up(),
        ),
        SignUpLink::Unknown => dead_end(
            404,
            tr!(i18n, auth.link_unknown_title),
            tr!(i18n, auth.link_unknown_text),
            sign_up(),
        ),
        // The same sentences as `SignUpLink::closed_reason`, which the API sends.
        SignUpLink::Used => dead_end(
            410,
            tr!(i18n, auth.link_used_title),
            tr!(i18n, auth.link_used_text),
            sign_in(),
        ),
        SignUpLink::Expired => dead_end(
            410,
            tr!(i18n, auth.link_expired_title),
            tr!(i18n, auth.link_expired_text),
            sign_up(),
        ),
        SignUpLink::AccountExists { email } => dead_end(
            409,
            tr!(i18n, auth.account_exists_title),
            t!(i18n, auth.account_exists_text, email),
            sign_in(),
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
    let i18n = use_i18n();
    let action = ServerAction::<ConfirmSignUp>::new();
    let when = utc_minute(expires_at);
    view! {
        <h1>{t!(i18n, auth.confirm_title, org_name = org_name.clone())}</h1>
        <p>{t!(i18n, auth.confirm_text, email, org_name)}</p>
        <p class="hint">{t!(i18n, auth.link_expires, when)}</p>
        <ActionForm action=action>
            <input type="hidden" name="token" value=token />
            <button type="submit" disabled=move || action.pending().get()>
                {tr!(i18n, auth.confirm_button)}
            </button>
        </ActionForm>
        {move || action.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
    }
}
