//! The console.

pub(crate) mod bindings;
pub(crate) mod components;
pub(crate) mod pages;

use crate::core::language::Language;
use crate::i18n::{I18nContextProvider, Locale};
use crate::{
    areas::{
        accounts::{
            pages::{SignInPage, SignUpConfirmPage, SignUpPage},
            profile_page::ProfileView,
        },
        groups::page::GroupsView,
        invitations::{accept_page::InvitePage, page::InvitationsView},
        members::{detail_page::MemberDetailView, page::MembersView},
        organizations::page::SettingsView,
        projects::page::ProjectsView,
        roles::page::RolesView,
        tokens::page::TokensView,
    },
    ui::{
        components::{ToastRegion, provide_toasts},
        pages::{Home, NotFound},
    },
};
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                // With hashed file names (release builds), the names come from cargo-leptos's
                // hash file, read by both.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// CSP for HTML pages: scripts only from us or with this response's nonce (Leptos's inline
/// hydration script), WebAssembly compilation allowed, no framing.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::HeaderValue;
    use http::header::CONTENT_SECURITY_POLICY;
    use leptos::nonce::use_nonce;
    use leptos_axum::ResponseOptions;

    if let (Some(nonce), Some(res)) = (use_nonce(), use_context::<ResponseOptions>()) {
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            res.insert_header(CONTENT_SECURITY_POLICY, v);
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_toasts();
    view! {
        // The server reads the language cookie and never writes it (LanguageCookie does).
        <I18nContextProvider cookie_options=CookieOptions::default().readonly(true)>
        <Title text="Gatehouse" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home ssr=SsrMode::Async />
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                <Route path=path!("/signup/confirm/:token") view=SignUpConfirmPage ssr=SsrMode::Async />
                <Route path=path!("/o/:org/members") view=MembersView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/members/:user") view=MemberDetailView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/roles") view=RolesView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/groups") view=GroupsView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/projects") view=ProjectsView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/invitations") view=|| view! { <InvitationsView /> } ssr=SsrMode::Async />
                <Route path=path!("/o/:org/settings") view=SettingsView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/tokens") view=TokensView ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async />
                <Route path=path!("/profile") view=ProfileView ssr=SsrMode::Async />
            </Routes>
        </Router>
        <ToastRegion />
        <LanguageCookie />
        </I18nContextProvider>
    }
}

/// Remembers the page's language in the language cookie, so that the server draws the next
/// first page in it: whenever the language changes (the switcher on the sign-in page, the
/// profile, an organization's language), and on arrival when a cookie is there but says
/// otherwise (the server drew the page in the person's own language). The browser writes it,
/// for a year and the whole site, rather than the catalogue's cookie feature, which would bring
/// a cookie parser and a date library into the WebAssembly.
#[component]
fn LanguageCookie() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    Effect::watch(
        move || i18n.get_locale(),
        move |locale: &Locale, previous: Option<&Locale>, _| {
            let language = Language::from_locale(*locale);
            if previous.is_some() || stored_language().is_some_and(|stored| stored != language) {
                remember_language(language);
            }
        },
        true,
    );
}

#[cfg(feature = "hydrate")]
fn html_document() -> Option<web_sys::HtmlDocument> {
    use wasm_bindgen::JsCast;
    leptos::prelude::document().dyn_into().ok()
}

/// The language the cookie holds now, if any.
#[cfg(feature = "hydrate")]
fn stored_language() -> Option<Language> {
    let cookies = html_document()?.cookie().ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == crate::core::language::LANGUAGE_COOKIE).then(|| Language::parse(value))?
    })
}

#[cfg(feature = "hydrate")]
fn remember_language(language: Language) {
    if let Some(document) = html_document() {
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            crate::core::language::LANGUAGE_COOKIE,
            language.as_str()
        );
        // A browser refusing cookies keeps the language for this page only.
        let _ = document.set_cookie(&cookie);
    }
}

// Effects run only in the browser.
#[cfg(not(feature = "hydrate"))]
fn stored_language() -> Option<Language> {
    None
}

#[cfg(not(feature = "hydrate"))]
fn remember_language(_: Language) {}
