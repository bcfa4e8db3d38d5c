//! `/o/{org}/projects`: projects and their owners.

use crate::{
    areas::{
        organizations::frame::{org_page, org_param, outcome},
        projects::serverfns::{
            ChangeProjectOwner, CreateProject, DeleteProject, ProjectsData, RenameProject,
            load_projects,
        },
    },
    policy::Permission,
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn ProjectsView() -> impl IntoView {
    let org = org_param();
    let create = ServerAction::<CreateProject>::new();
    let rename = ServerAction::<RenameProject>::new();
    let delete = ServerAction::<DeleteProject>::new();
    let owner = ServerAction::<ChangeProjectOwner>::new();
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                create.version().get()
                    + rename.version().get()
                    + delete.version().get()
                    + owner.version().get(),
            )
        },
        |(org, _)| load_projects(org),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading projects…"</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <ProjectsBody d org=org() create rename delete owner /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
    }
}

#[component]
fn ProjectsBody(
    d: ProjectsData,
    org: String,
    create: ServerAction<CreateProject>,
    rename: ServerAction<RenameProject>,
    delete: ServerAction<DeleteProject>,
    owner: ServerAction<ChangeProjectOwner>,
) -> impl IntoView {
    let can_manage = d.frame.permissions.contains(Permission::OrgManage);
    let candidates = d.owner_candidates.clone();
    let org_create = org.clone();
    view! {
        <h1>"Projects"</h1>
        {can_manage
            .then(|| {
                view! {
                    <ActionForm action=create attr:class="inline-form">
                        <input type="hidden" name="org" value=org_create.clone() />
                        <label>
                            "New project"
                            <input name="name" required placeholder="Project name" />
                        </label>
                        <button type="submit">"Create project"</button>
                    </ActionForm>
                    {outcome(create.value(), "Project created.")}
                }
            })}
        {d.projects.is_empty().then(|| view! { <p class="empty">"No projects yet."</p> })}
        <table class="members">
            <thead>
                <tr>
                    <th scope="col">"Project"</th>
                    <th scope="col">"Owner"</th>
                    <th scope="col"></th>
                </tr>
            </thead>
            <tbody>
                {d.projects
                    .into_iter()
                    .map(|p| {
                        let id = p.id;
                        let new_name = RwSignal::new(p.name.clone());
                        let (o1, o2, o3) = (org.clone(), org.clone(), org.clone());
                        let current = p.owner.id;
                        let mut choices = candidates.clone();
                        if !choices.iter().any(|c| c.id == current) {
                            choices.insert(0, p.owner.clone());
                        }
                        view! {
                            <tr data-testid="project-row">
                                <td>
                                    {if can_manage {
                                        view! {
                                            <input
                                                aria-label="Project name"
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
                                                "Rename"
                                            </button>
                                        }
                                            .into_any()
                                    } else {
                                        view! { <span>{p.name.clone()}</span> }.into_any()
                                    }}
                                </td>
                                <td>
                                    {if can_manage {
                                        view! {
                                            <select
                                                aria-label="Owner"
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
                                </td>
                                <td class="actions">
                                    {can_manage
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="danger"
                                                    on:click=move |_| {
                                                        delete.dispatch(DeleteProject { org: o3.clone(), id });
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
        {outcome(rename.value(), "Renamed.")}
        {outcome(owner.value(), "Owner changed.")}
        {outcome(delete.value(), "Deleted.")}
    }
}
