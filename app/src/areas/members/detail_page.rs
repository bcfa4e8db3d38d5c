//! `/o/{org}/members/{user}`: one member's roles and groups, and what an administrator can do.

use crate::i18n::{t_string, use_i18n};
use crate::{
    areas::{
        members::{
            badges::RoleBadge,
            serverfns::{MemberDetail, RemoveMember, SetMemberActive, UpdateMember, load_member},
        },
        organizations::frame::{org_page, org_param, outcome},
    },
    core::{ids::UserId, kinds::MembershipStatus},
    error::AppError,
    policy::Permission,
    ui::{
        bindings::{BindingsEditor, role_choices},
        components::Confirm,
    },
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn MemberDetailView() -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let user = move || {
        params
            .read()
            .get("user")
            .and_then(|u| u.parse::<UserId>().ok())
    };
    let update = ServerAction::<UpdateMember>::new();
    let status = ServerAction::<SetMemberActive>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let org_for_load = org.clone();
    let i18n = use_i18n();
    let data = Resource::new(
        move || {
            (
                org_for_load(),
                user(),
                update.version().get() + status.version().get() + remove.version().get(),
            )
        },
        |(org, user, _)| async move {
            match user {
                Some(u) => load_member(org, u).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, members.loading_member)}</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <MemberBody d org=org() update status remove /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
    }
}

