//! Toasts: a short confirmation after an action, announced by screen readers (an ARIA live
//! region) and gone after a few seconds.

use crate::error::AppError;
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    text: String,
    error: bool,
}

/// The console's toasts; `use_toasts()` reaches them from any page.
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

/// How long a toast stays.
const SHOWN_MS: u64 = 6_000;

impl Toasts {
    /// Something worked ("Invitation sent.").
    pub fn ok(&self, text: impl Into<String>) {
        self.push(text.into(), false);
    }

    /// Something failed, with the server's message.
    pub fn error(&self, e: &AppError) {
        self.push(e.to_string(), true);
    }

    fn push(&self, text: String, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.list.update(|l| l.push(Toast { id, text, error }));
        let list = self.list;
        set_timeout(
            move || list.update(|l| l.retain(|t| t.id != id)),
            std::time::Duration::from_millis(SHOWN_MS),
        );
    }
}

/// Makes the toasts available to every page (called once, by the app).
pub fn provide_toasts() {
    provide_context(Toasts {
        list: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    });
}

/// The console's toasts.
pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Where toasts appear (once per page, bottom right): confirmations in a polite live region;
/// a failure is an alert of its own (`role=alert`), which a screen reader announces at once
/// when it appears.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    let shown = move |error: bool| {
        move || {
            toasts
                .list
                .get()
                .into_iter()
                .filter(|t| t.error == error)
                .collect::<Vec<_>>()
        }
    };
    view! {
        <div class="toasts" data-testid="toasts">
            <div role="status" aria-live="polite">
                <For each=shown(false) key=|t| t.id let:t>
                    <p class="toast ok">{t.text}</p>
                </For>
            </div>
            <div>
                <For each=shown(true) key=|t| t.id let:t>
                    <p class="toast error" role="alert">
                        {t.text}
                    </p>
                </For>
            </div>
        </div>
    }
}
