//! Small pieces of text: times relative to now, long text ellipsised, empty lists.

use crate::{
    core::time::{TimeUnit, rfc3339, span, utc_minute},
    i18n::{t_string, use_i18n},
};
use leptos::{prelude::*, text_prop::TextProp};

/// "3 days ago", with the exact time on hover. `now` comes with the page's data so that the
/// server and the browser print the same text.
#[component]
pub fn RelativeTime(at: i64, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || -> String {
        use TimeUnit::*;
        let Some((count, unit, ahead)) = span(at, now) else {
            return t_string!(i18n, common.just_now).to_string();
        };
        match (unit, ahead) {
            (Minute, false) => t_string!(i18n, common.minutes_ago, count),
            (Hour, false) => t_string!(i18n, common.hours_ago, count),
            (Day, false) => t_string!(i18n, common.days_ago, count),
            (Week, false) => t_string!(i18n, common.weeks_ago, count),
            (Month, false) => t_string!(i18n, common.months_ago, count),
            (Year, false) => t_string!(i18n, common.years_ago, count),
            (Minute, true) => t_string!(i18n, common.in_minutes, count),
            (Hour, true) => t_string!(i18n, common.in_hours, count),
            (Day, true) => t_string!(i18n, common.in_days, count),
            (Week, true) => t_string!(i18n, common.in_weeks, count),
            (Month, true) => t_string!(i18n, common.in_months, count),
            (Year, true) => t_string!(i18n, common.in_years, count),
        }
        .to_string()
    };
    view! {
        <time datetime=rfc3339(at) title=utc_minute(at)>
            {text}
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
    #[prop(into)] message: TextProp,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <p>{move || message.get()}</p>
            {children.map(|c| c())}
        </div>
    }
}
