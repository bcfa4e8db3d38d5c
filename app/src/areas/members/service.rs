use crate::server::caller::Caller;
use crate::server::caller::event;
use crate::{
    areas::{
        accounts::types::OrgSummary,
        audit::event::AuditTarget,
        members::types::{MemberListing, MemberQuery, MembersPage},
        shared::{bindings_json, bounded_access, check_grantable, group_grants},
    },
    core::{ids::UserId, kinds::MembershipStatus},
    error::{AppError, Wording},
    policy::{self, Permission, Scope},
    server::{
        AppState, RequestCtx,
        store::{MemberFilter, MemberKey, MemberSearch},
    },
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::json;

/// One page of the organization's members (`members.read`).
pub async fn list_members(
    state: &AppState,
    caller: &Caller,
    query: &MemberQuery,
) -> Result<MemberListing, AppError> {
    let auth = policy::require(
        &caller.principal,
        Permission::MembersRead,
        Scope::Organization,
    )?;
    // The console offers 25, 50 and 100; the API takes any page size up to 100.
    if !(1..=MemberQuery::MAX_LIMIT).contains(&query.limit) {
        return Err(AppError::field_worded(
            "limit",
            Wording::new("field_members_page"),
        ));
    }
    let search = match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => None,
        Some(q) if q.chars().count() > 200 => {
            return Err(AppError::field_worded(
                "q",
                Wording::new("field_search_long").with("max", 200),
            ));
        }
        Some(q) => Some(match q.parse::<UserId>() {
            Ok(id) => MemberSearch::UserId(id),
            Err(_) => MemberSearch::Text(q.to_string()),
        }),
    };
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = MemberFilter {
        status: query.status,
        search,
        role: query.role,
        group: query.group,
        two_factor: query.two_factor,
        after,
        limit: query.limit,
    };
    let page = state.store.list_members(auth.org(), &filter).await?;
    Ok(MemberListing {
        items: page.rows,
        next_cursor: page.next.as_ref().map(encode_cursor),
        total: page.total,
        total_is_estimate: page.total_is_estimate,
    })
}

/// The members page: the organization and one page of its members.
pub async fn members_page(
    state: &AppState,
    caller: &Caller,
    org: OrgSummary,
    query: &MemberQuery,
) -> Result<MembersPage, AppError> {
    let listing = list_members(state, caller, query).await?;
    Ok(MembersPage { org, listing })
}

fn encode_cursor(key: &MemberKey) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\n{}", key.name_key, key.user_id))
}

fn decode_cursor(cursor: &str) -> Result<MemberKey, AppError> {
    let bad = crate::server::rest::paging::invalid_cursor;
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (name_key, id) = text.rsplit_once('\n').ok_or_else(bad)?;
    Ok(MemberKey {
        name_key: name_key.to_string(),
        user_id: id.parse().map_err(|_| bad())?,
    })
}

use crate::{areas::members::types::MemberRow, core::ids::GroupId, policy::Binding};

/// One member of the organization, in any status (`members.read`).
pub async fn member(
    state: &AppState,
    caller: &Caller,
    user: UserId,
) -> Result<MemberRow, AppError> {
    let auth = caller.require(Permission::MembersRead)?;
    let status = state
        .store
        .member_status(auth.org(), user)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut filter = MemberFilter::all(status);
    filter.search = Some(MemberSearch::UserId(user));
    let page = state.store.list_members(auth.org(), &filter).await?;
    page.rows.into_iter().next().ok_or(AppError::NotFound)
}

/// Replaces a member's own role bindings and groups (`members.manage`; rule 3 for every role
/// granted, including those that come with a group the member joins).
pub async fn update_member(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    user: UserId,
    bindings: Vec<Binding>,
    groups: Vec<GroupId>,
) -> Result<(), AppError> {
    change_member_access(state, ctx, caller, user, Some(bindings), Some(groups)).await
}

