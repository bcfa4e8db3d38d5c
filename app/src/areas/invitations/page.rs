//! `/o/{org}/invitations`: invite one address or many, and the invitations by status with
//! resend and withdraw.

use crate::{
    areas::{
        invitations::{
            actions::*,
            bulk_form::*,
            invite_form::*,
            serverfns::{
                InvitationsData, Invite, ResendInvitation, ResendInvitationTo, WithdrawInvitation,
                load_invitations,
            },
            types::{Invitation, InvitationStatus},
        },
        organizations::frame::{org_page, org_param, outcome},
    },
    core::time::utc_minute,
    policy::Permission,
    ui::bindings::role_choices,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

#[component]
pub fn InvitationsView() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let status = move || {
        query
            .read()
            .get("status")
            .and_then(|s| InvitationStatus::parse(&s))
            .unwrap_or(InvitationStatus::Pending)
    };
    let after = move || query.read().get("after").and_then(|a| a.parse().ok());
    let invite = ServerAction::<Invite>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let resend_to = ServerAction::<ResendInvitationTo>::new();
    let withdraw = ServerAction::<WithdrawInvitation>::new();
    let bulk_done = RwSignal::new(0_u32);
    let bulk = BulkState {
        text: RwSignal::new(String::new()),
        reports: RwSignal::new(Vec::new()),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                status(),
                after(),
                invite.version().get()
                    + resend.version().get()
                    + resend_to.version().get()
                    + withdraw.version().get()
                    + bulk_done.get() as usize,
            )
        },
        |(org, status, after, _)| load_invitations(org, status, after),
    );
    let actions = Actions {
        invite,
        resend,
        resend_to,
        withdraw,
        bulk_done,
        bulk,
        invite_email: RwSignal::new(String::new()),
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading invitations…"</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <InvitationsBody d org=org() actions /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
    }
}

#[component]
pub fn InvitationsBody(d: InvitationsData, org: String, actions: Actions) -> impl IntoView {
    let can_invite = d.frame.permissions.contains(Permission::MembersInvite);
    let roles = role_choices(&d.roles);
    let status = d.status;
    view! {
        <h1>"Invitations"</h1>
        {can_invite
            .then(|| {
                view! {
                    <section id="invite" class="card">
                        <h2>"Invite someone"</h2>
                        <InviteForm
                            org=org.clone()
                            roles=roles.clone()
                            projects=d.projects.clone()
                            groups=d.groups.clone()
                            actions
                        />
                    </section>
                    <section class="card">
                        <h2>"Invite many"</h2>
                        <BulkForm org=org.clone() roles=roles.clone() actions />
                    </section>
                }
            })}
        <nav class="tabs" aria-label="Invitation status">
            {InvitationStatus::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <A
                            href=format!("?status={}", s.as_str())
                            attr:aria-current=(s == status).then_some("page")
                        >
                            {s.label()}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
        <InvitationList listing=d.listing.items.clone() org=org.clone() can_invite actions />
        <p class="count" data-testid="invitation-count">
            {match d.listing.total {
                1 => format!("1 {} invitation", status.as_str()),
                n => format!("{n} {} invitations", status.as_str()),
            }}
        </p>
        {d.listing
            .next_cursor
            .map(|c| {
                view! {
                    <nav class="pager" aria-label="Pages">
                        <A href=format!("?status={}&after={c}", status.as_str())>"Next page"</A>
                    </nav>
                }
            })}
        {outcome(actions.resend.value(), "A new link is on its way; the old one no longer works.")}
        {outcome(actions.withdraw.value(), "Invitation withdrawn; its link no longer works.")}
    }
}

#[component]
pub fn InvitationList(
    listing: Vec<Invitation>,
    org: String,
    can_invite: bool,
    actions: Actions,
) -> impl IntoView {
    if listing.is_empty() {
        return view! { <p class="empty">"No invitations here."</p> }.into_any();
    }
    view! {
        <table class="members">
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Grants"</th>
                    <th scope="col">"Invited by"</th>
                    <th scope="col">"Sent"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"></th>
                </tr>
            </thead>
            <tbody>
                {listing
                    .into_iter()
                    .map(|i| {
                        let id = i.id;
                        let (o1, o2) = (org.clone(), org.clone());
                        let open = can_invite && i.status.is_open();
                        view! {
                            <tr data-testid="invitation-row">
                                <td>{i.email}</td>
                                <td>{i.grants}</td>
                                <td>{i.invited_by}</td>
                                <td>{utc_minute(i.sent_at)}</td>
                                <td>{utc_minute(i.expires_at)}</td>
                                <td>
                                    {i.status.label()}
                                    {i.closed_at.map(|t| format!(" {}", utc_minute(t)))}
                                    {i.closed_reason.clone().map(|r| view! { <br /><span class="hint">{r}</span> })}
                                </td>
                                <td class="actions">
                                    {open
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="secondary"
                                                    on:click=move |_| {
                                                        actions.resend.dispatch(ResendInvitation { org: o1.clone(), id });
                                                    }
                                                >
                                                    "Resend"
                                                </button>
                                                <button
                                                    type="button"
                                                    class="danger"
                                                    on:click=move |_| {
                                                        actions.withdraw.dispatch(WithdrawInvitation { org: o2.clone(), id });
                                                    }
                                                >
                                                    "Withdraw"
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
    }
    .into_any()
}