#[component]
fn MemberBody(
    d: MemberDetail,
    org: String,
    update: ServerAction<UpdateMember>,
    status: ServerAction<SetMemberActive>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let can_manage = d.frame.permissions.contains(Permission::MembersManage);
    let m = d.member.clone();
    let user = m.user_id;
    let archived = m.status == MembershipStatus::Archived;
    let bindings = RwSignal::new(m.own_bindings());
    let groups = RwSignal::new(m.group_ids());
    let owned: Vec<String> = d
        .projects
        .iter()
        .filter(|p| p.owner.id == user)
        .map(|p| p.name.clone())
        .collect();
    let new_owner = RwSignal::new(None::<UserId>);
    let i18n = use_i18n();
    let member_status = m.status;
    let status_label = move || match member_status {
        MembershipStatus::Active => t_string!(i18n, members.tab_active),
        MembershipStatus::Deactivated => t_string!(i18n, members.tab_deactivated),
        MembershipStatus::Archived => t_string!(i18n, members.tab_archived),
    };
    let members_href = format!("/o/{org}/members");
    let member_name = m.name.clone();
    let (o1, o2, o3, o4) = (org.clone(), org.clone(), org.clone(), org.clone());
    let manage = move || {
        let owned = owned.clone();
        let (o1, o2, o3, o4) = (o1.clone(), o2.clone(), o3.clone(), o4.clone());
        let roles = role_choices(&d.roles);
        let all_groups = d.groups.clone();
        let candidates: Vec<_> = d
            .owner_candidates
            .iter()
            .filter(|c| c.id != user)
            .cloned()
            .collect();
        let active = m.status == MembershipStatus::Active;
        let confirm_open = RwSignal::new(false);
        Effect::watch(
            move || remove.version().get(),
            move |_, _, _| confirm_open.set(false),
            false,
        );
        let owned_count = owned.len();
        let owner_names: Vec<(UserId, String)> =
            candidates.iter().map(|c| (c.id, c.name.clone())).collect();
        let name = member_name.clone();
        let name2 = member_name.clone();
        view! {
            <section class="card">
                <h2>{tr!(i18n, members.roles_and_groups)}</h2>
                <BindingsEditor bindings roles projects=d.projects.clone() />
                <fieldset class="groups">
                    <legend>{tr!(i18n, members.col_groups)}</legend>
                    {all_groups
                        .into_iter()
                        .map(|g| {
                            let id = g.id;
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || groups.get().contains(&id)
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            groups.update(|gs| {
                                                gs.retain(|x| *x != id);
                                                if on {
                                                    gs.push(id);
                                                }
                                            });
                                        }
                                    />
                                    {g.name}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button
                    type="button"
                    disabled=move || update.pending().get()
                    on:click=move |_| {
                        update.dispatch(UpdateMember {
                            org: o1.clone(),
                            user,
                            bindings: bindings.get(),
                            groups: groups.get(),
                        });
                    }
                >
                    {tr!(i18n, members.save_roles_and_groups)}
                </button>
                {outcome(update.value(), move || t_string!(i18n, members.saved))}
            </section>
            <section class="card">
                <h2>{tr!(i18n, members.access)}</h2>
                <p class="aside">
                    {move || {
                        if active {
                            t_string!(i18n, members.deactivate_hint)
                        } else {
                            t_string!(i18n, members.reactivate_hint)
                        }
                    }}
                </p>
                <button
                    type="button"
                    class="secondary"
                    disabled=move || status.pending().get()
                    on:click=move |_| {
                        status.dispatch(SetMemberActive {
                            org: o2.clone(),
                            user,
                            active: !active,
                        });
                    }
                >
                    {move || {
                        if active {
                            t_string!(i18n, members.deactivate)
                        } else {
                            t_string!(i18n, members.reactivate)
                        }
                    }}
                </button>
                {outcome(status.value(), move || t_string!(i18n, members.done))}
            </section>
            <section class="card danger">
                <h2>{tr!(i18n, members.remove_heading)}</h2>
                <p class="aside">{tr!(i18n, members.remove_hint)}</p>
                {(!owned.is_empty())
                    .then(|| {
                        view! {
                            <label>
                                {
                                    let projects = owned.join(", ");
                                    move || {
                                        t_string!(
                                            i18n,
                                            members.owns_projects,
                                            count = owned_count,
                                            projects = projects.clone()
                                        )
                                    }
                                }
                                <select
                                    aria-label=move || t_string!(i18n, members.new_owner)
                                    on:change=move |ev| new_owner.set(event_target_value(&ev).parse().ok())
                                >
                                    <option value="">{tr!(i18n, members.choose_member)}</option>
                                    {candidates
                                        .iter()
                                        .map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> })
                                        .collect_view()}
                                </select>
                            </label>
                        }
                    })}
                <button type="button" class="danger" on:click=move |_| confirm_open.set(true)>
                    {tr!(i18n, members.remove_member)}
                </button>
                <Confirm
                    open=confirm_open
                    id="remove-member"
                    title=move || t_string!(i18n, members.remove_title, name = name.clone())
                    consequence=move || {
                        let owner = new_owner
                            .get()
                            .and_then(|id| owner_names.iter().find(|(c, _)| *c == id).map(|(_, n)| n.clone()));
                        let name = name2.clone();
                        match (owned_count, owner) {
                            (0, _) => t_string!(i18n, members.remove_consequence, name),
                            (count, Some(owner)) => {
                                t_string!(i18n, members.remove_consequence_projects_to, name, count, owner)
                            }
                            (count, None) => {
                                t_string!(i18n, members.remove_consequence_choose_owner, name, count)
                            }
                        }
                    }
                    confirm=move || t_string!(i18n, members.remove_member)
                    busy=remove.pending()
                    on_confirm=Callback::new(move |()| {
                        remove.dispatch(RemoveMember {
                            org: o3.clone(),
                            user,
                            new_owner: new_owner.get_untracked(),
                            revoke_tokens: false,
                        });
                    })
                />
                {outcome(remove.value(), move || t_string!(i18n, members.removed))}
                {move || {
                    let has_tokens = matches!(
                        remove.value().get(),
                        Some(Err(AppError::Conflict { ref code, .. })) if code == "has_tokens"
                    );
                    let org = o4.clone();
                    has_tokens
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="danger"
                                    on:click=move |_| {
                                        remove.dispatch(RemoveMember {
                                            org: org.clone(),
                                            user,
                                            new_owner: new_owner.get(),
                                            revoke_tokens: true,
                                        });
                                    }
                                >
                                    {tr!(i18n, members.revoke_tokens_and_remove)}
                                </button>
                            }
                        })
                }}
            </section>
        }
        .into_any()
    };
    view! {
        <p>
            <A href=members_href>{tr!(i18n, members.back_to_members)}</A>
        </p>
        <h1 data-testid="member-name">{m.name.clone()}</h1>
        <p class="aside">
            {m.email.clone()} " · " <span data-testid="member-status">{status_label}</span>
            {move || format!(" · {} ", t_string!(i18n, members.user_id))} <code>{user.to_string()}</code>
        </p>
        <section class="card">
            <h2>{tr!(i18n, members.current_roles)}</h2>
            <p>
                {m.roles.clone().into_iter().map(|g| view! { <RoleBadge grant=g /> }).collect_view()}
                {m.roles.is_empty().then_some(tr!(i18n, members.no_roles))}
            </p>
            <p class="aside">
                {
                    let names = (!m.groups.is_empty())
                        .then(|| m.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>().join(", "));
                    move || {
                        let groups = names.clone().unwrap_or_else(|| t_string!(i18n, members.groups_none).to_string());
                        t_string!(i18n, members.groups_line, groups)
                    }
                }
            </p>
        </section>
        {archived
            .then(|| {
                view! {
                    <p class="notice">{tr!(i18n, members.removed_notice)}</p>
                }
            })}
        {(can_manage && !archived).then(manage)}
    }
    .into_any()
}
