//! `/o/{org}/invitations`: invite one address or many, and the invitations by status with
//! resend and withdraw.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::areas::invitations::serverfns::InvitationsData;
use crate::areas::invitations::serverfns::Invite;
use crate::areas::invitations::serverfns::ResendInvitation;
use crate::areas::invitations::serverfns::ResendInvitationTo;
use crate::areas::invitations::serverfns::WithdrawInvitation;
use crate::areas::invitations::serverfns::bulk_invite;
use crate::areas::invitations::serverfns::load_invitations;
use crate::core::time::utc_minute;
use crate::error::AppError;
use crate::model::BULK_CHUNK;
use crate::model::BULK_MAX_LINES;
use crate::model::Binding;
use crate::model::BulkOutcome;
use crate::model::BulkReport;
use crate::model::Group;
use crate::model::GroupId;
use crate::model::Invitation;
use crate::model::InvitationStatus;
use crate::model::InviteRequest;
use crate::model::parse_bulk;
use crate::policy::BuiltinRole;
use crate::policy::Permission;
use crate::policy::RoleId;
use crate::ui::components::ErrorNotice;
use crate::ui::frame::BindingsEditor;
use crate::ui::frame::org_page;
use crate::ui::frame::org_param;
use crate::ui::frame::outcome;
use crate::ui::frame::role_choices;

#[component]
pub fn InvitationsView() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let status = move || {
        query
            .read()
            .get("status")
            .and_then(|s| InvitationStatus::parse(&s))
            .unwrap_or(InvitationStatus::Pending)
    };
    let after = move || query.read().get("after").and_then(|a| a.parse().ok());
    let invite = ServerAction::<Invite>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let resend_to = ServerAction::<ResendInvitationTo>::new();
    let withdraw = ServerAction::<WithdrawInvitation>::new();
    let bulk_done = RwSignal::new(0_u32);
    let bulk = BulkState {
        text: RwSignal::new(String::new()),
        reports: RwSignal::new(Vec::new()),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                status(),
                after(),
                invite.version().get()
                    + resend.version().get()
                    + resend_to.version().get()
                    + withdraw.version().get()
                    + bulk_done.get() as usize,
            )
        },
        |(org, status, after, _)| load_invitations(org, status, after),
    );
    let actions = Actions {
        invite,
        resend,
        resend_to,
        withdraw,
        bulk_done,
        bulk,
        invite_email: RwSignal::new(String::new()),
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading invitations…"</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <InvitationsBody d org=org() actions /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    invite: ServerAction<Invite>,
    resend: ServerAction<ResendInvitation>,
    resend_to: ServerAction<ResendInvitationTo>,
    withdraw: ServerAction<WithdrawInvitation>,
    bulk_done: RwSignal<u32>,
    bulk: BulkState,
    /// The address in the invite form (kept across reloads, for the resend offer).
    invite_email: RwSignal<String>,
}

/// The bulk form's state lives with the page, not the body that reloads after each change, so
/// the report stays on screen.
#[derive(Clone, Copy)]
struct BulkState {
    text: RwSignal<String>,
    reports: RwSignal<Vec<BulkReport>>,
    /// Lines done, of all.
    progress: RwSignal<Option<(usize, usize)>>,
    error: RwSignal<Option<AppError>>,
}

#[component]
fn InvitationsBody(d: InvitationsData, org: String, actions: Actions) -> impl IntoView {
    let can_invite = d.frame.permissions.contains(Permission::MembersInvite);
    let roles = role_choices(&d.roles);
    let status = d.status;
    view! {
        <h1>"Invitations"</h1>
        {can_invite
            .then(|| {
                view! {
                    <section id="invite" class="card">
                        <h2>"Invite someone"</h2>
                        <InviteForm
                            org=org.clone()
                            roles=roles.clone()
                            projects=d.projects.clone()
                            groups=d.groups.clone()
                            actions
                        />
                    </section>
                    <section class="card">
                        <h2>"Invite many"</h2>
                        <BulkForm org=org.clone() roles=roles.clone() actions />
                    </section>
                }
            })}
        <nav class="tabs" aria-label="Invitation status">
            {InvitationStatus::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <A
                            href=format!("?status={}", s.as_str())
                            attr:aria-current=(s == status).then_some("page")
                        >
                            {s.label()}
                        </A>
                    }
                })
                .collect_view()}
        </nav>
        <InvitationList listing=d.listing.items.clone() org=org.clone() can_invite actions />
        <p class="count" data-testid="invitation-count">
            {match d.listing.total {
                1 => format!("1 {} invitation", status.as_str()),
                n => format!("{n} {} invitations", status.as_str()),
            }}
        </p>
        {d.listing
            .next_cursor
            .map(|c| {
                view! {
                    <nav class="pager" aria-label="Pages">
                        <A href=format!("?status={}&after={c}", status.as_str())>"Next page"</A>
                    </nav>
                }
            })}
        {outcome(actions.resend.value(), "A new link is on its way; the old one no longer works.")}
        {outcome(actions.withdraw.value(), "Invitation withdrawn; its link no longer works.")}
    }
}

