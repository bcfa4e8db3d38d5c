use crate::server::caller::Caller;
use crate::server::caller::event;
use crate::{
    areas::{
        audit::event::AuditTarget,
        roles::types::{CustomRole, RoleView},
        shared::short_name,
    },
    core::ids::CustomRoleId,
    error::{AppError, Wording},
    policy::{self, BuiltinRole, Permission, PermissionSet, RoleId, Scope},
    server::{AppState, RequestCtx},
};
use serde_json::json;

/// The organization's custom roles (`org.read`).
pub async fn roles(state: &AppState, caller: &Caller) -> Result<Vec<CustomRole>, AppError> {
    let auth = caller.require(Permission::OrgRead)?;
    Ok(state.store.custom_roles(auth.org()).await?)
}

fn role_input(
    name: &str,
    description: &str,
    permissions: &[String],
) -> Result<(String, String, PermissionSet), AppError> {
    let name = short_name(name, "name", "role")?;
    if BuiltinRole::ALL
        .iter()
        .any(|b| b.name().eq_ignore_ascii_case(&name))
    {
        // The name is taken, as by another custom role: a conflict, not malformed input.
        return Err(AppError::conflict(
            "role_name_taken",
            Wording::new("role_name_builtin").with("name", name),
        ));
    }
    let description = description.trim().to_string();
    if description.chars().count() > 500 {
        return Err(AppError::field_worded(
            "description",
            Wording::new("field_description_long").with("max", 500),
        ));
    }
    let mut set = PermissionSet::EMPTY;
    for p in permissions {
        let perm = Permission::parse(p).ok_or_else(|| {
            AppError::field_worded(
                "permissions",
                Wording::new("field_not_permission").with("permission", p),
            )
        })?;
        set = set.union(PermissionSet::of(&[perm]));
    }
    if set.is_empty() {
        return Err(AppError::field_worded(
            "permissions",
            Wording::new("field_permissions_empty"),
        ));
    }
    Ok((name, description, set))
}

/// Creates a custom role (`roles.manage`; only with permissions the caller holds).
pub async fn create_role(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    name: &str,
    description: &str,
    permissions: &[String],
) -> Result<CustomRole, AppError> {
    let auth = caller.require(Permission::RolesManage)?;
    let (name, description, permissions) = role_input(name, description, permissions)?;
    policy::check_grant(
        caller.principal.permissions_at(Scope::Organization),
        permissions,
    )?;
    let role = CustomRole {
        id: CustomRoleId::new(),
        name,
        description,
        permissions,
    };
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "role.created",
        AuditTarget::new("role", Some(role.id.to_string()), &role.name),
    )
    .with_after(json!(role));
    state.store.create_custom_role(&auth, &role, audit).await?;
    Ok(role)
}

/// Edits a custom role (`roles.manage`; only with permissions the caller holds).
pub async fn update_role(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: CustomRoleId,
    name: &str,
    description: &str,
    permissions: &[String],
) -> Result<CustomRole, AppError> {
    let auth = caller.require(Permission::RolesManage)?;
    let before = state
        .store
        .custom_roles(auth.org())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let (name, description, permissions) = role_input(name, description, permissions)?;
    policy::check_grant(
        caller.principal.permissions_at(Scope::Organization),
        permissions,
    )?;
    let role = CustomRole {
        id,
        name,
        description,
        permissions,
    };
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "role.updated",
        AuditTarget::new("role", Some(id.to_string()), &role.name),
    )
    .with_before(json!(before))
    .with_after(json!(role));
    state.store.update_custom_role(&auth, &role, audit).await?;
    Ok(role)
}

/// Deletes a custom role that nothing is bound to (`roles.manage`).
pub async fn delete_role(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: CustomRoleId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::RolesManage)?;
    let before = state
        .store
        .custom_roles(auth.org())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "role.deleted",
        AuditTarget::new("role", Some(id.to_string()), &before.name),
    )
    .with_before(json!(before));
    state.store.delete_custom_role(&auth, id, audit).await?;
    Ok(())
}

/// Every role of the organization, built-in first (`org.read`).
pub async fn all_roles(state: &AppState, caller: &Caller) -> Result<Vec<RoleView>, AppError> {
    let custom = roles(state, caller).await?;
    Ok(BuiltinRole::ALL
        .into_iter()
        .map(RoleView::builtin)
        .chain(custom.into_iter().map(RoleView::custom))
        .collect())
}

/// One role, built-in or custom (`org.read`).
pub async fn role(state: &AppState, caller: &Caller, id: RoleId) -> Result<RoleView, AppError> {
    all_roles(state, caller)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)
}

fn builtin_refused(role: BuiltinRole, what: &str) -> AppError {
    AppError::conflict(
        "builtin_role",
        Wording::new(&format!("builtin_role_{what}")).with("name", role.name()),
    )
}

/// Changes a custom role's name, description or permissions; what is not given stays
/// (`roles.manage`). Built-in roles are refused.
pub async fn edit_role(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: RoleId,
    name: Option<String>,
    description: Option<String>,
    permissions: Option<Vec<String>>,
) -> Result<RoleView, AppError> {
    caller.require(Permission::RolesManage)?;
    let current = role(state, caller, id).await?;
    let custom_id = match id {
        RoleId::Builtin(b) => return Err(builtin_refused(b, "edited")),
        RoleId::Custom(c) => c,
    };
    let permissions = permissions.unwrap_or_else(|| {
        current
            .permissions
            .iter()
            .map(|p| p.as_str().to_string())
            .collect()
    });
    let updated = update_role(
        state,
        ctx,
        caller,
        custom_id,
        name.as_deref().unwrap_or(&current.name),
        description.as_deref().unwrap_or(&current.description),
        &permissions,
    )
    .await?;
    Ok(RoleView::custom(updated))
}

/// Deletes a custom role (`roles.manage`). Built-in roles are refused.
pub async fn delete_any_role(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: RoleId,
) -> Result<(), AppError> {
    caller.require(Permission::RolesManage)?;
    role(state, caller, id).await?;
    match id {
        RoleId::Builtin(b) => Err(builtin_refused(b, "deleted")),
        RoleId::Custom(c) => delete_role(state, ctx, caller, c).await,
    }
}
