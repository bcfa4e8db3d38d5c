//! `/o/{org}/settings`: the organization's name, how long invitation links last, how many
//! invitations may be pending at once, and how many roles, groups, projects and tokens it may
//! have.

use crate::{
    areas::accounts::types::Language,
    areas::organizations::{
        frame::{org_page, org_param},
        serverfns::{SaveSettings, SettingsData, load_settings},
        types::OrgSettings,
    },
    i18n::{t_string, use_i18n},
    ui::components::{ErrorNotice, Field, Submit},
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn SettingsView() -> impl IntoView {
    let org = org_param();
    let save = ServerAction::<SaveSettings>::new();
    let o = org.clone();
    let data = Resource::new(
        move || (o(), save.version().get()),
        |(org, _)| load_settings(org),
    );
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, settings.loading)}</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <SettingsBody d org=org() save /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
    }
}

#[component]
fn SettingsBody(d: SettingsData, org: String, save: ServerAction<SaveSettings>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let s = d.settings;
    let language = s.default_language;
    view! {
        <h1>{tr!(i18n, settings.title)}</h1>
        <ActionForm action=save attr:class="settings">
            <input type="hidden" name="org" value=org />
            <Field label=move || t_string!(i18n, settings.name) field="name" error>
                <input name="name" value=s.name required />
            </Field>
            <Field
                label=move || t_string!(i18n, settings.lifetime)
                field="invitation_lifetime_hours"
                error
                hint=move || t_string!(i18n, settings.lifetime_hint)
            >
                <input
                    name="invitation_lifetime_hours"
                    type="number"
                    min="1"
                    max=OrgSettings::MAX_LIFETIME_HOURS
                    value=s.invitation_lifetime_hours
                    required
                />
            </Field>
            <Field
                label=move || t_string!(i18n, settings.pending_limit)
                field="pending_invitation_limit"
                error
                hint=move || t_string!(i18n, settings.pending_limit_hint)
            >
                <input
                    name="pending_invitation_limit"
                    type="number"
                    min="1"
                    max=OrgSettings::MAX_PENDING_LIMIT
                    value=s.pending_invitation_limit
                    required
                />
            </Field>
            <Field
                label=move || t_string!(i18n, settings.default_language)
                field="default_language"
                error
                hint=move || t_string!(i18n, settings.default_language_hint)
            >
                <select name="default_language">
                    <option value="" selected=language.is_none()>
                        {tr!(i18n, settings.default_language_none)}
                    </option>
                    {Language::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <option value=l.as_str() selected=language == Some(l)>
                                    {language_name(l)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Field>
            <fieldset class="limits">
                <legend>{tr!(i18n, settings.limits)}</legend>
                <span class="hint">{tr!(i18n, settings.limits_hint)}</span>
                <Field label=move || t_string!(i18n, settings.custom_roles) field="custom_role_limit" error>
                    <input
                        name="custom_role_limit"
                        type="number"
                        min="1"
                        max=OrgSettings::MAX_CUSTOM_ROLE_LIMIT
                        value=s.custom_role_limit
                        required
                    />
                </Field>
                <Field label=move || t_string!(i18n, settings.groups) field="group_limit" error>
                    <input
                        name="group_limit"
                        type="number"
                        min="1"
                        max=OrgSettings::MAX_GROUP_LIMIT
                        value=s.group_limit
                        required
                    />
                </Field>
                <Field label=move || t_string!(i18n, settings.projects) field="project_limit" error>
                    <input
                        name="project_limit"
                        type="number"
                        min="1"
                        max=OrgSettings::MAX_PROJECT_LIMIT
                        value=s.project_limit
                        required
                    />
                </Field>
                <Field
                    label=move || t_string!(i18n, settings.tokens)
                    field="token_limit"
                    error
                    hint=move || t_string!(i18n, settings.tokens_hint)
                >
                    <input
                        name="token_limit"
                        type="number"
                        min="1"
                        max=OrgSettings::MAX_TOKEN_LIMIT
                        value=s.token_limit
                        required
                    />
                </Field>
            </fieldset>
            {move || {
                error
                    .get()
                    .filter(|e| !matches!(e, crate::error::AppError::Validation { .. }))
                    .map(|e| view! { <ErrorNotice error=e /> })
            }}
            <Submit label=move || t_string!(i18n, settings.save) busy=save.pending() />
        </ActionForm>
        {move || {
            save.value()
                .get()
                .and_then(Result::ok)
                .map(|_| view! { <p class="ok" role="status">{tr!(i18n, settings.saved)}</p> })
        }}
    }
}

/// A language by its own name ("Deutsch"), the same in every language of the console.
pub fn language_name(l: Language) -> &'static str {
    match l {
        Language::En => "English",
        Language::De => "Deutsch",
        Language::Zh => "中文",
        Language::Ru => "Русский",
    }
}
