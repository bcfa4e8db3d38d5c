//! One component per route.

use crate::{
    areas::accounts::serverfns::{current_session, signup_available},
    ui::components::set_status,
};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

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
