//! `/profile`: the signed-in person, and their own access tokens in every organization.

use crate::{
    areas::tokens::{
        serverfns::{ProfileData, load_profile},
        types::{OwnToken, TokenStatus},
    },
    core::time::utc_minute,
    error::AppError,
    ui::components::ErrorNotice,
};
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn ProfileView() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_profile());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading your profile…"</p> }>
            {move || {
                data.get()
                    .map(|r| match r {
                        Ok(d) => view! { <ProfileBody d /> }.into_any(),
                        Err(AppError::Unauthorized(_)) => view! { <Redirect path="/signin" /> }.into_any(),
                        Err(e) => view! {
                            <main class="narrow">
                                <ErrorNotice error=e />
                            </main>
                        }
                        .into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn ProfileBody(d: ProfileData) -> impl IntoView {
    let orgs = d.session.organizations.clone();
    let rows = d
        .tokens
        .into_iter()
        .map(|t| view! { <OwnTokenRow t /> })
        .collect_view();
    let empty = rows.is_empty();
    view! {
        <header class="topbar">
            <div class="brand">"Gatehouse"</div>
            <nav class="sections" aria-label="Organizations">
                {orgs
                    .into_iter()
                    .map(|o| view! { <a href=format!("/o/{}/members", o.slug)>{o.name}</a> })
                    .collect_view()}
            </nav>
            <div class="spacer"></div>
            <div class="user" data-testid="current-user" title=d.session.email.clone()>
                {d.session.name.clone()}
            </div>
        </header>
        <main class="page">
            <h1>"Profile"</h1>
            <p>
                <strong>{d.session.name.clone()}</strong>
                {format!(" · {}", d.session.email)}
            </p>
            <section class="card">
                <h2>"Your access tokens"</h2>
                <p class="hint">
                    "A user token acts for you in one organization. Create, regenerate and delete them on that organization's Tokens page."
                </p>
                {if empty {
                    view! { <p data-testid="no-tokens">"You have no access tokens."</p> }.into_any()
                } else {
                    view! {
                        <table class="members">
                            <thead>
                                <tr>
                                    <th>"Organization"</th>
                                    <th>"Name"</th>
                                    <th>"Role"</th>
                                    <th>"Created"</th>
                                    <th>"Expires"</th>
                                    <th>"Last used"</th>
                                    <th>"Status"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    }
                    .into_any()
                }}
            </section>
        </main>
    }
}

#[component]
fn OwnTokenRow(t: OwnToken) -> impl IntoView {
    let OwnToken { org, token } = t;
    let last_used = match (token.last_used_at, token.last_used_addr.clone()) {
        (Some(at), Some(addr)) => format!("{} from {addr}", utc_minute(at)),
        (Some(at), None) => utc_minute(at),
        (None, _) => "never".to_string(),
    };
    view! {
        <tr data-testid="own-token-row" class:struck=token.status == TokenStatus::OwnerRemoved>
            <td>
                <a href=format!("/o/{}/tokens", org.slug)>{org.name}</a>
            </td>
            <td>{token.name.clone()} <span class="hint">{format!(" …{}", token.last_four)}</span></td>
            <td>{token.role_name.clone()}</td>
            <td>{utc_minute(token.created_at)}</td>
            <td>{token.expires_at.map_or_else(|| "never".to_string(), utc_minute)}</td>
            <td>{last_used}</td>
            <td>{token.status.label()}</td>
        </tr>
    }
}
