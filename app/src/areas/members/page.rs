//! `/o/{org}/members`: status tabs, search and filters, keyset pages. The state lives in the
//! URL's query, so every view is a link and the page works without JavaScript too.

use crate::{
    areas::{
        invitations::page::InvitationsView,
        members::{
            serverfns::load_members,
            types::{MemberListing, MemberQuery, MemberRow, RoleGrant},
        },
        organizations::frame::org_page,
        roles::types::CustomRole,
    },
    core::{
        ids::{GroupId, NamedRef},
        kinds::MembershipStatus,
    },
    policy::{BuiltinRole, Permission},
    ui::components::{Cell, DataTable, EmptyState, RelativeTime, Truncated},
};
use leptos::prelude::*;
use leptos_router::{
    components::{A, Form},
    hooks::{use_params_map, use_query_map},
    params::ParamsMap,
};

const TABS: [(MembershipStatus, &str); 3] = [
    (MembershipStatus::Active, "Active"),
    (MembershipStatus::Deactivated, "Deactivated"),
    (MembershipStatus::Archived, "Archived"),
];

/// Reads the list's state from the URL; anything unreadable falls back to the default.
fn query_from(params: &ParamsMap) -> MemberQuery {
    let text = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    MemberQuery {
        status: text("status")
            .and_then(|s| MembershipStatus::parse(&s))
            .unwrap_or(MembershipStatus::Active),
        q: text("q"),
        role: text("role").and_then(|r| r.parse().ok()),
        group: text("group").and_then(|g| g.parse().ok()),
        two_factor: match text("two_factor").as_deref() {
            Some("on") => Some(true),
            Some("off") => Some(false),
            _ => None,
        },
        limit: text("limit")
            .and_then(|l| l.parse().ok())
            .filter(|l| MemberQuery::PAGE_SIZES.contains(l))
            .unwrap_or(25),
        cursor: text("cursor"),
    }
}

