//! `/o/{org}/members`: status tabs, search and filters, keyset pages. The state lives in the
//! URL's query, so every view is a link and the page works without JavaScript too.

use crate::i18n::{t, t_string, use_i18n};
use crate::{
    areas::members::badges::HeldBadge,
    areas::{
        invitations::page::InvitationsView,
        members::{
            serverfns::load_members,
            tabs::{StatusTabs, href, query_from},
            types::{MemberListing, MemberQuery, MemberRow},
        },
        organizations::frame::org_page,
        roles::types::CustomRole,
    },
    core::{
        ids::{GroupId, NamedRef},
        kinds::MembershipStatus,
        language::Language,
    },
    policy::{BuiltinRole, Permission},
    ui::components::{Cell, DataTable, EmptyState, RelativeTime, Truncated},
};
use leptos::prelude::*;
use leptos_router::{
    components::{A, Form},
    hooks::{use_params_map, use_query_map},
};

#[component]
pub fn MembersView() -> impl IntoView {
    let query_map = use_query_map();
    let invited = move || query_map.read().get("status").as_deref() == Some("invited");
    view! {
        <Show when=invited fallback=|| view! { <MemberList /> }>
            <InvitationsView members_tab=true />
        </Show>
    }
}

/// The Active, Deactivated and Archived tabs.
#[component]
fn MemberList() -> impl IntoView {
    let params = use_params_map();
    let query_map = use_query_map();
    let org = move || params.read().get("org").unwrap_or_default();
    let query = move || query_from(&query_map.read());
    let data = Resource::new(move || (org(), query()), |(org, q)| load_members(org, q));
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{tr!(i18n, members.loading)}</p> }>
            {move || {
                data.get()
                    .map(|r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| {
                                let q = query();
                                let can_invite = d.frame.permissions.contains(Permission::MembersInvite);
                                let now = d.now;
                                view! {
                                    <div class="page-head">
                                        <h1>{tr!(i18n, members.title)}</h1>
                                        {can_invite
                                            .then(|| {
                                                view! {
                                                    <a href="?status=invited&invite" class="button">
                                                        {tr!(i18n, members.invite_people)}
                                                    </a>
                                                }
                                            })}
                                    </div>
                                    <StatusTabs current=Some(q.clone()) />
                                    <Filters current=q.clone() groups=d.groups roles=d.roles />
                                    <MembersList listing=d.page.listing current=q org=org() now />
                                }
                                    .into_any()
                            },
                        )
                    })
            }}
        </Transition>
    }
}

