//! `/o/{org}/tokens`: create user tokens (and, with `tokens.manage`, organization tokens), see
//! the secret once, and regenerate or delete — each in a dialog, the last two confirmed.
//!
//! Long because the page holds four dialogs (create, the one-time secret, regenerate, delete)
//! that share its actions; each is a component of its own below.

use crate::i18n::{t_string, use_i18n};
use crate::{
    areas::{
        organizations::{
            frame::{announce_both, org_page, org_param, outcome},
            types::OrgFrame,
        },
        roles::types::CustomRole,
        tokens::{
            serverfns::{CreateToken, DeleteToken, RegenerateToken, TokensData, load_tokens},
            types::{AccessToken, TOKEN_EXPIRY_DAYS, TokenStatus},
        },
    },
    core::{ids::TokenId, kinds::TokenKind},
    error::AppError,
    policy::{BuiltinRole, Permission, PermissionSet, RoleId},
    ui::{
        bindings::role_choices,
        components::{
            Cell, Confirm, DataTable, Dialog, DialogActions, EmptyState, ErrorNotice, RelativeTime,
            open_while,
        },
    },
};
use leptos::prelude::*;

/// The page's actions and dialogs, kept above the list that reloads after each of them.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateToken>,
    regenerate: ServerAction<RegenerateToken>,
    delete: ServerAction<DeleteToken>,
    create_open: RwSignal<bool>,
    /// The token about to be regenerated or deleted (its confirmation is open while set).
    regenerating: RwSignal<Option<(TokenId, String)>>,
    deleting: RwSignal<Option<(TokenId, String)>>,
}

/// What creating, regenerating or deleting a token does not change.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stable {
    frame: OrgFrame,
    roles: Vec<CustomRole>,
}

#[component]
pub fn TokensView() -> impl IntoView {
    let org = org_param();
    let actions = Actions {
        create: ServerAction::<CreateToken>::new(),
        regenerate: ServerAction::<RegenerateToken>::new(),
        delete: ServerAction::<DeleteToken>::new(),
        create_open: RwSignal::new(false),
        regenerating: RwSignal::new(None),
        deleting: RwSignal::new(None),
    };
    let o = org.clone();
    let data = Resource::new(
        move || {
            (
                o(),
                actions.create.version().get()
                    + actions.regenerate.version().get()
                    + actions.delete.version().get(),
            )
        },
        |(org, _)| load_tokens(org),
    );
    let i18n = use_i18n();
    let stable = Memo::new(move |_| {
        data.get().map(|r| {
            r.map(|d| Stable {
                frame: d.frame,
                roles: d.roles,
            })
        })
    });
    view! {
        <Transition fallback=move || view! { <p class="loading">{tr!(i18n, tokens.loading)}</p> }>
            {move || {
                let org = org.clone();
                // Read untracked: the Transition waits for the data on the server, and the
                // page is not drawn anew when the data reloads.
                data.with_untracked(|_| ());
                stable
                    .get()
                    .map(move |r| {
                        org_page(
                            r,
                            |s| s.frame.clone(),
                            move |s| view! { <TokensBody s data org=org() actions /> }.into_any(),
                        )
                    })
            }}
        </Transition>
        <SecretOnce actions />
    }
}

