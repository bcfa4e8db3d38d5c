use crate::{
    areas::{
        accounts::{
            serverfns::SignOut,
            types::{OrgSummary, SessionView},
        },
        organizations::serverfns::{CreateOrganization, LeaveOrganization, leave_candidates},
    },
    core::ids::UserId,
    error::AppError,
    policy::{Permission, PermissionSet},
    ui::components::{Confirm, ErrorNotice},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

/// The console header: organization, navigation, the organizations one can switch to (and
/// found or leave), who is signed in, and sign-out.
#[component]
pub fn Header(session: SessionView, org: OrgSummary, permissions: PermissionSet) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let create = ServerAction::<CreateOrganization>::new();
    let leave = ServerAction::<LeaveOrganization>::new();
    let others: Vec<OrgSummary> = session
        .organizations
        .iter()
        .filter(|o| o.id != org.id)
        .cloned()
        .collect();
    // Closed again when a choice in it navigates (the header outlives client-side navigation).
    let menu_open = RwSignal::new(false);
    // Below 800 px the sections fold behind a Menu button (style/main.css).
    let nav_open = RwSignal::new(false);
    let leave_open = RwSignal::new(false);
    Effect::watch(
        move || leave.version().get(),
        move |_, _, _| leave_open.set(false),
        false,
    );
    let base = format!("/o/{}", org.slug);
    let slug = org.slug.clone();
    let org_slug = org.slug.clone();
    // Only the sections the person may open (the server still decides).
    let nav = [
        ("members", "Members", Permission::MembersRead),
        ("invitations", "Invitations", Permission::MembersRead),
        ("roles", "Roles", Permission::OrgRead),
        ("groups", "Groups", Permission::OrgRead),
        ("projects", "Projects", Permission::OrgRead),
        ("tokens", "Tokens", Permission::OrgRead),
        ("settings", "Settings", Permission::OrgManage),
    ];
    view! {
        <header class="topbar" class:open=move || nav_open.get()>
            <div class="brand">"Gatehouse"</div>
            <div class="org" data-testid="org-name">{org.name.clone()}</div>
            <button
                type="button"
                class="secondary nav-toggle"
                aria-controls="sections"
                aria-expanded=move || if nav_open.get() { "true" } else { "false" }
                on:click=move |_| nav_open.update(|o| *o = !*o)
            >
                "Menu"
            </button>
            <nav id="sections" class="sections" aria-label="Organization">
                {nav
                    .into_iter()
                    .filter(|(_, _, needs)| permissions.contains(*needs))
                    .map(|(path, label, _)| {
                        view! {
                            <A href=format!("{base}/{path}") on:click=move |_| nav_open.set(false)>
                                {label}
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
            <div class="spacer"></div>
            <details class="org-menu" prop:open=move || menu_open.get()>
                <summary>"Organizations"</summary>
                <div class="menu">
                    {others
                        .into_iter()
                        .map(|o| {
                            view! {
                                <A href=format!("/o/{}/members", o.slug) on:click=move |_| menu_open.set(false)>
                                    {format!("Switch to {}", o.name)}
                                </A>
                            }
                        })
                        .collect_view()}
                    <ActionForm action=create attr:class="menu-form">
                        <label>
                            "New organization"
                            <input name="name" required placeholder="Name" />
                        </label>
                        <button type="submit" class="secondary">
                            "Create"
                        </button>
                    </ActionForm>
                    {move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
                    <button type="button" class="danger" on:click=move |_| leave_open.set(true)>
                        {format!("Leave {}", org.name)}
                    </button>
                    {move || leave.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
                    {move || {
                        let owns_projects = matches!(
                            leave.value().get(),
                            Some(Err(AppError::Conflict { ref code, .. })) if code == "owns_projects"
                        );
                        owns_projects.then(|| view! { <LeaveWithProjects org=org_slug.clone() leave /> })
                    }}
                </div>
            </details>
            <Confirm
                open=leave_open
                id="leave-org"
                title=format!("Leave {}?", org.name)
                consequence=format!(
                    "You lose access to {} at once, and so do your tokens there. To come back, an Admin has to invite you again.",
                    org.name,
                )
                confirm="Leave"
                busy=leave.pending()
                on_confirm=Callback::new(move |()| {
                    leave.dispatch(LeaveOrganization { org: slug.clone(), new_owner: None });
                })
            />
            <div class="user" data-testid="current-user" title=session.email.clone()>
                <a href="/profile">{session.name.clone()}</a>
            </div>
            <ActionForm action=sign_out attr:class="inline">
                <button type="submit" class="secondary">
                    "Sign out"
                </button>
            </ActionForm>
        </header>
    }
}

/// Leaving while owning projects: pick who takes them over, then leave.
#[component]
fn LeaveWithProjects(org: String, leave: ServerAction<LeaveOrganization>) -> impl IntoView {
    let o = org.clone();
    let candidates = Resource::new(move || o.clone(), leave_candidates);
    let chosen = RwSignal::new(None::<UserId>);
    view! {
        <Suspense>
            {move || {
                let org = org.clone();
                candidates
                    .get()
                    .map(move |r| match r {
                        Ok(list) if !list.is_empty() => {
                            view! {
                                <label>
                                    "Hand my projects to"
                                    <select on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                        <option value="">"Choose a member"</option>
                                        {list
                                            .into_iter()
                                            .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> })
                                            .collect_view()}
                                    </select>
                                </label>
                                <button
                                    type="button"
                                    class="danger"
                                    disabled=move || chosen.get().is_none()
                                    on:click=move |_| {
                                        leave.dispatch(LeaveOrganization { org: org.clone(), new_owner: chosen.get() });
                                    }
                                >
                                    "Leave and hand them over"
                                </button>
                            }
                                .into_any()
                        }
                        Ok(_) => view! { <p class="hint">"Nobody else can take them over yet."</p> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
