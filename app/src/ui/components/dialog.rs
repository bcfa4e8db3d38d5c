//! Dialogs: the browser's own `<dialog>` shown modally, so the page behind is inert (focus stays
//! in the dialog), Escape closes it and focus returns to what opened it.

use crate::error::AppError;
use crate::i18n::{t_string, use_i18n};
use leptos::{prelude::*, text_prop::TextProp};

/// A modal dialog, open while `open` is true. Closing it (Escape, the × button, or a form in
/// it setting `open` to false) sets `open` back to false.
#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    /// A page-unique id; the title's element gets `{id}-title`.
    id: &'static str,
    #[prop(into)] title: TextProp,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let node = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let want = open.get();
        #[cfg(feature = "hydrate")]
        if let Some(d) = node.get() {
            if want && !d.open() {
                let _ = d.show_modal();
            } else if !want && d.open() {
                d.close();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (want, node);
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=node
            id=id
            class="modal"
            aria-labelledby=labelled_by
            on:close=move |_| open.set(false)
        >
            <div class="dialog-head">
                <h2 id=title_id>{move || title.get()}</h2>
                <button type="button" class="icon" aria-label=move || t_string!(i18n, common.close) on:click=move |_| open.set(false)>
                    "×"
                </button>
            </div>
            <div class="dialog-body">{children()}</div>
        </dialog>
    }
}

/// A confirmation of something that cannot be undone: it states the exact consequence, and
/// Cancel (which has the focus first) is the default.
#[component]
pub fn Confirm(
    open: RwSignal<bool>,
    id: &'static str,
    #[prop(into)] title: TextProp,
    /// What will happen, in a sentence or two.
    #[prop(into)]
    consequence: TextProp,
    /// The button that does it ("Remove member").
    #[prop(into)]
    confirm: TextProp,
    /// True while the action runs.
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Dialog open id title>
            <p>{move || consequence.get()}</p>
            <div class="dialog-actions">
                <button type="button" class="secondary" autofocus on:click=move |_| open.set(false)>
                    {tr!(i18n, common.cancel)}
                </button>
                <button
                    type="button"
                    class="danger"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().then_some("true")
                    on:click=move |_| on_confirm.run(())
                >
                    {move || confirm.get()}
                </button>
            </div>
        </Dialog>
    }
}

/// Whether a confirmation about `target` is open: it opens when `target` is set (the row's
/// button sets it) and closing it clears `target` again.
pub fn open_while<T: Send + Sync + 'static>(target: RwSignal<Option<T>>) -> RwSignal<bool> {
    let open = RwSignal::new(false);
    // Each side changes the other only when it differs, or the two would wake each other
    // for ever.
    Effect::new(move |_| {
        let want = target.with(Option::is_some);
        if open.get_untracked() != want {
            open.set(want);
        }
    });
    Effect::new(move |_| {
        if !open.get() && target.with_untracked(Option::is_some) {
            target.set(None);
        }
    });
    open
}

/// Closes the dialog `open` each time the action whose `value` this is succeeds (a refusal
/// keeps it open, with the error in it).
pub fn close_on_success<T, S>(value: S, open: RwSignal<bool>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Effect::watch(
        move || matches!(value.get(), Some(Ok(_))),
        move |ok, _, _| {
            if *ok {
                open.set(false);
            }
        },
        false,
    );
}
