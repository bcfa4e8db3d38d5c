//! `/o/{org}/tokens`: create user tokens (and, with `tokens.manage`, organization tokens), see
//! the secret once, and regenerate or delete.

use crate::{
    areas::{
        organizations::frame::{org_page, org_param, outcome},
        tokens::{
            serverfns::{CreateToken, DeleteToken, RegenerateToken, TokensData, load_tokens},
            types::{AccessToken, TOKEN_EXPIRY_DAYS, TokenStatus},
        },
    },
    core::{kinds::TokenKind, time::utc_minute},
    policy::{BuiltinRole, Permission, PermissionSet, RoleId},
    ui::{bindings::role_choices, components::ErrorNotice},
};
use leptos::prelude::*;

#[component]
pub fn TokensView() -> impl IntoView {
    let org = org_param();
    let create = ServerAction::<CreateToken>::new();
    let regenerate = ServerAction::<RegenerateToken>::new();
    let delete = ServerAction::<DeleteToken>::new();
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                create.version().get() + regenerate.version().get() + delete.version().get(),
            )
        },
        |(org, _)| load_tokens(org),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
            {move || {
                let org = org.clone();
                data.get()
                    .map(move |r| {
                        org_page(
                            r,
                            |d| d.frame.clone(),
                            move |d| view! { <TokensBody d org=org() create regenerate delete /> }.into_any(),
                        )
                    })
            }}
        </Suspense>
        <SecretOnce create regenerate />
    }
}

/// The secret of a token just created or regenerated, shown this once.
#[component]
fn SecretOnce(
    create: ServerAction<CreateToken>,
    regenerate: ServerAction<RegenerateToken>,
) -> impl IntoView {
    let shown = RwSignal::new(None::<(String, String)>);
    Effect::watch(
        move || create.version().get(),
        move |_, _, _| {
            if let Some(Ok(c)) = create.value().get_untracked() {
                shown.set(Some((c.token.name, c.secret)));
            }
        },
        false,
    );
    Effect::watch(
        move || regenerate.version().get(),
        move |_, _, _| {
            if let Some(Ok(c)) = regenerate.value().get_untracked() {
                shown.set(Some((c.token.name, c.secret)));
            }
        },
        false,
    );
    let copied = RwSignal::new(false);
    move || {
        shown.get().map(|(name, secret)| {
            let to_copy = secret.clone();
            view! {
                <section class="card" role="dialog" aria-label="New token">
                    <h2>{format!("Your new token “{name}”")}</h2>
                    <p>"Copy it now: it is shown only once and cannot be shown again."</p>
                    <p>
                        <code data-testid="token-secret">{secret}</code>
                    </p>
                    <button type="button" class="secondary" on:click=move |_| {
                        copy(&to_copy);
                        copied.set(true);
                    }>
                        {move || if copied.get() { "Copied" } else { "Copy" }}
                    </button>
                    <button type="button" class="ghost" on:click=move |_| {
                        shown.set(None);
                        copied.set(false);
                    }>
                        "Done"
                    </button>
                </section>
            }
        })
    }
}

/// Puts text on the clipboard (in the browser).
#[allow(unused_variables)]
fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Roles the caller may give a token: those within their own permissions.
fn grantable(d: &TokensData) -> Vec<(RoleId, String)> {
    let mine = d.frame.permissions;
    let within = |p: PermissionSet| p.missing_from(mine).is_empty();
    role_choices(&d.roles)
        .into_iter()
        .filter(|(id, _)| match id {
            RoleId::Builtin(b) => within(b.permissions()),
            RoleId::Custom(c) => d.roles.iter().any(|r| r.id == *c && within(r.permissions)),
        })
        .collect()
}

