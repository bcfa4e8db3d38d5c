//! `/o/{org}/members`.

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_params_map};

use crate::{
    api::members::load_members,
    error::AppError,
    model::MemberRow,
    ui::{
        components::{ErrorNotice, Header},
        format::utc_minute,
    },
};

#[component]
pub fn MembersView() -> impl IntoView {
    let params = use_params_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let data = Resource::new(org, load_members);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading members…"</p> }>
            {move || {
                data.get()
                    .map(|r| match r {
                        Ok(d) => {
                            let count = d.page.members.len();
                            view! {
                                <Header session=d.session org=d.page.org />
                                <main class="page">
                                    <h1>"Members"</h1>
                                    <p class="count">
                                        {format!("{count} active member{}", if count == 1 { "" } else { "s" })}
                                    </p>
                                    <MembersTable members=d.page.members />
                                </main>
                            }
                                .into_any()
                        }
                        Err(AppError::Unauthorized(_)) => view! { <Redirect path="/signin" /> }.into_any(),
                        Err(AppError::NotFound) => view! { <super::NotFound /> }.into_any(),
                        Err(e) => {
                            view! {
                                <main class="narrow">
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
fn MembersTable(members: Vec<MemberRow>) -> impl IntoView {
    if members.is_empty() {
        return view! { <p class="empty">"No active members."</p> }.into_any();
    }
    view! {
        <table class="members">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Roles"</th>
                    <th scope="col">"Last sign-in"</th>
                </tr>
            </thead>
            <tbody>
                {members
                    .into_iter()
                    .map(|m| {
                        view! {
                            <tr data-testid="member-row">
                                <td>{m.name}</td>
                                <td>{m.email}</td>
                                <td>
                                    {m
                                        .roles
                                        .into_iter()
                                        .map(|r| view! { <span class="badge">{r}</span> })
                                        .collect_view()}
                                </td>
                                <td>
                                    {m
                                        .last_sign_in_at
                                        .map(utc_minute)
                                        .unwrap_or_else(|| "never".into())}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
