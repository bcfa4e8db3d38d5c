use crate::server::caller::Caller;
use crate::server::caller::event;
use crate::{
    areas::{audit::event::AuditTarget, projects::types::Project, shared::short_name},
    core::ids::{OrgId, ProjectId, UserId},
    error::AppError,
    policy::{self, Permission},
    server::{AppState, RequestCtx},
};
use serde_json::json;

/// The organization's projects (`org.read`).
pub async fn projects(state: &AppState, caller: &Caller) -> Result<Vec<Project>, AppError> {
    let auth = caller.require(Permission::OrgRead)?;
    Ok(state.store.projects(auth.org()).await?)
}

async fn project(state: &AppState, org: OrgId, id: ProjectId) -> Result<Project, AppError> {
    state
        .store
        .projects(org)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)
}

/// Creates a project owned by `owner` (the caller when `None`) (`org.manage`).
pub async fn create_project(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    name: &str,
    owner: Option<UserId>,
) -> Result<ProjectId, AppError> {
    let auth = caller.require(Permission::OrgManage)?;
    let name = short_name(name, "name", "project")?;
    let owner = match (owner, caller.principal.actor()) {
        (Some(o), _) => o,
        (None, policy::Actor::User(u)) => *u,
        (None, _) => {
            return Err(AppError::field_worded(
                "owner",
                crate::error::Wording::new("field_owner_missing"),
            ));
        }
    };
    let id = ProjectId::new();
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "project.created",
        AuditTarget::new("project", Some(id.to_string()), &name),
    )
    .with_after(json!({ "name": name, "owner": owner }));
    state
        .store
        .create_project(&auth, id, &name, owner, audit)
        .await?;
    Ok(id)
}

/// Renames a project (`org.manage`).
pub async fn rename_project(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: ProjectId,
    name: &str,
) -> Result<(), AppError> {
    edit_project(state, ctx, caller, id, Some(name.to_string()), None)
        .await
        .map(|_| ())
}

/// Deletes a project and the bindings at its scope (`org.manage`).
pub async fn delete_project(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: ProjectId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::OrgManage)?;
    let before = project(state, auth.org(), id).await?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "project.deleted",
        AuditTarget::new("project", Some(id.to_string()), &before.name),
    )
    .with_before(json!(before));
    state.store.delete_project(&auth, id, audit).await?;
    Ok(())
}

/// Hands a project to another active member (`org.manage`).
pub async fn change_project_owner(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: ProjectId,
    owner: UserId,
) -> Result<(), AppError> {
    edit_project(state, ctx, caller, id, None, Some(owner))
        .await
        .map(|_| ())
}

/// One project (`org.read`).
pub async fn project_view(
    state: &AppState,
    caller: &Caller,
    id: ProjectId,
) -> Result<Project, AppError> {
    let auth = caller.require(Permission::OrgRead)?;
    project(state, auth.org(), id).await
}

/// Renames a project, hands it to another owner, or both (`org.manage`). One write: all of it
/// or nothing, with an event for each change.
pub async fn edit_project(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: ProjectId,
    name: Option<String>,
    owner: Option<UserId>,
) -> Result<Project, AppError> {
    let auth = caller.require(Permission::OrgManage)?;
    let name = name
        .map(|n| short_name(&n, "name", "project"))
        .transpose()?;
    let before = project(state, auth.org(), id).await?;
    let mut events = Vec::new();
    if let Some(n) = &name {
        events.push(
            event(
                state,
                ctx,
                caller,
                auth.org(),
                "project.renamed",
                AuditTarget::new("project", Some(id.to_string()), n),
            )
            .with_before(json!({ "name": before.name }))
            .with_after(json!({ "name": n })),
        );
    }
    if let Some(o) = owner {
        events.push(
            event(
                state,
                ctx,
                caller,
                auth.org(),
                "project.owner_changed",
                AuditTarget::new(
                    "project",
                    Some(id.to_string()),
                    name.as_deref().unwrap_or(&before.name),
                ),
            )
            .with_before(json!({ "owner": before.owner.id }))
            .with_after(json!({ "owner": o })),
        );
    }
    if events.is_empty() {
        return Ok(before);
    }
    state
        .store
        .change_project(&auth, id, name.as_deref(), owner, &events)
        .await?;
    project(state, auth.org(), id).await
}
