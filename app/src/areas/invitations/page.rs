//! `/o/{org}/invitations`: invite one address or many, and the invitations by status with
//! resend and withdraw.

use crate::{
    areas::{
        groups::types::Group,
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
        members::page::StatusTabs,
        organizations::{
            frame::{announce_both, org_page, org_param, outcome},
            types::OrgFrame,
        },
        projects::types::Project,
        roles::types::CustomRole,
    },
    error::AppError,
    policy::Permission,
    ui::{
        bindings::role_choices,
        components::{
            Cell, Confirm, DataTable, Dialog, EmptyState, RelativeTime, Truncated, open_while,
        },
    },
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

/// The invitations page, or (`members_tab`) the members page's Invited tab: the open
/// invitations (pending and expired) under the members' status tabs.
#[component]
pub fn InvitationsView(#[prop(optional)] members_tab: bool) -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let status = move || {
        if members_tab {
            return None;
        }
        Some(
            query
                .read()
                .get("status")
                .and_then(|s| InvitationStatus::parse(&s))
                .unwrap_or(InvitationStatus::Pending),
        )
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
        invite_open: RwSignal::new(false),
        bulk_open: RwSignal::new(false),
        withdrawing: RwSignal::new(None),
    };
    // `?invite` (the members page's "Invite people" on another tab) opens the invite dialog.
    Effect::new(move |_| {
        if query.read_untracked().get("invite").is_some() {
            actions.invite_open.set(true);
        }
    });
    // What stays while the list reloads after each action: the header, the heading, the
    // dialogs (so focus returns to what opened them).
    let stable = Memo::new(move |_| {
        data.get().map(|r| {
            r.map(|d| Stable {
                frame: d.frame,
                roles: d.roles,
                groups: d.groups,
                projects: d.projects,
            })
        })
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading invitations…"</p> }>
            {move || {
                let org = org.clone();
                // Read untracked: the Transition waits for the data on the server, and the
                // page is not drawn anew when the data reloads.
                data.with_untracked(|_| ());
                stable
                    .get()
                    .map(move |r| {
                        org_page(
                            r,
                            |s| s.frame.clone(),
                            move |s| {
                                view! { <InvitationsBody s data org=org() status actions members_tab /> }
                                    .into_any()
                            },
                        )
                    })
            }}
        </Transition>
    }
}

/// The part of the page's data that an invitation does not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stable {
    frame: OrgFrame,
    roles: Vec<CustomRole>,
    groups: Vec<Group>,
    projects: Vec<Project>,
}

#[component]
fn InvitationsBody(
    s: Stable,
    data: Resource<Result<InvitationsData, AppError>>,
    org: String,
    status: impl Fn() -> Option<InvitationStatus> + Copy + Send + Sync + 'static,
    actions: Actions,
    members_tab: bool,
) -> impl IntoView {
    let can_invite = s.frame.permissions.contains(Permission::MembersInvite);
    let roles = role_choices(&s.roles);
    let org_list = org.clone();
    let tabs = if members_tab {
        view! { <StatusTabs current=None /> }.into_any()
    } else {
        view! { <InvitationTabs status /> }.into_any()
    };
    view! {
        <div class="page-head">
            <h1>{if members_tab { "Members" } else { "Invitations" }}</h1>
            {can_invite
                .then(|| {
                    view! {
                        <div class="head-actions">
                            <button type="button" id="open-invite" on:click=move |_| actions.invite_open.set(true)>
                                "Invite people"
                            </button>
                            <button
                                type="button"
                                id="open-bulk"
                                class="secondary"
                                on:click=move |_| actions.bulk_open.set(true)
                            >
                                "Invite many"
                            </button>
                        </div>
                    }
                })}
        </div>
        {can_invite
            .then(|| {
                let (org1, org2, org3) = (org.clone(), org.clone(), org.clone());
                let bulk_roles = roles.clone();
                view! {
                    <Dialog open=actions.invite_open id="invite" title="Invite someone">
                        <InviteForm org=org1 roles projects=s.projects groups=s.groups actions />
                    </Dialog>
                    <Dialog open=actions.bulk_open id="bulk" title="Invite many">
                        <BulkForm org=org2 roles=bulk_roles actions />
                    </Dialog>
                    <WithdrawConfirm org=org3 actions />
                }
            })}
        {tabs}
        {move || {
            let org = org_list.clone();
            data.get()
                .and_then(Result::ok)
                .map(move |d| {
                    let tab = d.status.map_or("invited", InvitationStatus::as_str);
                    let (one, many) = match d.status {
                        None => ("open", "open"),
                        Some(s) => (s.as_str(), s.as_str()),
                    };
                    view! {
                        <InvitationList listing=d.listing.items.clone() org can_invite actions now=d.now />
                        <p class="count" data-testid="invitation-count">
                            {match d.listing.total {
                                1 => format!("1 {one} invitation"),
                                n => format!("{n} {many} invitations"),
                            }}
                        </p>
                        {d.listing
                            .next_cursor
                            .map(|c| {
                                view! {
                                    <nav class="pager" aria-label="Pages">
                                        <A href=format!("?status={tab}&after={c}")>"Next page"</A>
                                    </nav>
                                }
                            })}
                    }
                })
        }}
        {announce_both(actions.resend.value(), "A new link is on its way; the old one no longer works.")}
        {outcome(actions.withdraw.value(), "Invitation withdrawn; its link no longer works.")}
    }
}

