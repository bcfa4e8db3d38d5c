//! What organization pages share: loading and error states around the page, and editors.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use crate::areas::organizations::types::OrgFrame;
use crate::error::AppError;
use crate::model::Binding;
use crate::model::CustomRole;
use crate::model::Project;
use crate::policy::BuiltinRole;
use crate::policy::RoleId;
use crate::ui::components::ErrorNotice;
use crate::ui::components::Header;

/// The `:org` of the current route.
pub fn org_param() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("org").unwrap_or_default()
}

/// Renders a loaded organization page with its header, or the right page for an error.
pub fn org_page<T: 'static>(
    result: Result<T, AppError>,
    frame: impl FnOnce(&T) -> OrgFrame,
    body: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match result {
        Ok(data) => {
            let f = frame(&data);
            view! {
                <Header session=f.session org=f.org />
                <main class="page">{body(data)}</main>
            }
            .into_any()
        }
        Err(AppError::Unauthorized(_)) => view! { <Redirect path="/signin" /> }.into_any(),
        Err(AppError::NotFound) => view! { <crate::ui::pages::NotFound /> }.into_any(),
        Err(e) => view! {
            <main class="narrow">
                <ErrorNotice error=e />
            </main>
        }
        .into_any(),
    }
}

/// The outcome of the last submission of a form: an error, or a confirmation.
pub fn outcome<T, S>(value: S, done: &'static str) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || {
        value.get().map(|r| match r {
            Ok(_) => view! { <p class="ok" role="status">{done}</p> }.into_any(),
            Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
        })
    }
}

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
