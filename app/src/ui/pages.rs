//! One component per route.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::components::Redirect;

pub use crate::areas::accounts::pages::SignInPage;
pub use crate::areas::accounts::pages::SignUpConfirmPage;
pub use crate::areas::accounts::pages::SignUpPage;
pub use crate::areas::accounts::profile_page::ProfileView;
use crate::areas::accounts::serverfns::current_session;
use crate::areas::accounts::serverfns::signup_available;
pub use crate::areas::groups::page::GroupsView;
pub use crate::areas::invitations::accept_page::InvitePage;
pub use crate::areas::invitations::page::InvitationsView;
pub use crate::areas::members::detail_page::MemberDetailView;
pub use crate::areas::members::page::MembersView;
pub use crate::areas::organizations::page::SettingsView;
pub use crate::areas::projects::page::ProjectsView;
pub use crate::areas::roles::page::RolesView;
pub use crate::areas::tokens::page::TokensView;
use crate::ui::components::set_status;

/// `/`: the current organization, or sign-in (or sign-up on first run).
#[component]
pub fn Home() -> impl IntoView {
    let target = Resource::new(
        || (),
        |_| async move {
            match current_session().await? {
                Some(s) => Ok(s
                    .organizations
                    .first()
                    .map(|o| format!("/o/{}/members", o.slug))),
                None if signup_available().await? => Ok(Some("/signup".to_string())),
                None => Ok(Some("/signin".to_string())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                target
                    .get()
                    .map(|r: Result<Option<String>, crate::error::AppError>| match r {
                        Ok(Some(path)) => view! { <Redirect path=path /> }.into_any(),
                        Ok(None) => {
                            view! {
                                <main class="narrow">
                                    <h1>"No organization yet"</h1>
                                    <p>
                                        "You are not an active member of any organization. \
                                         Ask an administrator for an invitation."
                                    </p>
                                </main>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <main class="narrow">
                                    <crate::ui::components::ErrorNotice error=e />
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
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <main class="narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p>
                <A href="/">"Go to your organization"</A>
            </p>
        </main>
    }
}