/// Replaces a member's own role bindings, groups, or both; `None` keeps what is there
/// (`members.manage`; rule 3 as in [`update_member`]). One write: all of it or nothing.
pub async fn change_member_access(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    user: UserId,
    bindings: Option<Vec<Binding>>,
    groups: Option<Vec<GroupId>>,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::MembersManage)?;
    let (bindings, groups) = bounded_access(bindings, groups)?;
    let before = member(state, caller, user).await?;
    let custom = state.store.custom_roles(auth.org()).await?;
    if let Some(bindings) = &bindings {
        check_grantable(caller, bindings, &custom)?;
    }
    let joining: Vec<GroupId> = groups
        .iter()
        .flatten()
        .filter(|g| !before.groups.iter().any(|b| b.id == **g))
        .copied()
        .collect();
    if !joining.is_empty() {
        let all = state.store.groups(auth.org()).await?;
        for g in all.iter().filter(|g| joining.contains(&g.id)) {
            check_grantable(caller, &group_grants(g), &custom)?;
        }
    }
    let own_before: Vec<serde_json::Value> = before
        .roles
        .iter()
        .filter(|r| r.via_group.is_none())
        .map(|r| json!({"role": r.role, "project": r.project.as_ref().map(|p| p.id)}))
        .collect();
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "member.access_changed",
        AuditTarget::new("user", Some(user.to_string()), &before.email),
    )
    .with_before(json!({
        "roles": own_before,
        "groups": before.groups.iter().map(|g| g.id).collect::<Vec<_>>(),
    }))
    .with_after(json!({
        "roles": bindings.as_deref().map_or_else(|| json!(own_before), bindings_json),
        "groups": groups.clone().unwrap_or_else(|| before.group_ids()),
    }));
    state
        .store
        .change_member_access(&auth, user, bindings.as_deref(), groups.as_deref(), audit)
        .await?;
    Ok(())
}

/// Deactivates (`active: false`) or reactivates a member (`members.manage`).
pub async fn set_member_active(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    user: UserId,
    active: bool,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::MembersManage)?;
    let before = member(state, caller, user).await?;
    if active {
        // Reactivating gives the member's access back: rule 3 as if granting it anew, at every
        // scope it applies to (direct and through groups).
        let access = state
            .store
            .member_access(auth.org(), user)
            .await?
            .ok_or(AppError::NotFound)?;
        for b in &access.bindings {
            let scope = b.project.map_or(Scope::Organization, Scope::Project);
            policy::check_grant(caller.principal.permissions_at(scope), b.permissions)?;
        }
    }
    let (status, action) = if active {
        (MembershipStatus::Active, "member.reactivated")
    } else {
        (MembershipStatus::Deactivated, "member.deactivated")
    };
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        action,
        AuditTarget::new("user", Some(user.to_string()), &before.email),
    )
    .with_before(json!({ "status": before.status }))
    .with_after(json!({ "status": status }));
    state
        .store
        .set_member_status(&auth, user, status, audit)
        .await?;
    Ok(())
}

/// Removes a member: the membership is archived for good; their projects go to `new_owner`
/// (`members.manage`).
pub async fn remove_member(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    user: UserId,
    new_owner: Option<UserId>,
    revoke_tokens: bool,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::MembersManage)?;
    let before = member(state, caller, user).await?;
    let audit = event(state, ctx, caller, auth.org(), "member.removed", AuditTarget::new("user", Some(user.to_string()), &before.email))
        .with_before(json!({ "status": before.status, "groups": before.groups.iter().map(|g| &g.name).collect::<Vec<_>>(), "tokens_revoked": revoke_tokens }))
        .with_after(json!({ "status": MembershipStatus::Archived, "projects_to": new_owner }));
    state
        .store
        .remove_member(&auth, user, new_owner, revoke_tokens, audit)
        .await?;
    Ok(())
}

/// Changes a member's own bindings, groups, or both; what is not given stays
/// (`members.manage`, as [`change_member_access`]). Answers the member as they are now.
pub async fn patch_member(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    user: UserId,
    bindings: Option<Vec<Binding>>,
    groups: Option<Vec<GroupId>>,
) -> Result<MemberRow, AppError> {
    change_member_access(state, ctx, caller, user, bindings, groups).await?;
    member(state, caller, user).await
}

use crate::core::ids::NamedRef;

/// Active members to choose an owner from; empty for callers who may not list members.
pub async fn owner_candidates(state: &AppState, caller: &Caller) -> Vec<NamedRef<UserId>> {
    let mut q = MemberQuery::active();
    q.limit = 100;
    crate::areas::members::service::list_members(state, caller, &q)
        .await
        .map(|l| {
            l.items
                .into_iter()
                .map(|m| NamedRef {
                    id: m.user_id,
                    name: m.name,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_field_error() {
        let key = MemberKey {
            name_key: "ada lovelace\nwith a newline".into(),
            user_id: UserId(uuid::Uuid::from_u128(7)),
        };
        assert_eq!(decode_cursor(&encode_cursor(&key)), Ok(key));
        for bad in ["", "!!!", "bm8tbmV3bGluZQ"] {
            let e = decode_cursor(bad).expect_err("rejected");
            assert!(e.field_message("cursor").is_some(), "{bad}: {e:?}");
        }
    }
}