/// The URL query for `q` (without the cursor unless given).
fn href(q: &MemberQuery) -> String {
    let mut parts = vec![format!("status={}", q.status.as_str())];
    let mut push = |k: &str, v: &str| parts.push(format!("{k}={}", encode(v)));
    if let Some(s) = &q.q {
        push("q", s);
    }
    if let Some(r) = &q.role {
        push("role", &r.to_string());
    }
    if let Some(g) = &q.group {
        push("group", &g.to_string());
    }
    if let Some(t) = q.two_factor {
        push("two_factor", if t { "on" } else { "off" });
    }
    if q.limit != 25 {
        push("limit", &q.limit.to_string());
    }
    if let Some(c) = &q.cursor {
        push("cursor", c);
    }
    format!("?{}", parts.join("&"))
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

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
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading members…"</p> }>
            {move || {
                data.get()
                    .map(|r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            |d| {
                                let q = query();
                                let can_invite = d.frame.permissions.contains(Permission::MembersInvite);
                                let now = d.now;
                                view! {
                                    <div class="page-head">
                                        <h1>"Members"</h1>
                                        {can_invite
                                            .then(|| {
                                                view! {
                                                    <a href="?status=invited&invite" class="button">
                                                        "Invite people"
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

/// Active, Invited, Deactivated, Archived (SPEC §2). `current` is `None` on the Invited tab,
/// which lists the open invitations in place.
#[component]
pub fn StatusTabs(current: Option<MemberQuery>) -> impl IntoView {
    let base = current.clone().unwrap_or_else(MemberQuery::active);
    view! {
        <nav class="tabs" aria-label="Member status">
            {TABS
                .into_iter()
                .map(|(status, label)| {
                    let target = MemberQuery {
                        status,
                        cursor: None,
                        ..base.clone()
                    };
                    let here = current.as_ref().is_some_and(|c| c.status == status);
                    let invited = (status == MembershipStatus::Active)
                        .then(|| {
                            view! {
                                <a href="?status=invited" aria-current=current.is_none().then_some("page")>
                                    "Invited"
                                </a>
                            }
                        });
                    view! {
                        // A plain link: the router's <A> marks every tab of this path current.
                        <a href=href(&target) aria-current=here.then_some("page")>
                            {label}
                        </a>
                        {invited}
                    }
                })
                .collect_view()}
        </nav>
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
    view! {
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <input type="hidden" name="status" value=current.status.as_str() />
            <label class="grow">
                <span class="visually-hidden">"Search members"</span>
                <input
                    type="search"
                    name="q"
                    placeholder="Search by name, email or user id"
                    value=current.q.clone().unwrap_or_default()
                />
            </label>
            <label>
                <span class="visually-hidden">"Role"</span>
                <select name="role">
                    <option value="" selected=role.is_empty()>
                        "Any role"
                    </option>
                    {BuiltinRole::ALL
                        .into_iter()
                        .rev()
                        .map(|b| {
                            view! {
                                <option value=b.id() selected=role == b.id()>
                                    {b.name()}
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
                <span class="visually-hidden">"Group"</span>
                <select name="group">
                    <option value="" selected=group.is_empty()>
                        "Any group"
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
                <span class="visually-hidden">"Two-factor authentication"</span>
                <select name="two_factor">
                    <option value="" selected=two_factor.is_empty()>
                        "2FA: any"
                    </option>
                    <option value="on" selected=two_factor == "on">
                        "2FA on"
                    </option>
                    <option value="off" selected=two_factor == "off">
                        "2FA off"
                    </option>
                </select>
            </label>
            <label>
                <span class="visually-hidden">"Page size"</span>
                <select name="limit">
                    {MemberQuery::PAGE_SIZES
                        .into_iter()
                        .map(|n| {
                            view! {
                                <option value=n.to_string() selected=n == current.limit>
                                    {format!("{n} per page")}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary">
                "Apply"
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
    let total = listing.total;
    let filtered = current.q.is_some()
        || current.role.is_some()
        || current.group.is_some()
        || current.two_factor.is_some();
    let noun = if total == 1 { "member" } else { "members" };
    let count = match current.status {
        MembershipStatus::Active => format!("{total} active {noun}"),
        MembershipStatus::Deactivated => format!("{total} deactivated {noun}"),
        MembershipStatus::Archived => format!("{total} archived {noun}"),
    };
    if listing.items.is_empty() {
        let message = if filtered {
            "No members match this search. Try fewer words or another filter."
        } else {
            match current.status {
                MembershipStatus::Active => "No active members.",
                MembershipStatus::Deactivated => {
                    "No deactivated members: everyone is active or archived."
                }
                MembershipStatus::Archived => "No archived members: removed members appear here.",
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
    view! {
        <p class="count" data-testid="member-count">{count.clone()}</p>
        <DataTable
            caption=count
            caption_hidden=true
            columns=&["Name", "Email", "Roles", "Groups", "2FA", "Status", "Last sign-in"]
            class="members"
        >
            {listing
                .items
                .into_iter()
                .map(|m| view! { <MemberLine member=m org=org.clone() now /> })
                .collect_view()}
        </DataTable>
        <nav class="pager" aria-label="Pages">
            {first.map(|q| view! { <A href=href(&q)>"First page"</A> })}
            {next.map(|q| view! { <A href=href(&q)>"Next page"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn MemberLine(member: MemberRow, org: String, now: i64) -> impl IntoView {
    let href = format!("/o/{org}/members/{}", member.user_id);
    let status = match member.status {
        MembershipStatus::Active => "Active",
        MembershipStatus::Deactivated => "Deactivated",
        MembershipStatus::Archived => "Archived",
    };
    let held = member.merged_roles();
    view! {
        <tr data-testid="member-row">
            <Cell label="Name">
                <A href=href>{member.name}</A>
            </Cell>
            <Cell label="Email">
                <Truncated text=member.email />
            </Cell>
            <Cell label="Roles">{held.into_iter().map(|h| view! { <HeldBadge held=h /> }).collect_view()}</Cell>
            <Cell label="Groups">{member.groups.into_iter().map(|g| g.name).collect::<Vec<_>>().join(", ")}</Cell>
            <Cell label="2FA">{if member.two_factor { "On" } else { "Off" }}</Cell>
            <Cell label="Status">{status}</Cell>
            <Cell label="Last sign-in">
                {match member.last_sign_in_at {
                    Some(at) => view! { <RelativeTime at now /> }.into_any(),
                    None => "never".into_any(),
                }}
            </Cell>
        </tr>
    }
}

/// A role once, however many ways it is held: "Viewer", "Viewer via Finance" when only a group
/// gives it, "Viewer +Finance" when it is also given directly; the hover text says it in full.
#[component]
fn HeldBadge(held: crate::areas::members::types::HeldRole) -> impl IntoView {
    let title = held.sources();
    let label = held.label();
    let groups = held.via_groups.join(", ");
    match (held.direct, held.via_groups.is_empty()) {
        (true, true) => view! {
            <span class="badge" title=title>
                {label}
            </span>
        }
        .into_any(),
        (true, false) => view! {
            <span class="badge" title=title>
                {label}
                <span class="via">{format!(" +{groups}")}</span>
            </span>
        }
        .into_any(),
        (false, _) => view! {
            <span class="badge inherited" title=title>
                {label}
                <span class="via">{format!(" via {groups}")}</span>
            </span>
        }
        .into_any(),
    }
}

/// A role, with its project when bound to one, and the group it comes through when inherited.
#[component]
pub fn RoleBadge(grant: RoleGrant) -> impl IntoView {
    let label = match &grant.project {
        Some(p) => format!("{} · {}", grant.role_name, p.name),
        None => grant.role_name.clone(),
    };
    match grant.via_group {
        Some(g) => {
            let title = format!("Inherited through the group {}", g.name);
            view! {
                <span class="badge inherited" title=title>
                    {label}
                    <span class="via">{format!(" via {}", g.name)}</span>
                </span>
            }
            .into_any()
        }
        None => view! { <span class="badge">{label}</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_query_round_trips() {
        let q = MemberQuery {
            status: MembershipStatus::Deactivated,
            q: Some("ada lovelace & co".into()),
            role: Some("editor".parse().expect("role")),
            group: None,
            two_factor: Some(false),
            limit: 50,
            cursor: Some("abc_-".into()),
        };
        let link = href(&q);
        let mut map = ParamsMap::new();
        for pair in link.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').expect("pair");
            let v = percent_decode(v);
            map.insert(k.to_string(), v);
        }
        assert_eq!(query_from(&map), q);
    }

    #[test]
    fn unreadable_values_fall_back_to_defaults() {
        let mut map = ParamsMap::new();
        map.insert("status".to_string(), "bogus".to_string());
        map.insert("limit".to_string(), "1000".to_string());
        map.insert("role".to_string(), "superuser".to_string());
        assert_eq!(query_from(&map), MemberQuery::active());
    }

    fn percent_decode(v: &str) -> String {
        let bytes = v.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).expect("hex"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("utf8")
    }
}
