//! A list as a table on wide screens and as stacked cards on narrow ones (`style/main.css`,
//! `table.data`): each cell carries its column's name in `data-label`.

use leptos::prelude::*;

/// A table with a caption and column headers; rows are the children (`<tr>` with
/// `<td data-label=…>` cells, see [`Cell`]).
#[component]
pub fn DataTable(
    /// Says what the table lists (shown above it; also read by screen readers).
    #[prop(into)]
    caption: String,
    /// Hides the caption where the heading above already says it.
    #[prop(optional)]
    caption_hidden: bool,
    columns: &'static [&'static str],
    #[prop(optional, into)] class: String,
    #[prop(optional, into)] testid: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <table class=format!("data {class}") data-testid=testid>
            <caption class=caption_hidden.then_some("visually-hidden")>{caption}</caption>
            <thead>
                <tr>
                    {columns
                        .iter()
                        .map(|c| view! { <th scope="col">{*c}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// One cell, labelled with its column for the narrow-screen form.
#[component]
pub fn Cell(
    label: &'static str,
    #[prop(optional, into)] class: String,
    children: Children,
) -> impl IntoView {
    view! {
        <td data-label=label class=(!class.is_empty()).then_some(class)>
            {children()}
        </td>
    }
}
