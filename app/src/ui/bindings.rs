use crate::i18n::{Locale, t_string, td_string, use_i18n};
use crate::{
    areas::{projects::types::Project, roles::types::CustomRole},
    policy::{Binding, BuiltinRole, RoleId},
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// A built-in role's name in the page's language (tracks a language change when read in a
/// closure). Custom roles' names are data and shown as they are.
pub fn builtin_role_name(i18n: I18nContext<Locale>, b: BuiltinRole) -> &'static str {
    match b {
        BuiltinRole::Viewer => t_string!(i18n, common.role_viewer),
        BuiltinRole::Editor => t_string!(i18n, common.role_editor),
        BuiltinRole::Admin => t_string!(i18n, common.role_admin),
    }
}

/// A built-in role's name in `locale`.
fn builtin_role_name_in(locale: Locale, b: BuiltinRole) -> &'static str {
    match b {
        BuiltinRole::Viewer => td_string!(locale, common.role_viewer),
        BuiltinRole::Editor => td_string!(locale, common.role_editor),
        BuiltinRole::Admin => td_string!(locale, common.role_admin),
    }
}

/// A role's name for display: a built-in one in the page's language, a custom one as named.
pub fn role_name(i18n: I18nContext<Locale>, id: RoleId, name: &str) -> String {
    match id {
        RoleId::Builtin(b) => builtin_role_name(i18n, b).to_string(),
        RoleId::Custom(_) => name.to_string(),
    }
}

/// Built-in roles first (Admin, Editor, Viewer), then the organization's own. The built-in
/// names are in the page's language when this is called.
pub fn role_choices(custom: &[CustomRole]) -> Vec<(RoleId, String)> {
    let locale = use_i18n().get_locale_untracked();
    BuiltinRole::ALL
        .into_iter()
        .rev()
        .map(|b| {
            (
                RoleId::Builtin(b),
                builtin_role_name_in(locale, b).to_string(),
            )
        })
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
    let i18n = use_i18n();
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
                            aria-label=move || t_string!(i18n, access.bindings_role_label)
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
                                            {move || role_name(i18n, id, &name)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <select
                            aria-label=move || t_string!(i18n, access.bindings_scope_label)
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                bindings.update(|bs| bs[i].project = v.parse().ok());
                            }
                        >
                            <option value="" selected=b.project.is_none()>
                                {tr!(i18n, access.bindings_whole_organization)}
                            </option>
                            {projects
                                .get_value()
                                .into_iter()
                                .map(|p| {
                                    let name = p.name;
                                    view! {
                                        <option value=p.id.to_string() selected=Some(p.id) == b.project>
                                            {move || t_string!(i18n, access.bindings_project, name = name.clone())}
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
                            {tr!(i18n, access.bindings_remove)}
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
                {tr!(i18n, access.bindings_add_role)}
            </button>
        </div>
    }
}
