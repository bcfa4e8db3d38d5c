//! `/invite/{token}`: what a link from an invitation email leads to — create the account, or
//! accept as the signed-in user — or a page saying plainly why the link does not work.

use crate::{
    areas::{
        accounts::{pages::PasswordInput, serverfns::SignOut},
        invitations::{
            serverfns::{AcceptInvitation, AcceptInvitationNew, load_invite_link},
            types::InviteLink,
        },
    },
    core::time::utc_minute,
    ui::components::{ErrorNotice, field_error, set_status},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, load_invite_link);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Opening the invitation…"</p> }>
            {move || {
                link.get()
                    .map(|r| {
                        let body = match r {
                            Ok(l) => view! { <LinkState link=l token=token() /> }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                        };
                        view! { <main class="auth" data-testid="invite-page">{body}</main> }
                    })
            }}
        </Suspense>
    }
}

/// A dead end: why the link does not work and what to do.
fn closed(status: u16, title: &'static str, text: String) -> AnyView {
    set_status(status);
    view! {
        <h1>{title}</h1>
        <p>{text}</p>
        <p>
            <A href="/signin">"Sign in"</A>
        </p>
    }
    .into_any()
}

#[component]
fn LinkState(link: InviteLink, token: String) -> impl IntoView {
    match link {
        InviteLink::Malformed => closed(
            400,
            "This invitation link is incomplete",
            "The link is cut off or mistyped. Open it again from the email, copying the whole \
             address, or ask for a new invitation."
                .into(),
        ),
        InviteLink::Unknown => closed(
            404,
            "This invitation link does not work",
            "There is no invitation with this link. If it was resent, use the newest email; \
             otherwise ask for a new invitation."
                .into(),
        ),
        InviteLink::Used => closed(
            410,
            "This invitation has already been used",
            "It was accepted already, and a link works only once. Sign in to continue.".into(),
        ),
        InviteLink::Withdrawn => closed(
            410,
            "This invitation was withdrawn",
            "The organization withdrew it. Ask them for a new invitation if you still need \
             access."
                .into(),
        ),
        InviteLink::NoLongerValid { org_name } => closed(
            410,
            "This invitation is no longer valid",
            format!(
                "Whoever sent it can no longer grant this access, so it grants nothing. Ask an \
                 administrator of {org_name} to invite you again."
            ),
        ),
        InviteLink::Expired { org_name } => closed(
            410,
            "This invitation has expired",
            format!("Ask {org_name} to send it again; a resent invitation comes with a new link."),
        ),
        InviteLink::Open {
            org_name,
            email,
            invited_by,
            expires_at,
            account_exists,
            signed_in_as,
        } => {
            let lead = format!("{invited_by} invited {email} to {org_name}.");
            let expires = format!("The invitation expires on {}.", utc_minute(expires_at));
            let body = if !account_exists {
                view! { <NewAccount token email /> }.into_any()
            } else if signed_in_as.as_deref() == Some(email.as_str()) {
                view! { <AcceptAsMember token /> }.into_any()
            } else if let Some(other) = signed_in_as {
                view! { <WrongAccount other email /> }.into_any()
            } else {
                view! {
                    <p>{format!("{email} already has a Gatehouse account. Sign in with it to accept.")}</p>
                    <p>
                        <A href=format!("/signin?next=/invite/{token}") attr:class="button">
                            "Sign in to accept"
                        </A>
                    </p>
                }
                    .into_any()
            };
            view! {
                <h1>{format!("Join {org_name}")}</h1>
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
    let action = ServerAction::<AcceptInvitationNew>::new();
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <p>"Choose your name and a password to create your account."</p>
        <ActionForm action=action>
            <input type="hidden" name="token" value=token />
            <label for="email">"Email"</label>
            <input id="email" type="email" value=email readonly autocomplete="username" />
            <label for="name">"Your name"</label>
            <input id="name" name="name" autocomplete="name" required />
            {move || field_error(error(), "name")}
            <label for="password">"Password"</label>
            <PasswordInput name="password" autocomplete="new-password" id="password" />
            <span class="hint">"At least 8 characters."</span>
            {move || field_error(error(), "password")}
            {move || {
                error()
                    .filter(|e| !matches!(e, crate::error::AppError::Validation { .. }))
                    .map(|e| view! { <ErrorNotice error=e /> })
            }}
            <button type="submit" disabled=move || action.pending().get()>
                "Create account and join"
            </button>
        </ActionForm>
    }
}

#[component]
fn AcceptAsMember(token: String) -> impl IntoView {
    let action = ServerAction::<AcceptInvitation>::new();
    view! {
        <ActionForm action=action>
            <input type="hidden" name="token" value=token />
            <button type="submit" disabled=move || action.pending().get()>
                "Accept invitation"
            </button>
        </ActionForm>
        {move || action.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
    }
}

#[component]
fn WrongAccount(other: String, email: String) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <p class="error" role="alert">
            {format!("You are signed in as {other}, but this invitation is for {email}.")}
        </p>
        <ActionForm action=sign_out>
            <button type="submit" class="secondary">
                {format!("Sign out, then sign in as {email}")}
            </button>
        </ActionForm>
    }
}
