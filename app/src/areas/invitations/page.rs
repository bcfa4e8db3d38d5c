//! `/o/{org}/invitations`: invite one address or many, and the invitations by status with
//! resend and withdraw.

use crate::i18n::{Locale, t_string, use_i18n};
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
            types::{Invitation, InvitationGrants, InvitationStatus},
        },
        members::tabs::StatusTabs,
        organizations::{
            frame::{announce_both, org_page, org_param, outcome},
            types::OrgFrame,
        },
        projects::types::Project,
        roles::types::CustomRole,
    },
    core::language::Language,
    error::AppError,
    policy::Permission,
    ui::{
        bindings::{role_choices, role_name},
        components::{
            Cell, Confirm, DataTable, Dialog, EmptyState, RelativeTime, Truncated, open_while,
        },
    },
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
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
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{tr!(i18n, invitations.loading)}</p> }>
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
    let i18n = use_i18n();
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
            <h1>
                {move || {
                    if members_tab {
                        t_string!(i18n, members.title)
                    } else {
                        t_string!(i18n, invitations.title)
                    }
                }}
            </h1>
            {can_invite
                .then(|| {
                    view! {
                        <div class="head-actions">
                            <button type="button" id="open-invite" on:click=move |_| actions.invite_open.set(true)>
                                {tr!(i18n, invitations.invite_people)}
                            </button>
                            <button
                                type="button"
                                id="open-bulk"
                                class="secondary"
                                on:click=move |_| actions.bulk_open.set(true)
                            >
                                {tr!(i18n, invitations.invite_many)}
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
                    <Dialog open=actions.invite_open id="invite" title=move || t_string!(i18n, invitations.invite_someone)>
                        <InviteForm org=org1 roles projects=s.projects groups=s.groups actions />
                    </Dialog>
                    <Dialog open=actions.bulk_open id="bulk" title=move || t_string!(i18n, invitations.invite_many)>
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
                    let status = d.status;
                    let total = d.listing.total;
                    // The number as the page's language writes it ("1.234" in German).
                    let count = move || {
                        let shown = Language::from_locale(i18n.get_locale()).number(total);
                        match status {
                            None => t_string!(i18n, invitations.count_open, count = total, shown),
                            Some(InvitationStatus::Pending) => {
                                t_string!(i18n, invitations.count_pending, count = total, shown)
                            }
                            Some(InvitationStatus::Expired) => {
                                t_string!(i18n, invitations.count_expired, count = total, shown)
                            }
                            Some(InvitationStatus::Accepted) => {
                                t_string!(i18n, invitations.count_accepted, count = total, shown)
                            }
                            Some(InvitationStatus::Withdrawn) => {
                                t_string!(i18n, invitations.count_withdrawn, count = total, shown)
                            }
                        }
                        .to_string()
                    };
                    view! {
                        <InvitationList listing=d.listing.items.clone() org can_invite actions now=d.now />
                        <p class="count" data-testid="invitation-count">
                            {count}
                        </p>
                        {d.listing
                            .next_cursor
                            .map(|c| {
                                view! {
                                    <nav class="pager" aria-label=move || t_string!(i18n, invitations.pages_label)>
                                        <A href=format!("?status={tab}&after={c}")>{tr!(i18n, invitations.next_page)}</A>
                                    </nav>
                                }
                            })}
                    }
                })
        }}
        {announce_both(actions.resend.value(), move || t_string!(i18n, invitations.resent))}
        {outcome(actions.withdraw.value(), move || t_string!(i18n, invitations.withdrawn))}
    }
}

