//! A list as a table on wide screens and as stacked cards on narrow ones (`style/main.css`,
//! `table.data`): each cell carries its column's name in `data-label`.

use leptos::{prelude::*, text_prop::TextProp};
use std::sync::Arc;

/// A table's column names: fixed, or read anew when the language changes.
#[derive(Clone)]
pub struct Columns(Arc<dyn Fn() -> Vec<String> + Send + Sync>);

impl<const N: usize> From<&'static [&'static str; N]> for Columns {
    fn from(names: &'static [&'static str; N]) -> Self {
        Columns(Arc::new(move || {
            names.iter().map(|n| n.to_string()).collect()
        }))
    }
}

impl<F, S> From<F> for Columns
where
    F: Fn() -> Vec<S> + Send + Sync + 'static,
    S: ToString,
{
    fn from(names: F) -> Self {
        Columns(Arc::new(move || {
            names().iter().map(ToString::to_string).collect()
        }))
    }
}

/// A table with a caption and column headers; rows are the children (`<tr>` with
/// `<td data-label=…>` cells, see [`Cell`]).
#[component]
pub fn DataTable(
    /// Says what the table lists (shown above it; also read by screen readers).
    #[prop(into)]
    caption: TextProp,
    /// Hides the caption where the heading above already says it.
    #[prop(optional)]
    caption_hidden: bool,
    #[prop(into)] columns: Columns,
    #[prop(optional, into)] class: String,
    #[prop(optional, into)] testid: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <table class=format!("data {class}") data-testid=testid>
            <caption class=caption_hidden.then_some("visually-hidden")>{move || caption.get()}</caption>
            <thead>
                <tr>
                    {move || {
                        (columns.0)()
                            .into_iter()
                            .map(|c| view! { <th scope="col">{c}</th> })
                            .collect_view()
                    }}
                </tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// One cell, labelled with its column for the narrow-screen form.
#[component]
pub fn Cell(
    #[prop(into)] label: TextProp,
    #[prop(optional, into)] class: String,
    children: Children,
) -> impl IntoView {
    view! {
        <td data-label=move || label.get().to_string() class=(!class.is_empty()).then_some(class)>
            {children()}
        </td>
    }
}
