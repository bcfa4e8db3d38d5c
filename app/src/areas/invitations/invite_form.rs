//! The form that invites one person, with the roles and groups the invitation grants.

use crate::i18n::{t_string, use_i18n};
use crate::{
    areas::{
        groups::types::Group,
        invitations::{
            actions::*,
            serverfns::{Invite, ResendInvitationTo},
            types::InviteRequest,
        },
        organizations::frame::outcome,
    },
    core::ids::GroupId,
    error::AppError,
    policy::{Binding, BuiltinRole, RoleId},
    ui::{
        bindings::{BindingsEditor, role_name},
        components::{DialogActions, Field},
    },
};
use leptos::prelude::*;

#[component]
pub fn InviteForm(
    org: String,
    roles: Vec<(RoleId, String)>,
    projects: Vec<crate::areas::projects::types::Project>,
    groups: Vec<Group>,
    actions: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let email = actions.invite_email;
    let role = RwSignal::new(RoleId::Builtin(BuiltinRole::Viewer));
    let extra = RwSignal::new(Vec::<Binding>::new());
    let chosen = RwSignal::new(Vec::<GroupId>::new());
    let invite = actions.invite;
    let resend_to = actions.resend_to;
    let org_submit = org.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut bindings = vec![Binding {
            role: role.get(),
            project: None,
        }];
        bindings.extend(extra.get());
        invite.dispatch(Invite {
            org: org_submit.clone(),
            invitation: InviteRequest {
                email: email.get(),
                bindings,
                groups: chosen.get(),
            },
        });
    };
    // After a successful invite the form starts empty again (only when an invite completes,
    // not when the form is drawn again).
    Effect::watch(
        move || invite.version().get(),
        move |_, _, _| {
            if let Some(Ok(_)) = invite.value().get_untracked() {
                actions.invite_open.set(false);
                email.set(String::new());
                extra.set(Vec::new());
                chosen.set(Vec::new());
            }
        },
        false,
    );
    let project_roles = roles.clone();
    let offer_resend = move || {
        invite.value().get().and_then(|r| match r {
            Err(AppError::Conflict { code, .. }) if code == "already_invited" => Some(()),
            _ => None,
        })
    };
    let org_resend = org.clone();
    view! {
        <form class="invite" on:submit=submit>
            <Field label=move || t_string!(i18n, invitations.email) field="email" error=Signal::derive(move || invite.value().get().and_then(Result::err))>
                <input
                    type="email"
                    name="email"
                    required
                    autocomplete="off"
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
            </Field>
            <label>
                {tr!(i18n, invitations.org_role)}
                <select on:change=move |ev| {
                    if let Ok(r) = event_target_value(&ev).parse() {
                        role.set(r);
                    }
                }>
                    {roles
                        .into_iter()
                        .map(|(id, name)| {
                            view! {
                                <option value=id.to_string() selected=move || role.get() == id>
                                    {move || role_name(i18n, id, &name)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            {(!projects.is_empty())
                .then(|| {
                    view! {
                        <fieldset>
                            <legend>{tr!(i18n, invitations.project_roles_optional)}</legend>
                            <BindingsEditor bindings=extra roles=project_roles projects=projects />
                        </fieldset>
                    }
                })}
            {(!groups.is_empty())
                .then(|| {
                    view! {
                        <fieldset class="checks">
                            <legend>{tr!(i18n, invitations.groups_optional)}</legend>
                            {groups
                                .into_iter()
                                .map(|g| {
                                    let id = g.id;
                                    view! {
                                        <label>
                                            <input
                                                type="checkbox"
                                                prop:checked=move || chosen.get().contains(&id)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| {
                                                        c.retain(|x| *x != id);
                                                        if on {
                                                            c.push(id);
                                                        }
                                                    });
                                                }
                                            />
                                            {g.name}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })}
            <DialogActions open=actions.invite_open submit=move || t_string!(i18n, invitations.send_invitation) busy=invite.pending() />
        </form>
        {outcome(invite.value(), move || t_string!(i18n, invitations.sent))}
        {move || {
            let org = org_resend.clone();
            offer_resend()
                .map(|()| {
                    view! {
                        <button
                            type="button"
                            class="secondary"
                            on:click=move |_| {
                                resend_to.dispatch(ResendInvitationTo { org: org.clone(), email: email.get() });
                            }
                        >
                            {tr!(i18n, invitations.resend_invitation)}
                        </button>
                    }
                })
        }}
        {outcome(resend_to.value(), move || t_string!(i18n, invitations.resent))}
    }
}
