//! `/invite/{token}`: what a link from an invitation email leads to — create the account, or
//! accept as the signed-in user — or a page saying plainly why the link does not work.

use crate::i18n::{Locale, t_string, use_i18n};
use crate::{
    areas::{
        accounts::{pages::PasswordInput, serverfns::SignOut},
        invitations::{
            serverfns::{AcceptInvitation, AcceptInvitationNew, load_invite_link},
            types::InviteLink,
        },
    },
    core::time::utc_minute,
    error::AppError,
    ui::components::{ErrorNotice, field_error, set_status},
};
use leptos::{form::ActionForm, prelude::*, text_prop::TextProp};
use leptos_i18n::I18nContext;
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, load_invite_link);
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, invitations.opening)}</p> }>
            {move || {
                link.get()
                    .map(|r| {
                        let body = match r {
                            Ok(l) => view! { <LinkState link=l token=token() /> }.into_any(),
                            Err(e) => link_error_notice(i18n, e),
                        };
                        view! { <main class="auth" data-testid="invite-page">{body}</main> }
                    })
            }}
        </Suspense>
    }
}

/// A dead end: why the link does not work and what to do.
fn closed(i18n: I18nContext<Locale>, status: u16, title: TextProp, text: TextProp) -> AnyView {
    set_status(status);
    view! {
        <h1>{move || title.get()}</h1>
        <p>{move || text.get()}</p>
        <p>
            <A href="/signin">{tr!(i18n, invitations.sign_in)}</A>
        </p>
    }
    .into_any()
}

/// An error from the link page or from accepting: a link that was closed meanwhile is said in
/// the page's language by its code (the sentences of `InvitationStatus::closed_reason`).
fn link_error_notice(i18n: I18nContext<Locale>, error: AppError) -> AnyView {
    type Text = fn(I18nContext<Locale>) -> &'static str;
    let reason: Option<Text> = match &error {
        AppError::Conflict { code, .. } => match code.as_str() {
            "invitation_used" => Some(|i18n| t_string!(i18n, invitations.reason_invitation_used)),
            "invitation_withdrawn" => {
                Some(|i18n| t_string!(i18n, invitations.reason_invitation_withdrawn))
            }
            "invitation_expired" => {
                Some(|i18n| t_string!(i18n, invitations.reason_invitation_expired))
            }
            _ => None,
        },
        _ => None,
    };
    match reason {
        Some(reason) => view! {
            <p class="error" role="alert">
                {move || reason(i18n)}
            </p>
        }
        .into_any(),
        None => view! { <ErrorNotice error /> }.into_any(),
    }
}

