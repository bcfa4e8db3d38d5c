//! `/o/{org}/groups`: groups, their members and their roles.

use crate::i18n::{t_string, use_i18n};
use crate::{
    areas::{
        groups::{
            serverfns::{
                CreateGroup, DeleteGroup, GroupsData, RemoveGroupMember, RenameGroup,
                SetGroupBindings, load_groups,
            },
            types::Group,
        },
        organizations::{
            frame::{announce, org_page, org_param, outcome},
            types::OrgFrame,
        },
    },
    core::ids::GroupId,
    error::AppError,
    policy::{Binding, Permission},
    ui::{
        bindings::{BindingsEditor, role_choices, role_name},
        components::{
            Confirm, Dialog, DialogActions, EmptyState, ErrorNotice, close_on_success, open_while,
        },
    },
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
        create_open: RwSignal::new(false),
        deleting: RwSignal::new(None),
    };
    // The heading, its button and the dialogs stay while the groups reload after each change.
    let frame = Memo::new(move |_| data.get().map(|r| r.map(|d| d.frame)));
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{tr!(i18n, access.groups_loading)}</p> }>
            {move || {
                let org = org.clone();
                // Read untracked: the Transition waits for the data on the server, and the
                // page is not drawn anew when the data reloads.
                data.with_untracked(|_| ());
                frame
                    .get()
                    .map(move |r| {
                        org_page(
                            r,
                            Clone::clone,
                            move |f| view! { <GroupsBody f data org=org() create actions /> }.into_any(),
                        )
                    })
            }}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct GroupActions {
    rename: ServerAction<RenameGroup>,
    delete: ServerAction<DeleteGroup>,
    remove_member: ServerAction<RemoveGroupMember>,
    bindings: ServerAction<SetGroupBindings>,
    create_open: RwSignal<bool>,
    /// The group about to be deleted (its confirmation is open while set).
    deleting: RwSignal<Option<(GroupId, String)>>,
}

#[component]
fn GroupsBody(
    f: OrgFrame,
    data: Resource<Result<GroupsData, AppError>>,
    org: String,
    create: ServerAction<CreateGroup>,
    actions: GroupActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let can_manage = f.permissions.contains(Permission::GroupsManage);
    let (org_create, org_delete) = (org.clone(), org.clone());
    let deleting = actions.deleting;
    let delete_open = open_while(deleting);
    Effect::watch(
        move || actions.delete.version().get(),
        move |_, _, _| delete_open.set(false),
        false,
    );
    close_on_success(create.value(), actions.create_open);
    announce(create.value(), move || {
        t_string!(i18n, access.groups_created)
    });
    let deleting_name = move || deleting.get().map(|(_, n)| n).unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{tr!(i18n, access.groups_title)}</h1>
            {can_manage
                .then(|| {
                    view! {
                        <button type="button" on:click=move |_| actions.create_open.set(true)>
                            {tr!(i18n, access.groups_new)}
                        </button>
                    }
                })}
        </div>
        <p class="aside">{tr!(i18n, access.groups_intro)}</p>
        {can_manage
            .then(|| {
                view! {
                    <Dialog
                        open=actions.create_open
                        id="create-group"
                        title=move || t_string!(i18n, access.groups_new_title)
                    >
                        <ActionForm action=create attr:class="invite">
                            <input type="hidden" name="org" value=org_create.clone() />
                            <label>
                                {tr!(i18n, access.groups_name_label)}
                                <input name="name" required />
                            </label>
                            {move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
                            <DialogActions
                                open=actions.create_open
                                submit=move || t_string!(i18n, access.groups_create)
                                busy=create.pending()
                            />
                        </ActionForm>
                    </Dialog>
                    <Confirm
                        open=delete_open
                        id="delete-group"
                        title=move || t_string!(i18n, access.groups_delete_title, name = deleting_name())
                        consequence=move || t_string!(i18n, access.groups_delete_consequence)
                        confirm=move || t_string!(i18n, access.groups_delete)
                        busy=actions.delete.pending()
                        on_confirm=Callback::new(move |()| {
                            if let Some((id, _)) = deleting.get_untracked() {
                                actions.delete.dispatch(DeleteGroup { org: org_delete.clone(), id });
                            }
                        })
                    />
                }
            })}
        {move || {
            let org = org.clone();
            data.get()
                .and_then(Result::ok)
                .map(move |d| {
                    let roles = role_choices(&d.roles);
                    if d.groups.is_empty() {
                        return view! { <EmptyState message=move || t_string!(i18n, access.groups_empty) /> }
                            .into_any();
                    }
                    d.groups
                        .into_iter()
                        .map(|g| view! { <GroupCard g org=org.clone() roles=roles.clone() projects=d.projects.clone() can_manage actions /> })
                        .collect_view()
                        .into_any()
                })
        }}
        {outcome(actions.bindings.value(), move || t_string!(i18n, access.groups_saved))}
        {outcome(actions.rename.value(), move || t_string!(i18n, access.groups_renamed))}
        {outcome(actions.delete.value(), move || t_string!(i18n, access.groups_deleted))}
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
    let i18n = use_i18n();
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
    let (o1, o2, o3) = (org.clone(), org.clone(), org.clone());
    let group_name = g.name.clone();
    let members_count = g.members.len();
    view! {
        <section class="card" data-testid="group-card">
            <h2>{g.name.clone()}</h2>
            <p>
                {g.bindings
                    .iter()
                    .map(|b| {
                        let (role, role_label, project) = (
                            b.role,
                            b.role_name.clone(),
                            b.project.as_ref().map(|p| p.name.clone()),
                        );
                        let label = move || {
                            let role = role_name(i18n, role, &role_label);
                            match &project {
                                Some(p) => format!("{role} · {p}"),
                                None => role,
                            }
                        };
                        view! { <span class="badge">{label}</span> }
                    })
                    .collect_view()}
            </p>
            <h3>{move || t_string!(i18n, access.groups_members_heading, count = members_count)}</h3>
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
                                                {tr!(i18n, access.groups_remove_member)}
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
                        <h3>{tr!(i18n, access.groups_roles_heading)}</h3>
                        <BindingsEditor bindings roles projects />
                        <button
                            type="button"
                            on:click=move |_| {
                                actions.bindings.dispatch(SetGroupBindings { org: o2.clone(), id, bindings: bindings.get() });
                            }
                        >
                            {tr!(i18n, access.groups_save_roles)}
                        </button>
                        <div class="inline-form">
                            <label>
                                {tr!(i18n, access.groups_rename_label)}
                                <input prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                            </label>
                            <button
                                type="button"
                                class="secondary"
                                on:click=move |_| {
                                    actions.rename.dispatch(RenameGroup { org: o3.clone(), id, name: new_name.get() });
                                }
                            >
                                {tr!(i18n, access.groups_rename)}
                            </button>
                            <button
                                type="button"
                                class="danger"
                                on:click=move |_| actions.deleting.set(Some((id, group_name.clone())))
                            >
                                {tr!(i18n, access.groups_delete)}
                            </button>
                        </div>
                    }
                })}
        </section>
    }
}
