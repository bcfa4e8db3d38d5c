//! `/o/{org}/groups`: groups, their members and their roles.

use crate::{
    areas::{
        groups::{
            serverfns::{
                CreateGroup, DeleteGroup, GroupsData, RemoveGroupMember, RenameGroup,
                SetGroupBindings, load_groups,
            },
            types::Group,
        },
        organizations::frame::{org_page, org_param, outcome},
    },
    policy::{Binding, Permission},
    ui::bindings::{BindingsEditor, role_choices},
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn GroupsView() -> impl IntoView {
    let org = org_param();
    let create = ServerAction::<CreateGroup>::new();
    let rename = ServerAction::<RenameGroup>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let remove_member = ServerAction::<RemoveGroupMember>::new();
    let bindings = ServerAction::<SetGroupBindings>::new();
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                create.version().get()
                    + rename.version().get()
                    + delete.version().get()
                    + remove_member.version().get()
                    + bindings.version().get(),
            )
        },
        |(org, _)| load_groups(org),
    );
    let actions = GroupActions {
        rename,
        delete,
        remove_member,
        bindings,
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <GroupsBody d org=org() create actions /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct GroupActions {
    rename: ServerAction<RenameGroup>,
    delete: ServerAction<DeleteGroup>,
    remove_member: ServerAction<RemoveGroupMember>,
    bindings: ServerAction<SetGroupBindings>,
}

#[component]
fn GroupsBody(
    d: GroupsData,
    org: String,
    create: ServerAction<CreateGroup>,
    actions: GroupActions,
) -> impl IntoView {
    let can_manage = d.frame.permissions.contains(Permission::GroupsManage);
    let roles = role_choices(&d.roles);
    let groups = d.groups.clone();
    let org_create = org.clone();
    view! {
        <h1>"Groups"</h1>
        <p class="aside">"Members of a group hold the group's roles. Add members to a group from their member page."</p>
        {can_manage
            .then(|| {
                view! {
                    <ActionForm action=create attr:class="inline-form">
                        <input type="hidden" name="org" value=org_create.clone() />
                        <label>
                            "New group"
                            <input name="name" required placeholder="Group name" />
                        </label>
                        <button type="submit">"Create group"</button>
                    </ActionForm>
                    {outcome(create.value(), "Group created.")}
                }
            })}
        {groups.is_empty().then(|| view! { <p class="empty">"No groups yet."</p> })}
        {groups
            .into_iter()
            .map(|g| view! { <GroupCard g org=org.clone() roles=roles.clone() projects=d.projects.clone() can_manage actions /> })
            .collect_view()}
        {outcome(actions.delete.value(), "Group deleted.")}
    }
}

#[component]
fn GroupCard(
    g: Group,
    org: String,
    roles: Vec<(crate::policy::RoleId, String)>,
    projects: Vec<crate::areas::projects::types::Project>,
    can_manage: bool,
    actions: GroupActions,
) -> impl IntoView {
    let id = g.id;
    let bindings = RwSignal::new(
        g.bindings
            .iter()
            .map(|b| Binding {
                role: b.role,
                project: b.project.as_ref().map(|p| p.id),
            })
            .collect::<Vec<_>>(),
    );
    let new_name = RwSignal::new(g.name.clone());
    let (o1, o2, o3, o4) = (org.clone(), org.clone(), org.clone(), org.clone());
    view! {
        <section class="card" data-testid="group-card">
            <h2>{g.name.clone()}</h2>
            <p>
                {g.bindings
                    .iter()
                    .map(|b| {
                        let label = match &b.project {
                            Some(p) => format!("{} · {}", b.role_name, p.name),
                            None => b.role_name.clone(),
                        };
                        view! { <span class="badge">{label}</span> }
                    })
                    .collect_view()}
            </p>
            <h3>{format!("Members ({})", g.members.len())}</h3>
            <ul class="plain">
                {g.members
                    .iter()
                    .map(|m| {
                        let user = m.id;
                        let o = o1.clone();
                        view! {
                            <li>
                                {m.name.clone()}
                                {can_manage
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="ghost"
                                                on:click=move |_| {
                                                    actions.remove_member.dispatch(RemoveGroupMember { org: o.clone(), id, user });
                                                }
                                            >
                                                "Remove"
                                            </button>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {can_manage
                .then(|| {
                    view! {
                        <h3>"Roles of this group"</h3>
                        <BindingsEditor bindings roles projects />
                        <button
                            type="button"
                            on:click=move |_| {
                                actions.bindings.dispatch(SetGroupBindings { org: o2.clone(), id, bindings: bindings.get() });
                            }
                        >
                            "Save group roles"
                        </button>
                        {outcome(actions.bindings.value(), "Saved.")}
                        <div class="inline-form">
                            <label>
                                "Name"
                                <input prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                            </label>
                            <button
                                type="button"
                                class="secondary"
                                on:click=move |_| {
                                    actions.rename.dispatch(RenameGroup { org: o3.clone(), id, name: new_name.get() });
                                }
                            >
                                "Rename"
                            </button>
                            <button
                                type="button"
                                class="danger"
                                on:click=move |_| {
                                    actions.delete.dispatch(DeleteGroup { org: o4.clone(), id });
                                }
                            >
                                "Delete group"
                            </button>
                        </div>
                    }
                })}
        </section>
    }
}
