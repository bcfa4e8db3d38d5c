//! `/profile`: the signed-in person, their interface language, and their own access tokens in
//! every organization.

use crate::{
    areas::{
        accounts::{serverfns::SetLanguage, types::Language},
        organizations::page::language_name,
        tokens::{
            serverfns::{ProfileData, load_profile},
            types::{OwnToken, TokenStatus},
        },
    },
    error::AppError,
    i18n::{t_string, use_i18n},
    ui::components::{Cell, DataTable, ErrorNotice, Field, RelativeTime, Submit},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::Redirect;

#[component]
pub fn ProfileView() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_profile());
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{tr!(i18n, profile.loading)}</p> }>
            {move || {
                data.get()
                    .map(|r| match r {
                        Ok(d) => view! { <ProfileBody d /> }.into_any(),
                        Err(AppError::Unauthorized(_)) => view! { <Redirect path="/signin" /> }.into_any(),
                        Err(e) => view! {
                            <main class="narrow">
                                <ErrorNotice error=e />
                            </main>
                        }
                        .into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn ProfileBody(d: ProfileData) -> impl IntoView {
    let i18n = use_i18n();
    let orgs = d.session.organizations.clone();
    let now = d.now;
    let tokens = d.tokens;
    view! {
        <header class="topbar">
            <div class="brand">"Gatehouse"</div>
            <nav class="sections" aria-label=move || t_string!(i18n, profile.organizations)>
                {orgs
                    .into_iter()
                    .map(|o| view! { <a href=format!("/o/{}/members", o.slug)>{o.name}</a> })
                    .collect_view()}
            </nav>
            <div class="spacer"></div>
            <div class="user" data-testid="current-user" title=d.session.email.clone()>
                {d.session.name.clone()}
            </div>
        </header>
        <main class="page">
            <h1>{tr!(i18n, profile.title)}</h1>
            <p>
                <strong>{d.session.name.clone()}</strong>
                {format!(" · {}", d.session.email)}
            </p>
            <LanguageForm current=d.session.language />
            <section class="card">
                <h2>{tr!(i18n, profile.tokens_title)}</h2>
                <p class="hint">{tr!(i18n, profile.tokens_hint)}</p>
                {if tokens.is_empty() {
                    view! {
                        <p data-testid="no-tokens">{tr!(i18n, profile.no_tokens)}</p>
                    }
                        .into_any()
                } else {
                    view! { <OwnTokens tokens now /> }.into_any()
                }}
            </section>
        </main>
    }
}

/// The person's interface language. Saving switches the page at once (no reload); "automatic"
/// leaves it to the organization's default, else the browser, from the next page on.
#[component]
fn LanguageForm(current: Option<Language>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetLanguage>::new();
    let chosen = RwSignal::new(current);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::watch(
        move || save.version().get(),
        move |_, _, _| {
            if let (Some(Ok(())), Some(l)) = (save.value().get_untracked(), chosen.get_untracked())
            {
                i18n.set_locale(l.locale());
            }
        },
        false,
    );
    view! {
        <section class="card">
            <h2>{tr!(i18n, profile.language_title)}</h2>
            <ActionForm action=save attr:class="settings">
                <Field
                    label=move || t_string!(i18n, profile.language)
                    field="language"
                    error
                    hint=move || t_string!(i18n, profile.language_hint)
                >
                    <select
                        name="language"
                        on:change=move |ev| chosen.set(Language::parse(&event_target_value(&ev)))
                    >
                        <option value="" selected=current.is_none()>
                            {tr!(i18n, profile.language_automatic)}
                        </option>
                        {Language::ALL
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <option value=l.as_str() lang=l.as_str() selected=current == Some(l)>
                                        {language_name(l)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <Submit label=move || t_string!(i18n, profile.language_save) busy=save.pending() />
            </ActionForm>
            {move || {
                save.value()
                    .get()
                    .and_then(Result::ok)
                    .map(|()| view! { <p class="ok" role="status">{tr!(i18n, profile.language_saved)}</p> })
            }}
        </section>
    }
}

#[component]
fn OwnTokens(tokens: Vec<OwnToken>, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <DataTable
            caption=move || t_string!(i18n, profile.tokens_title)
            caption_hidden=true
            columns=move || {
                vec![
                    t_string!(i18n, profile.col_organization),
                    t_string!(i18n, profile.col_name),
                    t_string!(i18n, profile.col_role),
                    t_string!(i18n, profile.col_created),
                    t_string!(i18n, profile.col_expires),
                    t_string!(i18n, profile.col_last_used),
                    t_string!(i18n, profile.col_status),
                ]
            }
            class="members"
        >
            {tokens.into_iter().map(|t| view! { <OwnTokenRow t now /> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn OwnTokenRow(t: OwnToken, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    let OwnToken { org, token } = t;
    let status = token.status;
    let never = move || t_string!(i18n, profile.never);
    view! {
        <tr data-testid="own-token-row" class:struck=status == TokenStatus::OwnerRemoved>
            <Cell label=move || t_string!(i18n, profile.col_organization)>
                <a href=format!("/o/{}/tokens", org.slug)>{org.name}</a>
            </Cell>
            <Cell label=move || t_string!(i18n, profile.col_name)>
                {token.name.clone()} <span class="hint">{format!(" …{}", token.last_four)}</span>
            </Cell>
            <Cell label=move || t_string!(i18n, profile.col_role)>{token.role_name.clone()}</Cell>
            <Cell label=move || t_string!(i18n, profile.col_created)>
                <RelativeTime at=token.created_at now />
            </Cell>
            <Cell label=move || t_string!(i18n, profile.col_expires)>
                {match token.expires_at {
                    Some(at) => view! { <RelativeTime at now /> }.into_any(),
                    None => never.into_any(),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, profile.col_last_used)>
                {match (token.last_used_at, token.last_used_addr.clone()) {
                    (Some(at), Some(addr)) => {
                        view! {
                            <RelativeTime at now />
                            {move || t_string!(i18n, profile.from_address, addr = addr.clone())}
                        }
                            .into_any()
                    }
                    (Some(at), None) => view! { <RelativeTime at now /> }.into_any(),
                    (None, _) => never.into_any(),
                }}
            </Cell>
            <Cell label=move || t_string!(i18n, profile.col_status)>
                {move || match status {
                    TokenStatus::Active => t_string!(i18n, profile.status_active),
                    TokenStatus::Expired => t_string!(i18n, profile.status_expired),
                    TokenStatus::OwnerDeactivated => t_string!(i18n, profile.status_owner_deactivated),
                    TokenStatus::OwnerRemoved => t_string!(i18n, profile.status_owner_removed),
                }}
            </Cell>
        </tr>
    }
}
