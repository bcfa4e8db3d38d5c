//! The members page's state in the URL (status tab, search, filters, page) and its status
//! tabs, which the Invited tab (the invitations list, in place) shows too.

use crate::{
    areas::members::types::MemberQuery,
    core::kinds::MembershipStatus,
    i18n::{t_string, use_i18n},
};
use leptos::prelude::*;
use leptos_router::params::ParamsMap;

const TABS: [MembershipStatus; 3] = [
    MembershipStatus::Active,
    MembershipStatus::Deactivated,
    MembershipStatus::Archived,
];

/// Reads the list's state from the URL; anything unreadable falls back to the default.
pub fn query_from(params: &ParamsMap) -> MemberQuery {
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
pub fn href(q: &MemberQuery) -> String {
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

/// Active, Invited, Deactivated, Archived (SPEC §2). `current` is `None` on the Invited tab,
/// which lists the open invitations in place.
#[component]
pub fn StatusTabs(current: Option<MemberQuery>) -> impl IntoView {
    let base = current.clone().unwrap_or_else(MemberQuery::active);
    let i18n = use_i18n();
    view! {
        <nav class="tabs" aria-label=move || t_string!(i18n, members.tabs_label)>
            {TABS
                .into_iter()
                .map(|status| {
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
                                    {tr!(i18n, members.tab_invited)}
                                </a>
                            }
                        });
                    view! {
                        // A plain link: the router's <A> marks every tab of this path current.
                        <a href=href(&target) aria-current=here.then_some("page")>
                            {move || match status {
                                MembershipStatus::Active => t_string!(i18n, members.tab_active),
                                MembershipStatus::Deactivated => t_string!(i18n, members.tab_deactivated),
                                MembershipStatus::Archived => t_string!(i18n, members.tab_archived),
                            }}
                        </a>
                        {invited}
                    }
                })
                .collect_view()}
        </nav>
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