/// The secret of a token just created or regenerated, shown this once.
#[component]
fn SecretOnce(actions: Actions) -> impl IntoView {
    let shown = RwSignal::new(None::<(String, String)>);
    let open = RwSignal::new(false);
    let (create, regenerate) = (actions.create, actions.regenerate);
    Effect::watch(
        move || create.version().get(),
        move |_, _, _| {
            if let Some(Ok(c)) = create.value().get_untracked() {
                actions.create_open.set(false);
                shown.set(Some((c.token.name, c.secret)));
                open.set(true);
            }
        },
        false,
    );
    Effect::watch(
        move || regenerate.version().get(),
        move |_, _, _| {
            if let Some(Ok(c)) = regenerate.value().get_untracked() {
                shown.set(Some((c.token.name, c.secret)));
                open.set(true);
            }
        },
        false,
    );
    // Closed (Done, Escape): the secret is forgotten.
    Effect::new(move |_| {
        if !open.get() {
            shown.set(None);
        }
    });
    let copied = RwSignal::new(false);
    let i18n = use_i18n();
    view! {
        <Dialog open id="secret" title=move || t_string!(i18n, tokens.secret_title)>
            {move || {
                shown
                    .get()
                    .map(|(name, secret)| {
                        view! {
                            <p>{move || t_string!(i18n, tokens.secret_copy_now, name = name.clone())}</p>
                            <p>
                                <code data-testid="token-secret">{secret}</code>
                            </p>
                        }
                    })
            }}
            <div class="dialog-actions">
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| {
                        if let Some((_, s)) = shown.get_untracked() {
                            copy(&s);
                            copied.set(true);
                        }
                    }
                >
                    {move || if copied.get() { t_string!(i18n, tokens.copied) } else { t_string!(i18n, tokens.copy) }}
                </button>
                <button
                    type="button"
                    on:click=move |_| {
                        open.set(false);
                        copied.set(false);
                    }
                >
                    {tr!(i18n, tokens.done)}
                </button>
            </div>
        </Dialog>
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
fn grantable(d: &Stable) -> Vec<(RoleId, String)> {
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
    s: Stable,
    data: Resource<Result<TokensData, AppError>>,
    org: String,
    actions: Actions,
) -> impl IntoView {
    let perms = s.frame.permissions;
    let can_create = perms.contains(Permission::TokensCreate);
    let can_manage = perms.contains(Permission::TokensManage);
    let roles = grantable(&s);
    let org_create = org.clone();
    let i18n = use_i18n();
    view! {
        <div class="page-head">
            <h1>{tr!(i18n, tokens.title)}</h1>
            {(can_create || can_manage)
                .then(|| {
                    view! {
                        <button type="button" id="open-create-token" on:click=move |_| actions.create_open.set(true)>
                            {tr!(i18n, tokens.create_token)}
                        </button>
                    }
                })}
        </div>
        {(can_create || can_manage)
            .then(|| {
                view! {
                    <Dialog open=actions.create_open id="create-token" title=move || t_string!(i18n, tokens.create_title)>
                        <CreateForm org=org_create roles can_create can_manage actions />
                    </Dialog>
                }
            })}
        <TokenConfirms org actions />
        {move || {
            data.get()
                .and_then(Result::ok)
                .map(move |d| {
                    if d.tokens.is_empty() {
                        return view! {
                            <EmptyState message=move || t_string!(i18n, tokens.none_yet) />
                        }
                            .into_any();
                    }
                    view! {
                        <DataTable
                            caption=move || t_string!(i18n, tokens.title)
                            caption_hidden=true
                            columns=move || {
                                vec![
                                    t_string!(i18n, tokens.col_name),
                                    t_string!(i18n, tokens.col_kind),
                                    t_string!(i18n, tokens.col_role),
                                    t_string!(i18n, tokens.col_owner),
                                    t_string!(i18n, tokens.col_created),
                                    t_string!(i18n, tokens.col_expires),
                                    t_string!(i18n, tokens.col_last_used),
                                    t_string!(i18n, tokens.col_status),
                                    t_string!(i18n, tokens.col_actions),
                                ]
                            }
                            class="members"
                        >
                            {d.tokens
                                .into_iter()
                                .map(|t| {
                                    let may_regenerate = d.regenerable.contains(&t.id);
                                    view! { <TokenRow t may_regenerate actions now=d.now /> }
                                })
                                .collect_view()}
                        </DataTable>
                    }
                        .into_any()
                })
        }}
        {outcome(actions.delete.value(), move || t_string!(i18n, tokens.deleted))}
        {announce_both(actions.regenerate.value(), move || t_string!(i18n, tokens.regenerated))}
    }
}

#[component]
fn CreateForm(
    org: String,
    roles: Vec<(RoleId, String)>,
    can_create: bool,
    can_manage: bool,
    actions: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let create = actions.create;
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(if can_create {
        TokenKind::User
    } else {
        TokenKind::Organization
    });
    let default_role = roles
        .iter()
        .find(|(id, _)| *id == RoleId::Builtin(BuiltinRole::Viewer))
        .or(roles.first())
        .map(|(id, _)| *id)
        .unwrap_or(RoleId::Builtin(BuiltinRole::Viewer));
    let role = RwSignal::new(default_role);
    let days = RwSignal::new(Some(30_u32));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateToken {
            org: org.clone(),
            name: name.get(),
            kind: kind.get(),
            role: role.get(),
            expires_in_days: days.get(),
        });
    };
    Effect::watch(
        move || create.version().get(),
        move |_, _, _| {
            if let Some(Ok(_)) = create.value().get_untracked() {
                name.set(String::new());
            }
        },
        false,
    );
    view! {
        <form class="invite" on:submit=submit>
            <label>
                {tr!(i18n, tokens.col_name)}
                <input required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            {can_manage
                .then(|| {
                    view! {
                        <label>
                            {tr!(i18n, tokens.col_kind)}
                            <select on:change=move |ev| {
                                kind.set(if event_target_value(&ev) == "organization" { TokenKind::Organization } else { TokenKind::User });
                            }>
                                <option value="user" selected=can_create>
                                    {tr!(i18n, tokens.kind_option_user)}
                                </option>
                                <option value="organization" selected=!can_create>
                                    {tr!(i18n, tokens.kind_option_organization)}
                                </option>
                            </select>
                        </label>
                    }
                })}
            <label>
                {tr!(i18n, tokens.col_role)}
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
                {tr!(i18n, tokens.col_expires)}
                <select on:change=move |ev| days.set(event_target_value(&ev).parse().ok())>
                    {TOKEN_EXPIRY_DAYS
                        .into_iter()
                        .map(|d| view! { <option value=d.to_string() selected=d == 30>{move || t_string!(i18n, tokens.expires_in_days, count = d)}</option> })
                        .collect_view()}
                    <option value="never">{tr!(i18n, tokens.never_expires)}</option>
                </select>
            </label>
            {move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
            <DialogActions open=actions.create_open submit=move || t_string!(i18n, tokens.create_token) busy=create.pending() />
        </form>
    }
}

/// Regenerating and deleting ask first, saying what happens to the current secret.
#[component]
fn TokenConfirms(org: String, actions: Actions) -> impl IntoView {
    let regen_open = open_while(actions.regenerating);
    let delete_open = open_while(actions.deleting);
    Effect::watch(
        move || actions.regenerate.version().get(),
        move |_, _, _| regen_open.set(false),
        false,
    );
    Effect::watch(
        move || actions.delete.version().get(),
        move |_, _, _| delete_open.set(false),
        false,
    );
    let name_of = |t: RwSignal<Option<(TokenId, String)>>| {
        move || t.get().map(|(_, n)| n).unwrap_or_default()
    };
    let (regen_name, delete_name) = (name_of(actions.regenerating), name_of(actions.deleting));
    let org2 = org.clone();
    let i18n = use_i18n();
    view! {
        <Confirm
            open=regen_open
            id="regenerate-token"
            title=move || t_string!(i18n, tokens.regenerate_title, name = regen_name())
            consequence=move || t_string!(i18n, tokens.regenerate_consequence)
            confirm=move || t_string!(i18n, tokens.regenerate)
            busy=actions.regenerate.pending()
            on_confirm=Callback::new(move |()| {
                if let Some((id, _)) = actions.regenerating.get_untracked() {
                    actions.regenerate.dispatch(RegenerateToken { org: org.clone(), id });
                }
            })
        />
        <Confirm
            open=delete_open
            id="delete-token"
            title=move || t_string!(i18n, tokens.delete_title, name = delete_name())
            consequence=move || t_string!(i18n, tokens.delete_consequence)
            confirm=move || t_string!(i18n, tokens.delete_token)
            busy=actions.delete.pending()
            on_confirm=Callback::new(move |()| {
                if let Some((id, _)) = actions.deleting.get_untracked() {
                    actions.delete.dispatch(DeleteToken { org: org2.clone(), id });
                }
            })
        />
    }
}

#[component]
fn TokenRow(t: AccessToken, may_regenerate: bool, actions: Actions, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    let id = t.id;
    let (n1, n2) = (t.name.clone(), t.name.clone());
    let struck = t.status == TokenStatus::OwnerRemoved;
    let (kind, status) = (t.kind, t.status);
    let owner = match (&t.kind, &t.owner) {
        (TokenKind::User, Some(o)) => Some(o.name.clone()),
        _ => None,
    };
    let creator = t.created_by.clone();
    let who = move || match &owner {
        Some(name) => name.clone(),
        None => t_string!(i18n, tokens.created_by, name = creator.clone()),
    };
    view! {
        <tr data-testid="token-row" class:struck=struck>
            <Cell label=move || t_string!(i18n, tokens.col_name)>{t.name.clone()} <span class="hint">{format!(" …{}", t.last_four)}</span></Cell>
            <Cell label=move || t_string!(i18n, tokens.col_kind)>
                {move || match kind {
                    TokenKind::User => t_string!(i18n, tokens.kind_user),
                    TokenKind::Organization => t_string!(i18n, tokens.kind_organization),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_role)>
                {
                    let (role, name) = (t.role, t.role_name.clone());
                    move || crate::ui::bindings::role_name(i18n, role, &name)
                }
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_owner)>
                {who}
                {t.creator_removed
                    .then(|| {
                        view! {
                            <span class="badge warn" title=move || t_string!(i18n, tokens.creator_removed_hint)>
                                {move || format!(" {}", t_string!(i18n, tokens.creator_removed))}
                            </span>
                        }
                    })}
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_created)>
                <RelativeTime at=t.created_at now />
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_expires)>
                {match t.expires_at {
                    Some(at) => view! { <RelativeTime at now /> }.into_any(),
                    None => tr!(i18n, tokens.never_expires).into_any(),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_last_used)>
                {match (t.last_used_at, t.last_used_addr.clone()) {
                    (Some(at), addr) => {
                        view! {
                            <RelativeTime at now />
                            {addr.map(|a| move || format!(" {}", t_string!(i18n, tokens.used_from, addr = a.clone())))}
                        }
                            .into_any()
                    }
                    _ => tr!(i18n, tokens.never_used).into_any(),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_status)>
                {move || match status {
                    TokenStatus::Active => t_string!(i18n, tokens.status_active),
                    TokenStatus::Expired => t_string!(i18n, tokens.status_expired),
                    TokenStatus::OwnerDeactivated => t_string!(i18n, tokens.status_owner_deactivated),
                    TokenStatus::OwnerRemoved => t_string!(i18n, tokens.status_owner_removed),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, tokens.col_actions) class="actions">
                {may_regenerate
                    .then(|| {
                        view! {
                            <button type="button" class="secondary" on:click=move |_| actions.regenerating.set(Some((id, n1.clone())))>
                                {tr!(i18n, tokens.regenerate)}
                            </button>
                        }
                    })}
                <button type="button" class="danger" on:click=move |_| actions.deleting.set(Some((id, n2.clone())))>
                    {tr!(i18n, tokens.delete)}
                </button>
            </Cell>
        </tr>
    }
}
