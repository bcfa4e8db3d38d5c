//! `/o/{org}/projects`: projects and their owners; created in a dialog, deleted after a
//! confirmation.

use crate::i18n::{t_string, use_i18n};
use crate::{
    areas::{
        organizations::{
            frame::{announce, org_page, org_param, outcome},
            types::OrgFrame,
        },
        projects::serverfns::{
            ChangeProjectOwner, CreateProject, DeleteProject, ProjectsData, RenameProject,
            load_projects,
        },
    },
    core::ids::ProjectId,
    error::AppError,
    policy::Permission,
    ui::components::{
        Cell, Confirm, DataTable, Dialog, DialogActions, EmptyState, close_on_success, open_while,
    },
};
use leptos::{form::ActionForm, prelude::*};

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateProject>,
    rename: ServerAction<RenameProject>,
    delete: ServerAction<DeleteProject>,
    owner: ServerAction<ChangeProjectOwner>,
    create_open: RwSignal<bool>,
    /// The project about to be deleted (its confirmation is open while set).
    deleting: RwSignal<Option<(ProjectId, String)>>,
}

#[component]
pub fn ProjectsView() -> impl IntoView {
    let org = org_param();
    let a = Actions {
        create: ServerAction::<CreateProject>::new(),
        rename: ServerAction::<RenameProject>::new(),
        delete: ServerAction::<DeleteProject>::new(),
        owner: ServerAction::<ChangeProjectOwner>::new(),
        create_open: RwSignal::new(false),
        deleting: RwSignal::new(None),
    };
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                a.create.version().get()
                    + a.rename.version().get()
                    + a.delete.version().get()
                    + a.owner.version().get(),
            )
        },
        |(org, _)| load_projects(org),
    );
    // The heading, its button and the dialogs stay while the list reloads after each change.
    let frame = Memo::new(move |_| data.get().map(|r| r.map(|d| d.frame)));
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{tr!(i18n, access.projects_loading)}</p> }>
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
                            move |f| view! { <ProjectsBody f data org=org() a /> }.into_any(),
                        )
                    })
            }}
        </Transition>
    }
}

#[component]
fn ProjectsBody(
    f: OrgFrame,
    data: Resource<Result<ProjectsData, AppError>>,
    org: String,
    a: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let can_manage = f.permissions.contains(Permission::OrgManage);
    let (rename, owner, deleting) = (a.rename, a.owner, a.deleting);
    let org_create = org.clone();
    let org_delete = org.clone();
    let delete_open = open_while(deleting);
    Effect::watch(
        move || a.delete.version().get(),
        move |_, _, _| delete_open.set(false),
        false,
    );
    close_on_success(a.create.value(), a.create_open);
    announce(a.create.value(), move || {
        t_string!(i18n, access.projects_created)
    });
    let deleting_name = move || deleting.get().map(|(_, n)| n).unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{tr!(i18n, access.projects_title)}</h1>
            {can_manage
                .then(|| {
                    view! {
                        <button type="button" on:click=move |_| a.create_open.set(true)>
                            {tr!(i18n, access.projects_new)}
                        </button>
                    }
                })}
        </div>
        {can_manage
            .then(|| {
                view! {
                    <Dialog open=a.create_open id="create-project" title=move || t_string!(i18n, access.projects_new)>
                        <ActionForm action=a.create attr:class="invite">
                            <input type="hidden" name="org" value=org_create.clone() />
                            <label>
                                {tr!(i18n, access.projects_name_label)}
                                <input name="name" required />
                            </label>
                            {move || a.create.value().get().and_then(Result::err).map(|e| view! { <crate::ui::components::ErrorNotice error=e /> })}
                            <DialogActions
                                open=a.create_open
                                submit=move || t_string!(i18n, access.projects_create)
                                busy=a.create.pending()
                            />
                        </ActionForm>
                    </Dialog>
                    <Confirm
                        open=delete_open
                        id="delete-project"
                        title=move || t_string!(i18n, access.projects_delete_title, name = deleting_name())
                        consequence=move || t_string!(i18n, access.projects_delete_consequence)
                        confirm=move || t_string!(i18n, access.projects_delete_confirm)
                        busy=a.delete.pending()
                        on_confirm=Callback::new(move |()| {
                            if let Some((id, _)) = deleting.get_untracked() {
                                a.delete.dispatch(DeleteProject { org: org_delete.clone(), id });
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
                    if d.projects.is_empty() {
                        return view! {
                            <EmptyState message=move || t_string!(i18n, access.projects_empty) />
                        }
                            .into_any();
                    }
                    view! {
                        <DataTable
                            caption=move || t_string!(i18n, access.projects_title)
                            caption_hidden=true
                            columns=move || {
                                vec![
                                    t_string!(i18n, access.projects_col_project),
                                    t_string!(i18n, access.projects_col_owner),
                                    t_string!(i18n, access.projects_col_actions),
                                ]
                            }
                            class="members"
                        >
                {d.projects
                    .into_iter()
                    .map(|p| {
                        let id = p.id;
                        let new_name = RwSignal::new(p.name.clone());
                        let (o1, o2) = (org.clone(), org.clone());
                        let project_name = p.name.clone();
                        let current = p.owner.id;
                        let mut choices = d.owner_candidates.clone();
                        if !choices.iter().any(|c| c.id == current) {
                            choices.insert(0, p.owner.clone());
                        }
                        view! {
                            <tr data-testid="project-row">
                                <Cell label=move || t_string!(i18n, access.projects_col_project)>
                                    {if can_manage {
                                        view! {
                                            <input
                                                aria-label=move || t_string!(i18n, access.projects_name_label)
                                                prop:value=move || new_name.get()
                                                on:input=move |ev| new_name.set(event_target_value(&ev))
                                            />
                                            <button
                                                type="button"
                                                class="ghost"
                                                on:click=move |_| {
                                                    rename.dispatch(RenameProject { org: o1.clone(), id, name: new_name.get() });
                                                }
                                            >
                                                {tr!(i18n, access.projects_rename)}
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <span>{p.name.clone()}</span> }.into_any()
                                    }}
                                </Cell>
                                <Cell label=move || t_string!(i18n, access.projects_col_owner)>
                                    {if can_manage {
                                        view! {
                                            <select
                                                aria-label=move || t_string!(i18n, access.projects_col_owner)
                                                on:change=move |ev| {
                                                    if let Ok(u) = event_target_value(&ev).parse() {
                                                        owner.dispatch(ChangeProjectOwner { org: o2.clone(), id, owner: u });
                                                    }
                                                }
                                            >
                                                {choices
                                                    .into_iter()
                                                    .map(|c| view! { <option value=c.id.to_string() selected=c.id == current>{c.name}</option> })
                                                    .collect_view()}
                                            </select>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <span>{p.owner.name.clone()}</span> }.into_any()
                                    }}
                                </Cell>
                                <Cell label=move || t_string!(i18n, access.projects_col_actions) class="actions">
                                    {can_manage
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="danger"
                                                    on:click=move |_| deleting.set(Some((id, project_name.clone())))
                                                >
                                                    {tr!(i18n, access.projects_delete)}
                                                </button>
                                            }
                                        })}
                                </Cell>
                            </tr>
                        }
                    })
                    .collect_view()}
                        </DataTable>
                    }
                        .into_any()
                })
        }}
        {outcome(rename.value(), move || t_string!(i18n, access.projects_renamed))}
        {outcome(owner.value(), move || t_string!(i18n, access.projects_owner_changed))}
        {outcome(a.delete.value(), move || t_string!(i18n, access.projects_deleted))}
    }
}