/// Pending, Expired, Accepted, Withdrawn.
#[component]
fn InvitationTabs(
    status: impl Fn() -> Option<InvitationStatus> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="tabs" aria-label=move || t_string!(i18n, invitations.tabs_label)>
            {InvitationStatus::ALL
                .into_iter()
                .map(|st| {
                    view! {
                        <a
                            href=format!("?status={}", st.as_str())
                            aria-current=move || (Some(st) == status()).then_some("page")
                        >
                            {move || status_label(i18n, st)}
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
    let i18n = use_i18n();
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
            title=move || t_string!(i18n, invitations.withdraw_title, email = email())
            consequence=move || t_string!(i18n, invitations.withdraw_consequence, email = email())
            confirm=move || t_string!(i18n, invitations.withdraw)
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
    let i18n = use_i18n();
    if listing.is_empty() {
        return view! { <EmptyState message=move || t_string!(i18n, invitations.none) /> }
            .into_any();
    }
    let columns = move || {
        vec![
            t_string!(i18n, invitations.email),
            t_string!(i18n, invitations.col_grants),
            t_string!(i18n, invitations.col_invited_by),
            t_string!(i18n, invitations.col_sent),
            t_string!(i18n, invitations.col_expires),
            t_string!(i18n, invitations.col_status),
            t_string!(i18n, invitations.col_actions),
        ]
    };
    view! {
        <DataTable
            caption=move || t_string!(i18n, invitations.title)
            caption_hidden=true
            columns
            class="members"
        >
            {listing
                .into_iter()
                .map(|i| {
                    let id = i.id;
                    let o1 = org.clone();
                    let open = can_invite && i.status.is_open();
                    let email = i.email.clone();
                    let status = i.status;
                    view! {
                        <tr data-testid="invitation-row">
                            <Cell label=move || t_string!(i18n, invitations.email)>
                                <Truncated text=i.email />
                            </Cell>
                            <Cell label=move || t_string!(i18n, invitations.col_grants) class="grants">
                                {move || grants_words(i18n, &i.grants)}
                            </Cell>
                            <Cell label=move || t_string!(i18n, invitations.col_invited_by)>{i.invited_by}</Cell>
                            <Cell label=move || t_string!(i18n, invitations.col_sent)>
                                <RelativeTime at=i.sent_at now />
                            </Cell>
                            <Cell label=move || t_string!(i18n, invitations.col_expires)>
                                <RelativeTime at=i.expires_at now />
                            </Cell>
                            <Cell label=move || t_string!(i18n, invitations.col_status)>
                                {move || status_label(i18n, status)}
                                {i.closed_at.map(|at| view! { " " <RelativeTime at now /> })}
                                // The only reason the server records (see `sender.rs`): the
                                // sender lost the authority to grant what it offers.
                                {i.closed_reason
                                    .is_some()
                                    .then(|| {
                                        view! {
                                            <br />
                                            <span class="hint">{tr!(i18n, invitations.reason_sender_lacks_authority)}</span>
                                        }
                                    })}
                            </Cell>
                            <Cell label=move || t_string!(i18n, invitations.col_actions) class="actions">
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
                                                {tr!(i18n, invitations.resend)}
                                            </button>
                                            <button
                                                type="button"
                                                class="danger"
                                                on:click=move |_| actions.withdrawing.set(Some((id, email.clone())))
                                            >
                                                {tr!(i18n, invitations.withdraw)}
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

/// An invitation's status as the tabs and the list name it.
fn status_label(i18n: I18nContext<Locale>, status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => t_string!(i18n, invitations.status_pending),
        InvitationStatus::Expired => t_string!(i18n, invitations.status_expired),
        InvitationStatus::Accepted => t_string!(i18n, invitations.status_accepted),
        InvitationStatus::Withdrawn => t_string!(i18n, invitations.status_withdrawn),
    }
}

/// "Editor; Viewer in project Apollo; groups: Ops", in the page's language: built-in roles by
/// their translated names, custom roles, projects and groups as they were named.
fn grants_words(i18n: I18nContext<Locale>, grants: &InvitationGrants) -> String {
    let mut parts: Vec<String> = grants
        .roles
        .iter()
        .map(|g| {
            let role = g
                .role
                .map_or_else(|| g.name.clone(), |id| role_name(i18n, id, &g.name));
            match &g.project {
                None => role,
                Some(project) => {
                    t_string!(i18n, invitations.grant_in_project, role, project).to_string()
                }
            }
        })
        .collect();
    if !grants.groups.is_empty() {
        let names = grants.groups.join(", ");
        parts.push(t_string!(i18n, invitations.grant_groups, names).to_string());
    }
    if parts.is_empty() {
        return t_string!(i18n, invitations.grant_nothing).to_string();
    }
    parts.join("; ")
}
