//! One component per route.

use crate::i18n::use_i18n;
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
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, common.loading)}</p> }>
            {move || {
                target
                    .get()
                    .map(|r: Result<Option<String>, crate::error::AppError>| match r {
                        Ok(Some(path)) => view! { <Redirect path=path /> }.into_any(),
                        Ok(None) => {
                            view! {
                                <main class="narrow">
                                    <h1>{tr!(i18n, common.no_org_title)}</h1>
                                    <p>{tr!(i18n, common.no_org_text)}</p>
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
    let i18n = use_i18n();
    view! {
        <main class="narrow">
            <h1>{tr!(i18n, common.not_found_title)}</h1>
            <p>{tr!(i18n, common.not_found_text)}</p>
            <p>
                <A href="/">{tr!(i18n, common.go_to_org)}</A>
            </p>
        </main>
    }
}
