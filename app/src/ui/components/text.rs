//! Small pieces of text: times relative to now, long text ellipsised, empty lists.

use crate::core::time::{relative, rfc3339, utc_minute};
use leptos::prelude::*;

/// "3 days ago", with the exact time on hover. `now` comes with the page's data so that the
/// server and the browser print the same text.
#[component]
pub fn RelativeTime(at: i64, now: i64) -> impl IntoView {
    view! {
        <time datetime=rfc3339(at) title=utc_minute(at)>
            {relative(at, now)}
        </time>
    }
}

/// Text that may be long (an email address): one line, ellipsised, the whole on hover.
#[component]
pub fn Truncated(#[prop(into)] text: String) -> impl IntoView {
    let title = text.clone();
    view! {
        <span class="truncate" title=title>
            {text}
        </span>
    }
}

/// What a list shows when there is nothing in it: what is missing, and what to do about it.
#[component]
pub fn EmptyState(
    #[prop(into)] message: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <p>{message}</p>
            {children.map(|c| c())}
        </div>
    }
}