/// Pending, Expired, Accepted, Withdrawn.
#[component]
fn InvitationTabs(
    status: impl Fn() -> Option<InvitationStatus> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Invitation status">
            {InvitationStatus::ALL
                .into_iter()
                .map(|st| {
                    view! {
                        <a
                            href=format!("?status={}", st.as_str())
                            aria-current=move || (Some(st) == status()).then_some("page")
                        >
                            {st.label()}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Withdrawing asks first, saying what happens to the link.
#[component]
fn WithdrawConfirm(org: String, actions: Actions) -> impl IntoView {
    let open = open_while(actions.withdrawing);
    Effect::watch(
        move || actions.withdraw.version().get(),
        move |_, _, _| open.set(false),
        false,
    );
    let email = move || {
        actions
            .withdrawing
            .get()
            .map(|(_, e)| e)
            .unwrap_or_default()
    };
    view! {
        <Confirm
            open
            id="withdraw"
            title=Signal::derive(move || format!("Withdraw the invitation to {}?", email()))
            consequence=Signal::derive(move || {
                format!("The link sent to {} stops working at once. You can invite the address again later.", email())
            })
            confirm="Withdraw"
            busy=actions.withdraw.pending()
            on_confirm=Callback::new(move |()| {
                if let Some((id, _)) = actions.withdrawing.get_untracked() {
                    actions.withdraw.dispatch(WithdrawInvitation { org: org.clone(), id });
                }
            })
        />
    }
}

#[component]
pub fn InvitationList(
    listing: Vec<Invitation>,
    org: String,
    can_invite: bool,
    actions: Actions,
    now: i64,
) -> impl IntoView {
    if listing.is_empty() {
        return view! { <EmptyState message="No invitations here." /> }.into_any();
    }
    view! {
        <DataTable
            caption="Invitations"
            caption_hidden=true
            columns=&["Email", "Grants", "Invited by", "Sent", "Expires", "Status", "Actions"]
            class="members"
        >
            {listing
                .into_iter()
                .map(|i| {
                    let id = i.id;
                    let o1 = org.clone();
                    let open = can_invite && i.status.is_open();
                    let email = i.email.clone();
                    view! {
                        <tr data-testid="invitation-row">
                            <Cell label="Email">
                                <Truncated text=i.email />
                            </Cell>
                            <Cell label="Grants">{i.grants}</Cell>
                            <Cell label="Invited by">{i.invited_by}</Cell>
                            <Cell label="Sent">
                                <RelativeTime at=i.sent_at now />
                            </Cell>
                            <Cell label="Expires">
                                <RelativeTime at=i.expires_at now />
                            </Cell>
                            <Cell label="Status">
                                {i.status.label()}
                                {i.closed_at.map(|at| view! { " " <RelativeTime at now /> })}
                                {i.closed_reason.clone().map(|r| view! { <br /><span class="hint">{r}</span> })}
                            </Cell>
                            <Cell label="Actions" class="actions">
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
                                                on:click=move |_| actions.withdrawing.set(Some((id, email.clone())))
                                            >
                                                "Withdraw"
                                            </button>
                                        }
                                    })}
                            </Cell>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
    .into_any()
}