#[component]
fn InviteForm(
    org: String,
    roles: Vec<(RoleId, String)>,
    projects: Vec<crate::model::Project>,
    groups: Vec<Group>,
    actions: Actions,
) -> impl IntoView {
    let email = actions.invite_email;
    let role = RwSignal::new(RoleId::Builtin(BuiltinRole::Viewer));
    let extra = RwSignal::new(Vec::<Binding>::new());
    let chosen = RwSignal::new(Vec::<GroupId>::new());
    let invite = actions.invite;
    let resend_to = actions.resend_to;
    let org_submit = org.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut bindings = vec![Binding {
            role: role.get(),
            project: None,
        }];
        bindings.extend(extra.get());
        invite.dispatch(Invite {
            org: org_submit.clone(),
            invitation: InviteRequest {
                email: email.get(),
                bindings,
                groups: chosen.get(),
            },
        });
    };
    // After a successful invite the form starts empty again (only when an invite completes,
    // not when the form is drawn again).
    Effect::watch(
        move || invite.version().get(),
        move |_, _, _| {
            if let Some(Ok(_)) = invite.value().get_untracked() {
                email.set(String::new());
                extra.set(Vec::new());
                chosen.set(Vec::new());
            }
        },
        false,
    );
    let project_roles = roles.clone();
    let offer_resend = move || {
        invite.value().get().and_then(|r| match r {
            Err(AppError::Conflict { code, .. }) if code == "already_invited" => Some(()),
            _ => None,
        })
    };
    let org_resend = org.clone();
    view! {
        <form class="invite" on:submit=submit>
            <label>
                "Email"
                <input
                    type="email"
                    name="email"
                    required
                    autocomplete="off"
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Organization role"
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
                                    {name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            {(!projects.is_empty())
                .then(|| {
                    view! {
                        <fieldset>
                            <legend>"Project roles (optional)"</legend>
                            <BindingsEditor bindings=extra roles=project_roles projects=projects />
                        </fieldset>
                    }
                })}
            {(!groups.is_empty())
                .then(|| {
                    view! {
                        <fieldset class="checks">
                            <legend>"Groups (optional)"</legend>
                            {groups
                                .into_iter()
                                .map(|g| {
                                    let id = g.id;
                                    view! {
                                        <label>
                                            <input
                                                type="checkbox"
                                                prop:checked=move || chosen.get().contains(&id)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| {
                                                        c.retain(|x| *x != id);
                                                        if on {
                                                            c.push(id);
                                                        }
                                                    });
                                                }
                                            />
                                            {g.name}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })}
            <button type="submit" disabled=move || invite.pending().get()>
                "Send invitation"
            </button>
        </form>
        {outcome(invite.value(), "Invitation sent.")}
        {move || {
            let org = org_resend.clone();
            offer_resend()
                .map(|()| {
                    view! {
                        <button
                            type="button"
                            class="secondary"
                            on:click=move |_| {
                                resend_to.dispatch(ResendInvitationTo { org: org.clone(), email: email.get() });
                            }
                        >
                            "Resend the invitation"
                        </button>
                    }
                })
        }}
        {outcome(resend_to.value(), "A new link is on its way; the old one no longer works.")}
    }
}

/// Pasted lines or an uploaded CSV (`email,role[,groups]`), sent in chunks with progress and
/// a report per line.
#[component]
fn BulkForm(org: String, roles: Vec<(RoleId, String)>, actions: Actions) -> impl IntoView {
    let BulkState {
        text,
        reports,
        progress,
        error,
    } = actions.bulk;
    let role = RwSignal::new(RoleId::Builtin(BuiltinRole::Viewer));
    let running = move || progress.get().is_some_and(|(done, all)| done < all);
    let org = StoredValue::new(org);
    let start = move |_| {
        let lines = parse_bulk(&text.get());
        reports.set(Vec::new());
        error.set(None);
        if lines.is_empty() {
            error.set(Some(AppError::field("lines", "Paste at least one address")));
            return;
        }
        if lines.len() > BULK_MAX_LINES {
            error.set(Some(AppError::field(
                "lines",
                format!("At most {BULK_MAX_LINES} lines at once"),
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
            "One address per line, or CSV lines " <code>"email,role,groups"</code>
            " (role and groups optional; groups separated by ;)."
        </p>
        <label>
            "Addresses"
            <textarea
                name="lines"
                rows="6"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
        </label>
        <label>
            "Or upload a CSV file"
            <input type="file" accept=".csv,text/csv,text/plain" on:change=move |ev| read_file(ev, text, error) />
        </label>
        <label>
            "Role for lines without one"
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
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
        <button type="button" on:click=start disabled=running>
            "Invite all"
        </button>
        {move || {
            progress
                .get()
                .map(|(done, all)| {
                    view! {
                        <p class="progress" role="status" data-testid="bulk-progress">
                            <progress max=all value=done></progress>
                            {format!(" {done} of {all} lines processed")}
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
                                    <th scope="col">"Line"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Result"</th>
                                    <th scope="col">"Detail"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let class = if r.outcome == BulkOutcome::Invited { "ok" } else { "warn" };
                                        view! {
                                            <tr data-testid="bulk-line">
                                                <td>{r.line}</td>
                                                <td>{r.email}</td>
                                                <td class=class>{r.outcome.label()}</td>
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

/// Reads the chosen file into the text area (in the browser; at most 5 MiB).
#[allow(unused_variables)]
fn read_file(ev: leptos::ev::Event, text: RwSignal<String>, error: RwSignal<Option<AppError>>) {
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
                "A CSV file can be at most 5 MiB",
            )));
            return;
        }
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => text.set(v.as_string().unwrap_or_default()),
                Err(_) => error.set(Some(AppError::field("file", "The file could not be read"))),
            }
        });
    }
}

#[component]
fn InvitationList(
    listing: Vec<Invitation>,
    org: String,
    can_invite: bool,
    actions: Actions,
) -> impl IntoView {
    if listing.is_empty() {
        return view! { <p class="empty">"No invitations here."</p> }.into_any();
    }
    view! {
        <table class="members">
            <thead>
                <tr>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Grants"</th>
                    <th scope="col">"Invited by"</th>
                    <th scope="col">"Sent"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"></th>
                </tr>
            </thead>
            <tbody>
                {listing
                    .into_iter()
                    .map(|i| {
                        let id = i.id;
                        let (o1, o2) = (org.clone(), org.clone());
                        let open = can_invite && i.status.is_open();
                        view! {
                            <tr data-testid="invitation-row">
                                <td>{i.email}</td>
                                <td>{i.grants}</td>
                                <td>{i.invited_by}</td>
                                <td>{utc_minute(i.sent_at)}</td>
                                <td>{utc_minute(i.expires_at)}</td>
                                <td>
                                    {i.status.label()}
                                    {i.closed_at.map(|t| format!(" {}", utc_minute(t)))}
                                    {i.closed_reason.clone().map(|r| view! { <br /><span class="hint">{r}</span> })}
                                </td>
                                <td class="actions">
                                    {open
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="secondary"
                                                    on:click=move |_| {
                                                        actions.resend.dispatch(ResendInvitation { org: o1.clone(), id });
                                                    }
                                                >
                                                    "Resend"
                                                </button>
                                                <button
                                                    type="button"
                                                    class="danger"
                                                    on:click=move |_| {
                                                        actions.withdraw.dispatch(WithdrawInvitation { org: o2.clone(), id });
                                                    }
                                                >
                                                    "Withdraw"
                                                </button>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
