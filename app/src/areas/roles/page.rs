//! `/o/{org}/roles`: the built-in roles (read-only) and the organization's own.

use crate::i18n::{t_string, use_i18n};
use crate::{
    areas::{
        organizations::{
            frame::{announce, org_page, org_param, outcome},
            types::OrgFrame,
        },
        roles::{
            serverfns::{DeleteRole, RolesData, SaveRole, load_roles},
            types::CustomRole,
        },
    },
    core::ids::CustomRoleId,
    error::AppError,
    policy::{BuiltinRole, Permission, PermissionSet},
    ui::{
        bindings::builtin_role_name,
        components::{
            Confirm, DataTable, Dialog, EmptyState, ErrorNotice, close_on_success, open_while,
        },
    },
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
    // The heading, the dialogs and the built-in roles stay while the list reloads.
    let frame = Memo::new(move |_| data.get().map(|r| r.map(|d| d.frame)));
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{tr!(i18n, access.roles_loading)}</p> }>
            {move || {
                let org = org.clone();
                // Read untracked: the Transition waits for the data on the server, and the
                // page is not drawn anew when the data reloads.
                data.with_untracked(|_| ());
                frame
                    .get()
                    .map(move |r| {
                        org_page(r, Clone::clone, move |f| view! { <RolesBody f data org=org() save delete /> }.into_any())
                    })
            }}
        </Transition>
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
    f: OrgFrame,
    data: Resource<Result<RolesData, AppError>>,
    org: String,
    save: ServerAction<SaveRole>,
    delete: ServerAction<DeleteRole>,
) -> impl IntoView {
    let i18n = use_i18n();
    let can_manage = f.permissions.contains(Permission::RolesManage);
    let editing = RwSignal::new(None::<CustomRoleId>);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(PermissionSet::EMPTY);
    let form_open = RwSignal::new(false);
    let start_new = move || {
        editing.set(None);
        name.set(String::new());
        description.set(String::new());
        chosen.set(PermissionSet::EMPTY);
        form_open.set(true);
    };
    let start_edit = move |r: &CustomRole| {
        editing.set(Some(r.id));
        name.set(r.name.clone());
        description.set(r.description.clone());
        chosen.set(r.permissions);
        form_open.set(true);
    };
    let deleting = RwSignal::new(None::<(CustomRoleId, String)>);
    let delete_open = open_while(deleting);
    Effect::watch(
        move || delete.version().get(),
        move |_, _, _| delete_open.set(false),
        false,
    );
    close_on_success(save.value(), form_open);
    announce(save.value(), move || t_string!(i18n, access.roles_saved));
    let (org_save, org_delete) = (org.clone(), org);
    let deleting_name = move || deleting.get().map(|(_, n)| n).unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{tr!(i18n, access.roles_title)}</h1>
            {can_manage
                .then(|| {
                    view! {
                        <button type="button" on:click=move |_| start_new()>
                            {tr!(i18n, access.roles_new)}
                        </button>
                    }
                })}
        </div>
        <section class="card">
            <h2>{tr!(i18n, access.roles_builtin_heading)}</h2>
            <table class="plain">
                <caption class="visually-hidden">{tr!(i18n, access.roles_builtin_caption)}</caption>
                <tbody>
                    {BuiltinRole::ALL
                        .into_iter()
                        .rev()
                        .map(|b| view! {
                            <tr>
                                <th scope="row">{move || builtin_role_name(i18n, b)}</th>
                                <td>{permission_list(b.permissions())}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>{tr!(i18n, access.roles_custom_heading)}</h2>
            {move || {
                data.get()
                    .and_then(Result::ok)
                    .map(move |d| {
                        if d.roles.is_empty() {
                            return view! {
                                <EmptyState message=move || t_string!(i18n, access.roles_empty) />
                            }
                                .into_any();
                        }
                        view! {
                            <DataTable
                                caption=move || t_string!(i18n, access.roles_custom_heading)
                                caption_hidden=true
                                columns=move || {
                                    vec![
                                        t_string!(i18n, access.roles_col_role),
                                        t_string!(i18n, access.roles_col_permissions),
                                        t_string!(i18n, access.roles_col_actions),
                                    ]
                                }
                                class="plain"
                            >
                                {d.roles
                                    .into_iter()
                                    .map(|r| {
                                        let id = r.id;
                                        let for_edit = r.clone();
                                        let role_name = r.name.clone();
                                        view! {
                                            <tr data-testid="role-row">
                                                <th scope="row" data-label=move || t_string!(i18n, access.roles_col_role)>{r.name.clone()}</th>
                                                <td data-label=move || t_string!(i18n, access.roles_col_permissions)>
                                                    {permission_list(r.permissions)}
                                                    <br />
                                                    <span class="aside">{r.description.clone()}</span>
                                                </td>
                                                <td data-label=move || t_string!(i18n, access.roles_col_actions) class="actions">
                                                    {can_manage
                                                        .then(|| {
                                                            view! {
                                                                <button type="button" class="ghost" on:click=move |_| start_edit(&for_edit)>
                                                                    {tr!(i18n, access.roles_edit)}
                                                                </button>
                                                                <button
                                                                    type="button"
                                                                    class="ghost"
                                                                    on:click=move |_| deleting.set(Some((id, role_name.clone())))
                                                                >
                                                                    {tr!(i18n, access.roles_delete)}
                                                                </button>
                                                            }
                                                        })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </DataTable>
                        }
                            .into_any()
                    })
            }}
            {outcome(delete.value(), move || t_string!(i18n, access.roles_deleted))}
        </section>
        {can_manage
            .then(|| {
                view! {
                    <Confirm
                        open=delete_open
                        id="delete-role"
                        title=move || t_string!(i18n, access.roles_delete_title, name = deleting_name())
                        consequence=move || t_string!(i18n, access.roles_delete_consequence)
                        confirm=move || t_string!(i18n, access.roles_delete_confirm)
                        busy=delete.pending()
                        on_confirm=Callback::new(move |()| {
                            if let Some((id, _)) = deleting.get_untracked() {
                                delete.dispatch(DeleteRole { org: org_delete.clone(), id });
                            }
                        })
                    />
                    <Dialog
                        open=form_open
                        id="role-form"
                        title=move || {
                            if editing.get().is_some() {
                                t_string!(i18n, access.roles_edit_title)
                            } else {
                                t_string!(i18n, access.roles_new)
                            }
                        }
                    >
                        <form
                            class="invite"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                save.dispatch(SaveRole {
                                    org: org_save.clone(),
                                    id: editing.get(),
                                    name: name.get(),
                                    description: description.get(),
                                    permissions: chosen.get().iter().map(|p| p.as_str().to_string()).collect(),
                                });
                            }
                        >
                            <label>
                                {tr!(i18n, access.roles_name)}
                                <input required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                            <label>
                                {tr!(i18n, access.roles_description)}
                                <input
                                    prop:value=move || description.get()
                                    on:input=move |ev| description.set(event_target_value(&ev))
                                />
                            </label>
                            <fieldset class="permissions">
                                <legend>{tr!(i18n, access.roles_col_permissions)}</legend>
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
                            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
                            <div class="dialog-actions">
                                <button type="button" class="secondary" on:click=move |_| form_open.set(false)>
                                    {tr!(i18n, common.cancel)}
                                </button>
                                <button
                                    type="submit"
                                    disabled=move || save.pending().get()
                                    aria-busy=move || save.pending().get().then_some("true")
                                >
                                    {move || {
                                        if editing.get().is_some() {
                                            t_string!(i18n, access.roles_save)
                                        } else {
                                            t_string!(i18n, access.roles_create)
                                        }
                                    }}
                                </button>
                            </div>
                        </form>
                    </Dialog>
                }
            })}
    }
}
