//! `/o/{org}/settings`: the organization's name, how long invitation links last, how many
//! invitations may be pending at once, and how many roles, groups, projects and tokens it may
//! have.

use crate::{
    areas::organizations::{
        frame::{org_page, org_param},
        serverfns::{SaveSettings, SettingsData, load_settings},
        types::OrgSettings,
    },
    ui::components::{ErrorNotice, field_error},
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
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading settings…"</p> }>
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
    let error = move || save.value().get().and_then(Result::err);
    let s = d.settings;
    view! {
        <h1>"Organization settings"</h1>
        <ActionForm action=save attr:class="settings">
            <input type="hidden" name="org" value=org />
            <label for="name">"Organization name"</label>
            <input id="name" name="name" value=s.name required />
            {move || field_error(error(), "name")}
            <label for="lifetime">"Invitation lifetime (hours)"</label>
            <input
                id="lifetime"
                name="invitation_lifetime_hours"
                type="number"
                min="1"
                max=OrgSettings::MAX_LIFETIME_HOURS
                value=s.invitation_lifetime_hours
                required
            />
            <span class="hint">"From 1 hour to 720 hours (30 days). New links last this long."</span>
            {move || field_error(error(), "invitation_lifetime_hours")}
            <label for="limit">"Pending invitation limit"</label>
            <input
                id="limit"
                name="pending_invitation_limit"
                type="number"
                min="1"
                max=OrgSettings::MAX_PENDING_LIMIT
                value=s.pending_invitation_limit
                required
            />
            <span class="hint">"How many invitations may wait for an answer at once."</span>
            {move || field_error(error(), "pending_invitation_limit")}
            <fieldset class="limits">
                <legend>"Limits"</legend>
                <span class="hint">
                    "The most this organization may have of each. Lowering a limit keeps what exists; only new ones are refused."
                </span>
                <label for="custom_role_limit">"Custom roles"</label>
                <input
                    id="custom_role_limit"
                    name="custom_role_limit"
                    type="number"
                    min="1"
                    max=OrgSettings::MAX_CUSTOM_ROLE_LIMIT
                    value=s.custom_role_limit
                    required
                />
                {move || field_error(error(), "custom_role_limit")}
                <label for="group_limit">"Groups"</label>
                <input
                    id="group_limit"
                    name="group_limit"
                    type="number"
                    min="1"
                    max=OrgSettings::MAX_GROUP_LIMIT
                    value=s.group_limit
                    required
                />
                {move || field_error(error(), "group_limit")}
                <label for="project_limit">"Projects"</label>
                <input
                    id="project_limit"
                    name="project_limit"
                    type="number"
                    min="1"
                    max=OrgSettings::MAX_PROJECT_LIMIT
                    value=s.project_limit
                    required
                />
                {move || field_error(error(), "project_limit")}
                <label for="token_limit">"Access tokens"</label>
                <input
                    id="token_limit"
                    name="token_limit"
                    type="number"
                    min="1"
                    max=OrgSettings::MAX_TOKEN_LIMIT
                    value=s.token_limit
                    required
                />
                <span class="hint">"Revoked and expired tokens count until they are deleted."</span>
                {move || field_error(error(), "token_limit")}
            </fieldset>
            {move || {
                error()
                    .filter(|e| !matches!(e, crate::error::AppError::Validation { .. }))
                    .map(|e| view! { <ErrorNotice error=e /> })
            }}
            <button type="submit" disabled=move || save.pending().get()>
                "Save settings"
            </button>
        </ActionForm>
        {move || {
            save.value()
                .get()
                .and_then(Result::ok)
                .map(|_| view! { <p class="ok" role="status">"Settings saved."</p> })
        }}
    }
}