#[component]
fn Filters(
    current: MemberQuery,
    groups: Vec<NamedRef<GroupId>>,
    roles: Vec<CustomRole>,
) -> impl IntoView {
    let role = current.role.map(|r| r.to_string()).unwrap_or_default();
    let group = current.group.map(|g| g.to_string()).unwrap_or_default();
    let two_factor = match current.two_factor {
        Some(true) => "on",
        Some(false) => "off",
        None => "",
    };
    let i18n = use_i18n();
    view! {
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <input type="hidden" name="status" value=current.status.as_str() />
            <label class="grow">
                <span class="visually-hidden">{tr!(i18n, members.search_label)}</span>
                <input
                    type="search"
                    name="q"
                    placeholder=move || t_string!(i18n, members.search_placeholder)
                    value=current.q.clone().unwrap_or_default()
                />
            </label>
            <label>
                <span class="visually-hidden">{tr!(i18n, members.role_label)}</span>
                <select name="role">
                    <option value="" selected=role.is_empty()>
                        {tr!(i18n, members.any_role)}
                    </option>
                    {BuiltinRole::ALL
                        .into_iter()
                        .rev()
                        .map(|b| {
                            view! {
                                <option value=b.id() selected=role == b.id()>
                                    {move || crate::ui::bindings::builtin_role_name(i18n, b)}
                                </option>
                            }
                        })
                        .collect_view()}
                    {roles
                        .into_iter()
                        .map(|r| {
                            let id = r.id.to_string();
                            view! {
                                <option value=id.clone() selected=role == id>
                                    {r.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                <span class="visually-hidden">{tr!(i18n, members.group_label)}</span>
                <select name="group">
                    <option value="" selected=group.is_empty()>
                        {tr!(i18n, members.any_group)}
                    </option>
                    {groups
                        .into_iter()
                        .map(|g| {
                            let id = g.id.to_string();
                            view! {
                                <option value=id.clone() selected=group == id>
                                    {g.name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                <span class="visually-hidden">{tr!(i18n, members.two_factor_label)}</span>
                <select name="two_factor">
                    <option value="" selected=two_factor.is_empty()>
                        {tr!(i18n, members.two_factor_any)}
                    </option>
                    <option value="on" selected=two_factor == "on">
                        {tr!(i18n, members.two_factor_on)}
                    </option>
                    <option value="off" selected=two_factor == "off">
                        {tr!(i18n, members.two_factor_off)}
                    </option>
                </select>
            </label>
            <label>
                <span class="visually-hidden">{tr!(i18n, members.page_size_label)}</span>
                <select name="limit">
                    {MemberQuery::PAGE_SIZES
                        .into_iter()
                        .map(|n| {
                            view! {
                                <option value=n.to_string() selected=n == current.limit>
                                    {t!(i18n, members.per_page, n)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary">
                {tr!(i18n, members.apply)}
            </button>
        </Form>
    }
}

#[component]
fn MembersList(
    listing: MemberListing,
    current: MemberQuery,
    org: String,
    now: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = listing.total;
    let estimate = listing.total_is_estimate;
    let filtered = current.q.is_some()
        || current.role.is_some()
        || current.group.is_some()
        || current.two_factor.is_some();
    let status = current.status;
    let count = move || {
        // A count that stopped at its cap or its budget reads "10,000+" or "N+".
        let mut shown = Language::from_locale(i18n.get_locale()).number(total);
        if estimate {
            shown.push('+');
        }
        match status {
            MembershipStatus::Active => {
                t_string!(i18n, members.count_active, count = total, shown)
            }
            MembershipStatus::Deactivated => {
                t_string!(i18n, members.count_deactivated, count = total, shown)
            }
            MembershipStatus::Archived => {
                t_string!(i18n, members.count_archived, count = total, shown)
            }
        }
    };
    if listing.items.is_empty() {
        let message = move || {
            if filtered {
                t_string!(i18n, members.no_match)
            } else {
                match status {
                    MembershipStatus::Active => t_string!(i18n, members.none_active),
                    MembershipStatus::Deactivated => t_string!(i18n, members.none_deactivated),
                    MembershipStatus::Archived => t_string!(i18n, members.none_archived),
                }
            }
        };
        return view! {
            <p class="count" data-testid="member-count">{count}</p>
            <EmptyState message />
        }
        .into_any();
    }
    let first = current.cursor.is_some().then(|| MemberQuery {
        cursor: None,
        ..current.clone()
    });
    let next = listing.next_cursor.map(|c| MemberQuery {
        cursor: Some(c),
        ..current.clone()
    });
    let columns = move || {
        vec![
            t_string!(i18n, members.col_name),
            t_string!(i18n, members.col_email),
            t_string!(i18n, members.col_roles),
            t_string!(i18n, members.col_groups),
            t_string!(i18n, members.col_two_factor),
            t_string!(i18n, members.col_status),
            t_string!(i18n, members.col_last_sign_in),
        ]
    };
    view! {
        <p class="count" data-testid="member-count">{count}</p>
        <DataTable caption=count caption_hidden=true columns class="members">
            {listing
                .items
                .into_iter()
                .map(|m| view! { <MemberLine member=m org=org.clone() now /> })
                .collect_view()}
        </DataTable>
        <nav class="pager" aria-label=move || t_string!(i18n, members.pages_label)>
            {first.map(|q| view! { <A href=href(&q)>{tr!(i18n, members.first_page)}</A> })}
            {next.map(|q| view! { <A href=href(&q)>{tr!(i18n, members.next_page)}</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn MemberLine(member: MemberRow, org: String, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/o/{org}/members/{}", member.user_id);
    let status = member.status;
    let held = member.merged_roles();
    let two_factor = member.two_factor;
    view! {
        <tr data-testid="member-row">
            <Cell label=move || t_string!(i18n, members.col_name)>
                <A href=href>{member.name}</A>
            </Cell>
            <Cell label=move || t_string!(i18n, members.col_email)>
                <Truncated text=member.email />
            </Cell>
            <Cell label=move || t_string!(i18n, members.col_roles)>
                {held.into_iter().map(|h| view! { <HeldBadge held=h /> }).collect_view()}
            </Cell>
            <Cell label=move || t_string!(i18n, members.col_groups)>
                {member.groups.into_iter().map(|g| g.name).collect::<Vec<_>>().join(", ")}
            </Cell>
            <Cell label=move || t_string!(i18n, members.col_two_factor)>
                {move || if two_factor { t_string!(i18n, members.on) } else { t_string!(i18n, members.off) }}
            </Cell>
            <Cell label=move || t_string!(i18n, members.col_status)>
                {move || match status {
                    MembershipStatus::Active => t_string!(i18n, members.tab_active),
                    MembershipStatus::Deactivated => t_string!(i18n, members.tab_deactivated),
                    MembershipStatus::Archived => t_string!(i18n, members.tab_archived),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, members.col_last_sign_in)>
                {match member.last_sign_in_at {
                    Some(at) => view! { <RelativeTime at now /> }.into_any(),
                    None => tr!(i18n, members.never).into_any(),
                }}
            </Cell>
        </tr>
    }
}
