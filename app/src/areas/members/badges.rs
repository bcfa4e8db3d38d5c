//! A member's roles as badges: each role once with where it comes from (directly, through
//! groups), built-in roles named in the page's language.

use crate::{
    areas::members::types::RoleGrant,
    core::ids::NamedRef,
    i18n::{t_string, use_i18n},
};
use leptos::prelude::*;

/// A role once, however many ways it is held: "Viewer", "Viewer via Finance" when only a group
/// gives it, "Viewer +Finance" when it is also given directly; the hover text says it in full.
#[component]
pub fn HeldBadge(held: crate::areas::members::types::HeldRole) -> impl IntoView {
    let i18n = use_i18n();
    let (role, name, project) = (held.role, held.role_name.clone(), held.project.clone());
    let label = move || badge_label(i18n, role, &name, project.as_ref());
    let groups = held.via_groups.join(", ");
    let (direct, no_groups) = (held.direct, held.via_groups.is_empty());
    let title = {
        let groups = groups.clone();
        move || match (direct, no_groups) {
            (true, true) => t_string!(i18n, members.given_directly).to_string(),
            (true, false) => {
                t_string!(
                    i18n,
                    members.given_directly_and_through,
                    groups = groups.clone()
                )
            }
            (false, _) => t_string!(i18n, members.inherited_through, groups = groups.clone()),
        }
    };
    match (direct, no_groups) {
        (true, true) => view! {
            <span class="badge" title=title>
                {label}
            </span>
        }
        .into_any(),
        (true, false) => view! {
            <span class="badge" title=title>
                {label}
                <span class="via">{format!(" +{groups}")}</span>
            </span>
        }
        .into_any(),
        (false, _) => view! {
            <span class="badge inherited" title=title>
                {label}
                <span class="via">
                    {move || format!(" {}", t_string!(i18n, members.via, groups = groups.clone()))}
                </span>
            </span>
        }
        .into_any(),
    }
}

/// A role's name in the page's language (built-in ones translated), with its project:
/// "Betrachter · Apollo".
fn badge_label(
    i18n: leptos_i18n::I18nContext<crate::i18n::Locale>,
    role: crate::policy::RoleId,
    name: &str,
    project: Option<&NamedRef<crate::core::ids::ProjectId>>,
) -> String {
    let name = crate::ui::bindings::role_name(i18n, role, name);
    match project {
        Some(p) => format!("{name} · {}", p.name),
        None => name,
    }
}

/// A role, with its project when bound to one, and the group it comes through when inherited.
#[component]
pub fn RoleBadge(grant: RoleGrant) -> impl IntoView {
    let i18n = use_i18n();
    let (role, name, project) = (grant.role, grant.role_name.clone(), grant.project.clone());
    let label = move || badge_label(i18n, role, &name, project.as_ref());
    match grant.via_group {
        Some(g) => {
            let group = g.name;
            let groups = group.clone();
            let title =
                move || t_string!(i18n, members.inherited_through_group, group = group.clone());
            view! {
                <span class="badge inherited" title=title>
                    {label}
                    <span class="via">
                        {move || format!(" {}", t_string!(i18n, members.via, groups = groups.clone()))}
                    </span>
                </span>
            }
            .into_any()
        }
        None => view! { <span class="badge">{label}</span> }.into_any(),
    }
}
