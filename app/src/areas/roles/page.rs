//! `/o/{org}/roles`: the built-in roles (read-only) and the organization's own.

use crate::{
    areas::{
        organizations::frame::{org_page, org_param, outcome},
        roles::{
            serverfns::{DeleteRole, RolesData, SaveRole, load_roles},
            types::CustomRole,
        },
    },
    core::ids::CustomRoleId,
    policy::{BuiltinRole, Permission, PermissionSet},
};
use leptos::prelude::*;

#[component]
pub fn RolesView() -> impl IntoView {
    let org = org_param();
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let o = org.clone();
    let data = Resource::new(
        move || (o(), save.version().get() + delete.version().get()),
        |(org, _)| load_roles(org),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(r, |d| d.frame.clone(), move |d| view! { <RolesBody d org=org() save delete /> }.into_any())
                    })
            }}
        </Suspense>
    }
}

fn permission_list(p: PermissionSet) -> String {
    p.iter()
        .map(Permission::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn RolesBody(
    d: RolesData,
    org: String,
    save: ServerAction<SaveRole>,
    delete: ServerAction<DeleteRole>,
) -> impl IntoView {
    let can_manage = d.frame.permissions.contains(Permission::RolesManage);
    let editing = RwSignal::new(None::<CustomRoleId>);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(PermissionSet::EMPTY);
    let start_edit = move |r: &CustomRole| {
        editing.set(Some(r.id));
        name.set(r.name.clone());
        description.set(r.description.clone());
        chosen.set(r.permissions);
    };
    let org_save = org.clone();
    let custom = d.roles.clone();
    view! {
        <h1>"Roles"</h1>
        <section class="card">
            <h2>"Built-in roles"</h2>
            <table class="plain">
                <tbody>
                    {BuiltinRole::ALL
                        .into_iter()
                        .rev()
                        .map(|b| view! {
                            <tr>
                                <th scope="row">{b.name()}</th>
                                <td>{permission_list(b.permissions())}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>"Custom roles"</h2>
            {custom.is_empty().then(|| view! { <p class="empty">"No custom roles yet."</p> })}
            <table class="plain">
                <tbody>
                    {custom
                        .into_iter()
                        .map(|r| {
                            let org = org.clone();
                            let id = r.id;
                            let for_edit = r.clone();
                            view! {
                                <tr data-testid="role-row">
                                    <th scope="row">{r.name.clone()}</th>
                                    <td>
                                        {permission_list(r.permissions)}
                                        <br />
                                        <span class="aside">{r.description.clone()}</span>
                                    </td>
                                    <td class="actions">
                                        {can_manage
                                            .then(|| {
                                                view! {
                                                    <button type="button" class="ghost" on:click=move |_| start_edit(&for_edit)>
                                                        "Edit"
                                                    </button>
                                                    <button
                                                        type="button"
                                                        class="ghost"
                                                        on:click=move |_| {
                                                            delete.dispatch(DeleteRole { org: org.clone(), id });
                                                        }
                                                    >
                                                        "Delete"
                                                    </button>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {outcome(delete.value(), "Deleted.")}
        </section>
        {can_manage
            .then(|| {
                view! {
                    <section class="card">
                        <h2>{move || if editing.get().is_some() { "Edit role" } else { "New role" }}</h2>
                        <label>
                            "Name"
                            <input prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            "Description"
                            <input
                                prop:value=move || description.get()
                                on:input=move |ev| description.set(event_target_value(&ev))
                            />
                        </label>
                        <fieldset class="permissions">
                            <legend>"Permissions"</legend>
                            {Permission::ALL
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <label class="check">
                                            <input
                                                type="checkbox"
                                                prop:checked=move || chosen.get().contains(p)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| {
                                                        let mut v: Vec<Permission> = c.iter().filter(|x| *x != p).collect();
                                                        if on {
                                                            v.push(p);
                                                        }
                                                        *c = v.into_iter().collect();
                                                    });
                                                }
                                            />
                                            {p.as_str()}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <button
                            type="button"
                            disabled=move || save.pending().get()
                            on:click=move |_| {
                                save.dispatch(SaveRole {
                                    org: org_save.clone(),
                                    id: editing.get(),
                                    name: name.get(),
                                    description: description.get(),
                                    permissions: chosen.get().iter().map(|p| p.as_str().to_string()).collect(),
                                });
                            }
                        >
                            {move || if editing.get().is_some() { "Save role" } else { "Create role" }}
                        </button>
                        {outcome(save.value(), "Saved.")}
                    </section>
                }
            })}
    }
}
