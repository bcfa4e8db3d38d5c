//! Form pieces: a labelled field with the server's message for it, a submit button that
//! shows it is busy while its server function runs, and a dialog form's footer.

use super::field_error;
use crate::error::AppError;
use crate::i18n::use_i18n;
use leptos::{prelude::*, text_prop::TextProp};

/// A labelled field (the input is the child) with an optional hint and, after a refused
/// submission (422), the server's message for this field.
#[component]
pub fn Field(
    #[prop(into)] label: TextProp,
    /// The field's name as the server's errors give it.
    field: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional, into)] hint: Option<TextProp>,
    children: Children,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">{move || label.get()}</span>
            {children()}
            {hint.map(|h| view! { <span class="hint">{move || h.get()}</span> })}
            {move || field_error(error.get(), field)}
        </label>
    }
}

/// A submit button that is disabled and marked busy while `busy` is true.
#[component]
pub fn Submit(
    #[prop(into)] label: TextProp,
    #[prop(into)] busy: Signal<bool>,
    #[prop(optional, into)] class: String,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class=(!class.is_empty()).then_some(class)
            disabled=move || busy.get()
            aria-busy=move || busy.get().then_some("true")
        >
            {move || label.get()}
        </button>
    }
}

/// The footer of a form in a dialog: Cancel (closes the dialog) and the submit button.
#[component]
pub fn DialogActions(
    /// The dialog's open state.
    open: RwSignal<bool>,
    #[prop(into)] submit: TextProp,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="dialog-actions">
            <button type="button" class="secondary" on:click=move |_| open.set(false)>
                {tr!(i18n, common.cancel)}
            </button>
            <Submit label=submit busy />
        </div>
    }
}