#[component]
fn LinkState(link: InviteLink, token: String) -> impl IntoView {
    let i18n = use_i18n();
    let text = |f: fn(I18nContext<Locale>) -> &'static str| TextProp::from(move || f(i18n));
    match link {
        InviteLink::Malformed => closed(
            i18n,
            400,
            text(|i18n| t_string!(i18n, invitations.malformed_title)),
            text(|i18n| t_string!(i18n, invitations.malformed_text)),
        ),
        InviteLink::Unknown => closed(
            i18n,
            404,
            text(|i18n| t_string!(i18n, invitations.unknown_title)),
            text(|i18n| t_string!(i18n, invitations.unknown_text)),
        ),
        InviteLink::Used => closed(
            i18n,
            410,
            text(|i18n| t_string!(i18n, invitations.used_title)),
            text(|i18n| t_string!(i18n, invitations.used_text)),
        ),
        InviteLink::Withdrawn => closed(
            i18n,
            410,
            text(|i18n| t_string!(i18n, invitations.withdrawn_title)),
            text(|i18n| t_string!(i18n, invitations.withdrawn_text)),
        ),
        InviteLink::NoLongerValid { org_name } => closed(
            i18n,
            410,
            text(|i18n| t_string!(i18n, invitations.no_longer_valid_title)),
            TextProp::from(move || {
                t_string!(
                    i18n,
                    invitations.no_longer_valid_text,
                    org_name = org_name.clone()
                )
            }),
        ),
        InviteLink::Expired { org_name } => closed(
            i18n,
            410,
            text(|i18n| t_string!(i18n, invitations.expired_title)),
            TextProp::from(move || {
                t_string!(i18n, invitations.expired_text, org_name = org_name.clone())
            }),
        ),
        InviteLink::Open {
            org_name,
            email,
            invited_by,
            expires_at,
            account_exists,
            signed_in_as,
        } => {
            let lead = {
                let (email, org_name) = (email.clone(), org_name.clone());
                move || {
                    t_string!(
                        i18n,
                        invitations.lead,
                        invited_by = invited_by.clone(),
                        email = email.clone(),
                        org_name = org_name.clone()
                    )
                }
            };
            let when = utc_minute(expires_at);
            let expires = move || t_string!(i18n, invitations.expires_on, when = when.clone());
            let body = if !account_exists {
                view! { <NewAccount token email /> }.into_any()
            } else if signed_in_as.as_deref() == Some(email.as_str()) {
                view! { <AcceptAsMember token /> }.into_any()
            } else if let Some(other) = signed_in_as {
                view! { <WrongAccount other email /> }.into_any()
            } else {
                view! {
                    <p>{move || t_string!(i18n, invitations.has_account, email = email.clone())}</p>
                    <p>
                        <A href=format!("/signin?next=/invite/{token}") attr:class="button">
                            {tr!(i18n, invitations.sign_in_to_accept)}
                        </A>
                    </p>
                }
                .into_any()
            };
            view! {
                <h1>{move || t_string!(i18n, invitations.join, org_name = org_name.clone())}</h1>
                <p>{lead}</p>
                <p class="hint">{expires}</p>
                {body}
            }
            .into_any()
        }
    }
}

#[component]
fn NewAccount(token: String, email: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AcceptInvitationNew>::new();
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <p>{tr!(i18n, invitations.new_account_intro)}</p>
        <ActionForm action=action>
            <input type="hidden" name="token" value=token />
            <label for="email">{tr!(i18n, invitations.email)}</label>
            <input id="email" type="email" value=email readonly autocomplete="username" />
            <label for="name">{tr!(i18n, invitations.your_name)}</label>
            <input id="name" name="name" autocomplete="name" required />
            {move || field_error(error(), "name")}
            <label for="password">{tr!(i18n, invitations.password)}</label>
            <PasswordInput name="password" autocomplete="new-password" id="password" />
            <span class="hint">{tr!(i18n, invitations.password_hint)}</span>
            {move || field_error(error(), "password")}
            {move || {
                error()
                    .filter(|e| !matches!(e, AppError::Validation { .. }))
                    .map(|e| link_error_notice(i18n, e))
            }}
            <button type="submit" disabled=move || action.pending().get()>
                {tr!(i18n, invitations.create_and_join)}
            </button>
        </ActionForm>
    }
}

#[component]
fn AcceptAsMember(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<AcceptInvitation>::new();
    view! {
        <ActionForm action=action>
            <input type="hidden" name="token" value=token />
            <button type="submit" disabled=move || action.pending().get()>
                {tr!(i18n, invitations.accept)}
            </button>
        </ActionForm>
        {move || action.value().get().and_then(Result::err).map(|e| link_error_notice(i18n, e))}
    }
}

#[component]
fn WrongAccount(other: String, email: String) -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOut>::new();
    let email_for_button = email.clone();
    view! {
        <p class="error" role="alert">
            {move || {
                t_string!(i18n, invitations.wrong_account, other = other.clone(), email = email.clone())
            }}
        </p>
        <ActionForm action=sign_out>
            <button type="submit" class="secondary">
                {move || t_string!(i18n, invitations.sign_out_then_in, email = email_for_button.clone())}
            </button>
        </ActionForm>
    }
}
