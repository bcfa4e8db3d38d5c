//! Inviting many people at once from a list or a CSV file, with a report line for each.

use crate::i18n::{Locale, t, t_string, tu_string, use_i18n};
use crate::{
    areas::invitations::{
        actions::*,
        serverfns::bulk_invite,
        types::{BULK_CHUNK, BULK_MAX_LINES, BulkOutcome, parse_bulk},
    },
    error::AppError,
    policy::{BuiltinRole, RoleId},
    ui::{bindings::role_name, components::ErrorNotice},
};
use leptos::{children::ChildrenFn, prelude::*};
use leptos_i18n::I18nContext;

/// Pasted lines or an uploaded CSV (`email,role[,groups]`), sent in chunks with progress and
/// a report per line.
#[component]
pub fn BulkForm(org: String, roles: Vec<(RoleId, String)>, actions: Actions) -> impl IntoView {
    let BulkState {
        text,
        reports,
        progress,
        error,
    } = actions.bulk;
    let i18n = use_i18n();
    let role = RwSignal::new(RoleId::Builtin(BuiltinRole::Viewer));
    let running = move || progress.get().is_some_and(|(done, all)| done < all);
    let org = StoredValue::new(org);
    let start = move |_| {
        let lines = parse_bulk(&text.get());
        reports.set(Vec::new());
        error.set(None);
        if lines.is_empty() {
            error.set(Some(AppError::field(
                "lines",
                tu_string!(i18n, invitations.error_no_lines),
            )));
            return;
        }
        if lines.len() > BULK_MAX_LINES {
            error.set(Some(AppError::field(
                "lines",
                tu_string!(i18n, invitations.error_too_many_lines, max = BULK_MAX_LINES),
            )));
            return;
        }
        let total = lines.len();
        progress.set(Some((0, total)));
        let default_role = role.get();
        let org = org.get_value();
        leptos::task::spawn_local(async move {
            for chunk in lines.chunks(BULK_CHUNK) {
                match bulk_invite(org.clone(), default_role, chunk.to_vec()).await {
                    Ok(r) => {
                        reports.update(|all| all.extend(r));
                        progress.update(|p| {
                            if let Some((done, _)) = p {
                                *done += chunk.len();
                            }
                        });
                    }
                    Err(e) => {
                        error.set(Some(e));
                        progress.set(None);
                        break;
                    }
                }
            }
            actions.bulk_done.update(|n| *n += 1);
        });
    };
    view! {
        <p class="hint">
            {t!(
                i18n,
                invitations.bulk_hint,
                <code> = |children: ChildrenFn| view! { <code>{children()}</code> }
            )}
        </p>
        <label>
            {tr!(i18n, invitations.addresses)}
            <textarea
                name="lines"
                rows="6"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
        </label>
        <label>
            {tr!(i18n, invitations.upload_csv)}
            <input type="file" accept=".csv,text/csv,text/plain" on:change=move |ev| read_file(ev, text, error, i18n) />
        </label>
        <label>
            {tr!(i18n, invitations.default_role)}
            <select on:change=move |ev| {
                if let Ok(r) = event_target_value(&ev).parse() {
                    role.set(r);
                }
            }>
                {roles
                    .into_iter()
                    .map(|(id, name)| {
                        view! {
                            <option value=id.to_string() selected=move || role.get() == id>
                                {move || role_name(i18n, id, &name)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
        <button type="button" on:click=start disabled=running>
            {tr!(i18n, invitations.invite_all)}
        </button>
        {move || {
            progress
                .get()
                .map(|(done, all)| {
                    view! {
                        <p class="progress" role="status" data-testid="bulk-progress">
                            <progress max=all value=done></progress>
                            " "
                            {move || t_string!(i18n, invitations.progress, done, count = all)}
                        </p>
                    }
                })
        }}
        {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        {move || {
            let rows = reports.get();
            (!rows.is_empty())
                .then(|| {
                    view! {
                        <table class="members" data-testid="bulk-report">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(i18n, invitations.col_line)}</th>
                                    <th scope="col">{tr!(i18n, invitations.email)}</th>
                                    <th scope="col">{tr!(i18n, invitations.col_result)}</th>
                                    <th scope="col">{tr!(i18n, invitations.col_detail)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let class = if r.outcome == BulkOutcome::Invited { "ok" } else { "warn" };
                                        let outcome = r.outcome;
                                        view! {
                                            <tr data-testid="bulk-line">
                                                <td>{r.line}</td>
                                                <td>{r.email}</td>
                                                <td class=class>{move || outcome_label(i18n, outcome)}</td>
                                                <td>{r.message}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })
        }}
    }
}

/// What happened to a line, in the page's language.
fn outcome_label(i18n: I18nContext<Locale>, outcome: BulkOutcome) -> &'static str {
    match outcome {
        BulkOutcome::Invited => t_string!(i18n, invitations.outcome_invited),
        BulkOutcome::AlreadyMember => t_string!(i18n, invitations.outcome_already_member),
        BulkOutcome::AlreadyInvited => t_string!(i18n, invitations.outcome_already_invited),
        BulkOutcome::Invalid => t_string!(i18n, invitations.outcome_invalid),
        BulkOutcome::OverCap => t_string!(i18n, invitations.outcome_over_cap),
        BulkOutcome::NotAllowed => t_string!(i18n, invitations.outcome_not_allowed),
    }
}

/// Reads the chosen file into the text area (in the browser; at most 5 MiB). Its errors are
/// worded in the language of the moment (untracked: they are set once).
#[allow(unused_variables)]
pub fn read_file(
    ev: leptos::ev::Event,
    text: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    i18n: I18nContext<Locale>,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        const MAX_BYTES: f64 = 5.0 * 1024.0 * 1024.0;
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        if file.size() > MAX_BYTES {
            error.set(Some(AppError::field(
                "file",
                tu_string!(i18n, invitations.error_file_too_large),
            )));
            return;
        }
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => text.set(v.as_string().unwrap_or_default()),
                Err(_) => error.set(Some(AppError::field(
                    "file",
                    tu_string!(i18n, invitations.error_file_unreadable),
                ))),
            }
        });
    }
}