#[component]
fn TokensBody(
    d: TokensData,
    org: String,
    create: ServerAction<CreateToken>,
    regenerate: ServerAction<RegenerateToken>,
    delete: ServerAction<DeleteToken>,
) -> impl IntoView {
    let perms = d.frame.permissions;
    let can_create = perms.contains(Permission::TokensCreate);
    let can_manage = perms.contains(Permission::TokensManage);
    let roles = grantable(&d);
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(TokenKind::User);
    let default_role = roles
        .iter()
        .find(|(id, _)| *id == RoleId::Builtin(BuiltinRole::Viewer))
        .or(roles.first())
        .map(|(id, _)| *id)
        .unwrap_or(RoleId::Builtin(BuiltinRole::Viewer));
    let role = RwSignal::new(default_role);
    let days = RwSignal::new(Some(30_u32));
    let org_create = org.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateToken {
            org: org_create.clone(),
            name: name.get(),
            kind: kind.get(),
            role: role.get(),
            expires_in_days: days.get(),
        });
    };
    view! {
        <h1>"Access tokens"</h1>
        {(can_create || can_manage)
            .then(|| {
                view! {
                    <section class="card">
                        <h2>"New token"</h2>
                        <form class="invite" on:submit=submit>
                            <label>
                                "Name"
                                <input required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                            {can_manage
                                .then(|| {
                                    view! {
                                        <label>
                                            "Kind"
                                            <select on:change=move |ev| {
                                                kind.set(if event_target_value(&ev) == "organization" { TokenKind::Organization } else { TokenKind::User });
                                            }>
                                                <option value="user" selected=can_create>"User token (acts for me)"</option>
                                                <option value="organization" selected=!can_create>"Organization token"</option>
                                            </select>
                                        </label>
                                    }
                                })}
                            <label>
                                "Role"
                                <select on:change=move |ev| {
                                    if let Ok(r) = event_target_value(&ev).parse() {
                                        role.set(r);
                                    }
                                }>
                                    {roles
                                        .into_iter()
                                        .map(|(id, n)| view! { <option value=id.to_string() selected=id == default_role>{n}</option> })
                                        .collect_view()}
                                </select>
                            </label>
                            <label>
                                "Expires"
                                <select on:change=move |ev| days.set(event_target_value(&ev).parse().ok())>
                                    {TOKEN_EXPIRY_DAYS
                                        .into_iter()
                                        .map(|d| view! { <option value=d.to_string() selected=d == 30>{format!("in {d} days")}</option> })
                                        .collect_view()}
                                    <option value="never">"never"</option>
                                </select>
                            </label>
                            <button type="submit" disabled=move || create.pending().get()>
                                "Create token"
                            </button>
                        </form>
                        {move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
                    </section>
                }
            })}
        {d.tokens.is_empty().then(|| view! { <p class="empty">"No tokens yet."</p> })}
        <table class="members">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Owner / creator"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"></th>
                </tr>
            </thead>
            <tbody>
                {d.tokens
                    .into_iter()
                    .map(|t| {
                        let may_regenerate = d.regenerable.contains(&t.id);
                        view! { <TokenRow t org=org.clone() may_regenerate regenerate delete /> }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {outcome(delete.value(), "Token deleted; it no longer works.")}
        {move || regenerate.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
    }
}

#[component]
fn TokenRow(
    t: AccessToken,
    org: String,
    may_regenerate: bool,
    regenerate: ServerAction<RegenerateToken>,
    delete: ServerAction<DeleteToken>,
) -> impl IntoView {
    let id = t.id;
    let (o1, o2) = (org.clone(), org);
    let struck = t.status == TokenStatus::OwnerRemoved;
    let who = match (&t.kind, &t.owner) {
        (TokenKind::User, Some(o)) => o.name.clone(),
        _ => format!("created by {}", t.created_by),
    };
    view! {
        <tr data-testid="token-row" class:struck=struck>
            <td>{t.name.clone()} <span class="hint">{format!(" …{}", t.last_four)}</span></td>
            <td>{match t.kind { TokenKind::User => "User", TokenKind::Organization => "Organization" }}</td>
            <td>{t.role_name.clone()}</td>
            <td>
                {who}
                {t.creator_removed
                    .then(|| {
                        view! {
                            <span class="badge warn" title="Whoever created this organization token has been removed from the organization. It keeps working; check that it is still needed.">
                                " creator removed: review"
                            </span>
                        }
                    })}
            </td>
            <td>{utc_minute(t.created_at)}</td>
            <td>{t.expires_at.map_or_else(|| "never".to_string(), utc_minute)}</td>
            <td>
                {match (t.last_used_at, t.last_used_addr.clone()) {
                    (Some(at), Some(addr)) => format!("{} from {addr}", utc_minute(at)),
                    (Some(at), None) => utc_minute(at),
                    _ => "never".to_string(),
                }}
            </td>
            <td>{t.status.label()}</td>
            <td class="actions">
                {may_regenerate
                    .then(|| {
                        view! {
                            <button type="button" class="secondary" on:click=move |_| {
                                regenerate.dispatch(RegenerateToken { org: o1.clone(), id });
                            }>
                                "Regenerate"
                            </button>
                        }
                    })}
                <button type="button" class="danger" on:click=move |_| {
                    delete.dispatch(DeleteToken { org: o2.clone(), id });
                }>
                    "Delete"
                </button>
            </td>
        </tr>
    }
}
