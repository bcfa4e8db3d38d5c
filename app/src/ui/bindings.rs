use crate::{
    areas::{projects::types::Project, roles::types::CustomRole},
    policy::{Binding, BuiltinRole, RoleId},
};
use leptos::prelude::*;

/// Built-in roles first (Admin, Editor, Viewer), then the organization's own.
pub fn role_choices(custom: &[CustomRole]) -> Vec<(RoleId, String)> {
    BuiltinRole::ALL
        .into_iter()
        .rev()
        .map(|b| (RoleId::Builtin(b), b.name().to_string()))
        .chain(
            custom
                .iter()
                .map(|r| (RoleId::Custom(r.id), r.name.clone())),
        )
        .collect()
}

/// Edits a list of role bindings: a role, and the whole organization or one project.
#[component]
pub fn BindingsEditor(
    bindings: RwSignal<Vec<Binding>>,
    roles: Vec<(RoleId, String)>,
    projects: Vec<Project>,
) -> impl IntoView {
    let roles = StoredValue::new(roles);
    let projects = StoredValue::new(projects);
    let rows = move || {
        bindings
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                view! {
                    <div class="binding-row" data-testid="binding-row">
                        <select
                            aria-label="Role"
                            on:change=move |ev| {
                                if let Ok(r) = event_target_value(&ev).parse::<RoleId>() {
                                    bindings.update(|bs| bs[i].role = r);
                                }
                            }
                        >
                            {roles
                                .get_value()
                                .into_iter()
                                .map(|(id, name)| {
                                    view! {
                                        <option value=id.to_string() selected=id == b.role>
                                            {name}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <select
                            aria-label="Scope"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                bindings.update(|bs| bs[i].project = v.parse().ok());
                            }
                        >
                            <option value="" selected=b.project.is_none()>
                                "Whole organization"
                            </option>
                            {projects
                                .get_value()
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <option value=p.id.to_string() selected=Some(p.id) == b.project>
                                            {format!("Project {}", p.name)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <button
                            type="button"
                            class="ghost"
                            on:click=move |_| {
                                bindings.update(|bs| {
                                    bs.remove(i);
                                })
                            }
                        >
                            "Remove"
                        </button>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <div class="bindings">
            {rows}
            <button
                type="button"
                class="ghost"
                on:click=move |_| {
                    bindings
                        .update(|bs| {
                            bs.push(Binding {
                                role: RoleId::Builtin(BuiltinRole::Viewer),
                                project: None,
                            })
                        })
                }
            >
                "Add a role"
            </button>
        </div>
    }
}
