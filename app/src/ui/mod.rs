//! The console.

pub(crate) mod bindings;
pub(crate) mod components;
pub(crate) mod pages;

use leptos::prelude::*;
use leptos_meta::MetaTags;
use leptos_meta::Stylesheet;
use leptos_meta::Title;
use leptos_meta::provide_meta_context;
use leptos_router::SsrMode;
use leptos_router::components::Route;
use leptos_router::components::Router;
use leptos_router::components::Routes;
use leptos_router::path;

use crate::areas::accounts::pages::SignInPage;
use crate::areas::accounts::pages::SignUpConfirmPage;
use crate::areas::accounts::pages::SignUpPage;
use crate::areas::accounts::profile_page::ProfileView;
use crate::areas::groups::page::GroupsView;
use crate::areas::invitations::accept_page::InvitePage;
use crate::areas::invitations::page::InvitationsView;
use crate::areas::members::detail_page::MemberDetailView;
use crate::areas::members::page::MembersView;
use crate::areas::organizations::page::SettingsView;
use crate::areas::projects::page::ProjectsView;
use crate::areas::roles::page::RolesView;
use crate::areas::tokens::page::TokensView;
use crate::ui::pages::Home;
use crate::ui::pages::NotFound;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
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
    view! {
        <Stylesheet id="leptos" href="/pkg/gatehouse.css" />
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
                <Route path=path!("/o/:org/invitations") view=InvitationsView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/settings") view=SettingsView ssr=SsrMode::Async />
                <Route path=path!("/o/:org/tokens") view=TokensView ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async />
                <Route path=path!("/profile") view=ProfileView ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
