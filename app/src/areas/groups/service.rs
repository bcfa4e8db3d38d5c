use crate::server::caller::Caller;
use crate::server::caller::event;
use crate::{
    areas::{
        audit::event::AuditTarget,
        groups::types::Group,
        members::service::member,
        shared::{bindings_json, bounded_access, check_grantable, group_grants, short_name},
    },
    core::ids::{GroupId, OrgId, UserId},
    error::AppError,
    policy::{Binding, Permission},
    server::{AppState, RequestCtx, store::GroupWrite},
};
use serde_json::json;

/// The organization's groups with members and bindings (`org.read`).
pub async fn groups(state: &AppState, caller: &Caller) -> Result<Vec<Group>, AppError> {
    let auth = caller.require(Permission::OrgRead)?;
    Ok(state.store.groups(auth.org()).await?)
}

async fn group(state: &AppState, org: OrgId, id: GroupId) -> Result<Group, AppError> {
    state
        .store
        .groups(org)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(AppError::NotFound)
}

/// Creates a group without roles (`groups.manage`).
pub async fn create_group(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    name: &str,
) -> Result<GroupId, AppError> {
    create_group_with(state, ctx, caller, name, Vec::new())
        .await
        .map(|g| g.id)
}

/// Renames a group (`groups.manage`).
pub async fn rename_group(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: GroupId,
    name: &str,
) -> Result<(), AppError> {
    edit_group(state, ctx, caller, id, Some(name.to_string()), None)
        .await
        .map(|_| ())
}

/// Deletes a group and its bindings (`groups.manage`).
pub async fn delete_group(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: GroupId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::GroupsManage)?;
    let before = group(state, auth.org(), id).await?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "group.deleted",
        AuditTarget::new("group", Some(id.to_string()), &before.name),
    )
    .with_before(json!(before));
    state.store.delete_group(&auth, id, audit).await?;
    Ok(())
}

/// A user the organization has (had) as a member; anyone else answers as unknown (rule 5).
async fn known_member(state: &AppState, org: OrgId, user: UserId) -> Result<(), AppError> {
    state
        .store
        .member_status(org, user)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

/// Adds a member to a group (`groups.manage`; joining grants the group's roles, so rule 3
/// applies to them).
pub async fn add_group_member(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: GroupId,
    user: UserId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::GroupsManage)?;
    let g = group(state, auth.org(), id).await?;
    known_member(state, auth.org(), user).await?;
    let custom = state.store.custom_roles(auth.org()).await?;
    check_grantable(caller, &group_grants(&g), &custom)?;
    let who = member(state, caller, user)
        .await
        .map(|m| m.email)
        .unwrap_or_else(|_| user.to_string());
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "group.member_added",
        AuditTarget::new("group", Some(id.to_string()), &g.name),
    )
    .with_after(json!({ "user": user, "email": who }));
    state.store.add_group_member(&auth, id, user, audit).await?;
    Ok(())
}

/// Removes a member from a group (`groups.manage`).
pub async fn remove_group_member(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: GroupId,
    user: UserId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::GroupsManage)?;
    let g = group(state, auth.org(), id).await?;
    known_member(state, auth.org(), user).await?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "group.member_removed",
        AuditTarget::new("group", Some(id.to_string()), &g.name),
    )
    .with_before(json!({ "user": user }));
    state
        .store
        .remove_group_member(&auth, id, user, audit)
        .await?;
    Ok(())
}

/// Replaces a group's role bindings (`groups.manage`; rule 3 for every role).
pub async fn set_group_bindings(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: GroupId,
    bindings: Vec<Binding>,
) -> Result<(), AppError> {
    edit_group(state, ctx, caller, id, None, Some(bindings))
        .await
        .map(|_| ())
}

/// One group (`org.read`).
pub async fn group_view(state: &AppState, caller: &Caller, id: GroupId) -> Result<Group, AppError> {
    let auth = caller.require(Permission::OrgRead)?;
    group(state, auth.org(), id).await
}

/// Creates a group with its role bindings (`groups.manage`; rule 3 for every role). One write:
/// a refused binding leaves no group behind.
pub async fn create_group_with(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    name: &str,
    bindings: Vec<Binding>,
) -> Result<Group, AppError> {
    let auth = caller.require(Permission::GroupsManage)?;
    let name = short_name(name, "name", "group")?;
    let (bindings, _) = bounded_access(Some(bindings), None)?;
    let bindings = bindings.unwrap_or_default();
    let custom = state.store.custom_roles(auth.org()).await?;
    check_grantable(caller, &bindings, &custom)?;
    let id = GroupId::new();
    let mut audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "group.created",
        AuditTarget::new("group", Some(id.to_string()), &name),
    );
    if !bindings.is_empty() {
        audit = audit.with_after(json!({ "bindings": bindings_json(&bindings) }));
    }
    let write = GroupWrite::Create {
        name: &name,
        bindings: &bindings,
    };
    state.store.write_group(&auth, id, write, &[audit]).await?;
    group(state, auth.org(), id).await
}

/// Renames a group, replaces its bindings, or both (`groups.manage`; rule 3 for every role).
/// One write: all of it or nothing, with an event for each change.
pub async fn edit_group(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: GroupId,
    name: Option<String>,
    bindings: Option<Vec<Binding>>,
) -> Result<Group, AppError> {
    let auth = caller.require(Permission::GroupsManage)?;
    let name = name.map(|n| short_name(&n, "name", "group")).transpose()?;
    let (bindings, _) = bounded_access(bindings, None)?;
    let before = group(state, auth.org(), id).await?;
    let mut events = Vec::new();
    if let Some(n) = &name {
        events.push(
            event(
                state,
                ctx,
                caller,
                auth.org(),
                "group.renamed",
                AuditTarget::new("group", Some(id.to_string()), n),
            )
            .with_before(json!({ "name": before.name }))
            .with_after(json!({ "name": n })),
        );
    }
    if let Some(b) = &bindings {
        let custom = state.store.custom_roles(auth.org()).await?;
        check_grantable(caller, b, &custom)?;
        events.push(
            event(
                state,
                ctx,
                caller,
                auth.org(),
                "group.bindings_changed",
                AuditTarget::new("group", Some(id.to_string()), &before.name),
            )
            .with_before(bindings_json(&group_grants(&before)))
            .with_after(bindings_json(b)),
        );
    }
    if events.is_empty() {
        return Ok(before);
    }
    let write = GroupWrite::Change {
        name: name.as_deref(),
        bindings: bindings.as_deref(),
    };
    state.store.write_group(&auth, id, write, &events).await?;
    group(state, auth.org(), id).await
}
