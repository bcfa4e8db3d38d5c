use crate::i18n::{t, t_string, use_i18n};
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
pub fn Header(
    session: SessionView,
    org: OrgSummary,
    permissions: PermissionSet,
    /// The language chosen for this person here (their own, else the organization's).
    language: Option<crate::areas::accounts::types::Language>,
) -> impl IntoView {
    // Arriving in the browser (after signing in, or from another organization) in another
    // language than the one chosen here: switch to it. The server draws first pages in it
    // already.
    let i18n_here = crate::i18n::use_i18n();
    Effect::new(move |_| {
        if let Some(l) = language
            && i18n_here.get_locale_untracked() != l.locale()
        {
            i18n_here.set_locale(l.locale());
        }
    });
    let sign_out = ServerAction::<SignOut>::new();
    let create = ServerAction::<CreateOrganization>::new();
    let leave = ServerAction::<LeaveOrganization>::new();
    let others: Vec<OrgSummary> = session
        .organizations
        .iter()
        .filter(|o| o.id != org.id)
        .cloned()
        .collect();
    let i18n = use_i18n();
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
    let org_name = org.name.clone();
    // Only the sections the person may open (the server still decides).
    let nav = [
        (
            "members",
            tr!(i18n, common.nav_members).into_any(),
            Permission::MembersRead,
        ),
        (
            "invitations",
            tr!(i18n, common.nav_invitations).into_any(),
            Permission::MembersRead,
        ),
        (
            "roles",
            tr!(i18n, common.nav_roles).into_any(),
            Permission::OrgRead,
        ),
        (
            "groups",
            tr!(i18n, common.nav_groups).into_any(),
            Permission::OrgRead,
        ),
        (
            "projects",
            tr!(i18n, common.nav_projects).into_any(),
            Permission::OrgRead,
        ),
        (
            "tokens",
            tr!(i18n, common.nav_tokens).into_any(),
            Permission::OrgRead,
        ),
        (
            "settings",
            tr!(i18n, common.nav_settings).into_any(),
            Permission::OrgManage,
        ),
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
                {tr!(i18n, common.menu)}
            </button>
            <nav id="sections" class="sections" aria-label=move || t_string!(i18n, common.nav_label)>
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
                <summary>{tr!(i18n, common.organizations)}</summary>
                <div class="menu">
                    {others
                        .into_iter()
                        .map(|o| {
                            let org = o.name;
                            view! {
                                <A href=format!("/o/{}/members", o.slug) on:click=move |_| menu_open.set(false)>
                                    {t!(i18n, common.switch_to, org)}
                                </A>
                            }
                        })
                        .collect_view()}
                    <ActionForm action=create attr:class="menu-form">
                        <label>
                            {tr!(i18n, common.new_organization)}
                            <input name="name" required placeholder=move || t_string!(i18n, common.name_placeholder) />
                        </label>
                        <button type="submit" class="secondary">
                            {tr!(i18n, common.create)}
                        </button>
                    </ActionForm>
                    {move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
                    <button type="button" class="danger" on:click=move |_| leave_open.set(true)>
                        {t!(i18n, common.leave_org, org = org_name.clone())}
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
                title={
                    let org = org_name.clone();
                    move || t_string!(i18n, common.leave_title, org = org.clone()).to_string()
                }
                consequence={
                    let org = org_name.clone();
                    move || t_string!(i18n, common.leave_consequence, org = org.clone()).to_string()
                }
                confirm=move || t_string!(i18n, common.leave)
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
                    {tr!(i18n, common.sign_out)}
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
    let i18n = use_i18n();
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
                                    {tr!(i18n, common.hand_projects_to)}
                                    <select on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                        <option value="">{tr!(i18n, common.choose_member)}</option>
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
                                    {tr!(i18n, common.leave_and_hand_over)}
                                </button>
                            }
                                .into_any()
                        }
                        Ok(_) => view! { <p class="hint">{tr!(i18n, common.nobody_can_take_over)}</p> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
