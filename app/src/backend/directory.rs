//! Domain operations on members, custom roles, groups and projects. Each one asks `policy` for
//! its permission, applies rule 3 (no escalation) to whatever it grants, and hands the store one
//! write with its audit event. Server functions and REST handlers call these and nothing else.

use serde_json::json;

use super::{
    AppState, RequestCtx,
    audit_event::{AuditActor, AuditEvent, AuditTarget},
    store::{GroupWrite, MemberFilter, MemberSearch},
};
use crate::{
    error::AppError,
    model::{
        Binding, CustomRole, CustomRoleId, Group, GroupId, MAX_LIST_ENTRIES, MemberRow,
        MembershipStatus, OrgId, OrgSlug, OrgSummary, Project, ProjectId, RoleView, UserId,
    },
    policy::{self, BuiltinRole, Permission, PermissionSet, RoleId, Scope},
};

pub use super::caller::Caller;
pub(super) use super::caller::event;

/// A role's permissions: fixed for built-ins, looked up for custom roles (`None` if unknown).
pub(super) fn role_permissions(role: RoleId, custom: &[CustomRole]) -> Option<PermissionSet> {
    match role {
        RoleId::Builtin(b) => Some(b.permissions()),
        RoleId::Custom(id) => custom.iter().find(|r| r.id == id).map(|r| r.permissions),
    }
}

/// Rule 3 for a set of bindings: each role must be within what the caller holds at its scope.
/// Unknown roles are left to the store, which refuses them as invalid input.
pub(super) fn check_grantable(
    caller: &Caller,
    bindings: &[Binding],
    custom: &[CustomRole],
) -> Result<(), AppError> {
    for b in bindings {
        if let Some(perms) = role_permissions(b.role, custom) {
            let scope = b.project.map_or(Scope::Organization, Scope::Project);
            policy::check_grant(caller.principal.permissions_at(scope), perms)?;
        }
    }
    Ok(())
}

fn without_repeats<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// A request's role bindings and groups, each `None` when not given.
pub(super) type Access = (Option<Vec<Binding>>, Option<Vec<GroupId>>);

/// Role bindings and groups as a request gives them: at most [`MAX_LIST_ENTRIES`] of each
/// (the store checks every one inside the write), a repeated entry kept once.
pub(super) fn bounded_access(
    bindings: Option<Vec<Binding>>,
    groups: Option<Vec<GroupId>>,
) -> Result<Access, AppError> {
    let mut errors = Vec::new();
    if bindings
        .as_ref()
        .is_some_and(|b| b.len() > MAX_LIST_ENTRIES)
    {
        errors.push((
            "bindings",
            format!("At most {MAX_LIST_ENTRIES} role bindings"),
        ));
    }
    if groups.as_ref().is_some_and(|g| g.len() > MAX_LIST_ENTRIES) {
        errors.push(("groups", format!("At most {MAX_LIST_ENTRIES} groups")));
    }
    AppError::fields(errors)?;
    Ok((bindings.map(without_repeats), groups.map(without_repeats)))
}

fn bindings_json(bindings: &[Binding]) -> serde_json::Value {
    json!(bindings)
}

/// Names are one line, 1–64 characters.
fn short_name(input: &str, field: &str, what: &str) -> Result<String, AppError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AppError::field(field, format!("Enter {what}")));
    }
    if s.chars().count() > 64 {
        return Err(AppError::field(field, "A name has at most 64 characters"));
    }
    if s.chars().any(char::is_control) {
        return Err(AppError::field(
            field,
            "A name cannot contain control characters",
        ));
    }
    Ok(s.to_string())
}

// ---- members -------------------------------------------------------------------------------

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
        .change_member_access(
            auth.org(),
            user,
            bindings.as_deref(),
            groups.as_deref(),
            audit,
        )
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
        .set_member_status(auth.org(), user, status, audit)
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
        .remove_member(auth.org(), user, new_owner, revoke_tokens, audit)
        .await?;
    Ok(())
}

/// The caller leaves the organization (rule 4 still holds). Needs no permission.
pub async fn leave(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    new_owner: Option<UserId>,
) -> Result<(), AppError> {
    let policy::Actor::User(user) = *caller.principal.actor() else {
        return Err(AppError::Forbidden(
            "Only a person can leave an organization".into(),
        ));
    };
    let org = caller.principal.org();
    let audit = event(
        state,
        ctx,
        caller,
        org,
        "member.left",
        AuditTarget::new("user", Some(user.to_string()), &caller.label),
    )
    .with_after(json!({ "status": MembershipStatus::Archived, "projects_to": new_owner }));
    state
        .store
        .remove_member(org, user, new_owner, true, audit)
        .await?;
    Ok(())
}

// ---- custom roles --------------------------------------------------------------------------

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
    let name = short_name(name, "name", "a role name")?;
    if BuiltinRole::ALL
        .iter()
        .any(|b| b.name().eq_ignore_ascii_case(&name))
    {
        // The name is taken, as by another custom role: a conflict, not malformed input.
        return Err(AppError::conflict(
            "role_name_taken",
            format!("{name} is a built-in role; choose another name"),
        ));
    }
    let description = description.trim().to_string();
    if description.chars().count() > 500 {
        return Err(AppError::field(
            "description",
            "A description has at most 500 characters",
        ));
    }
    let mut set = PermissionSet::EMPTY;
    for p in permissions {
        let perm = Permission::parse(p)
            .ok_or_else(|| AppError::field("permissions", format!("`{p}` is not a permission")))?;
        set = set.union(PermissionSet::of(&[perm]));
    }
    if set.is_empty() {
        return Err(AppError::field(
            "permissions",
            "Choose at least one permission",
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
    state
        .store
        .create_custom_role(auth.org(), &role, audit)
        .await?;
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
    state
        .store
        .update_custom_role(auth.org(), &role, audit)
        .await?;
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
    state
        .store
        .delete_custom_role(auth.org(), id, audit)
        .await?;
    Ok(())
}

// ---- groups --------------------------------------------------------------------------------

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
    state.store.delete_group(auth.org(), id, audit).await?;
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

pub(super) fn group_grants(g: &Group) -> Vec<Binding> {
    g.bindings
        .iter()
        .map(|b| Binding {
            role: b.role,
            project: b.project.as_ref().map(|p| p.id),
        })
        .collect()
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
    state
        .store
        .add_group_member(auth.org(), id, user, audit)
        .await?;
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
        .remove_group_member(auth.org(), id, user, audit)
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

// ---- projects ------------------------------------------------------------------------------

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
    let name = short_name(name, "name", "a project name")?;
    let owner = match (owner, caller.principal.actor()) {
        (Some(o), _) => o,
        (None, policy::Actor::User(u)) => *u,
        (None, _) => return Err(AppError::field("owner", "Choose the project's owner")),
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
        .create_project(auth.org(), id, &name, owner, audit)
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
    state.store.delete_project(auth.org(), id, audit).await?;
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

// ---- organizations -------------------------------------------------------------------------

/// A signed-in person founds another organization and becomes its Admin. Allowed to anyone
/// with open sign-up; otherwise to Admins of an organization (operators of this installation).
pub async fn create_organization(
    state: &AppState,
    ctx: &RequestCtx,
    user: UserId,
    label: &str,
    name: &str,
) -> Result<OrgSummary, AppError> {
    let name = crate::model::OrgName::parse(name).map_err(|m| AppError::field("name", m))?;
    if !state.config.open_signup {
        let view = state
            .store
            .session_view(user)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut is_admin = false;
        for o in &view.organizations {
            if let Some(a) = state.store.member_access(o.id, user).await? {
                is_admin |= policy::is_full_admin(policy::effective_permissions(
                    a.status,
                    &a.bindings,
                    Scope::Organization,
                ));
            }
        }
        if !is_admin {
            return Err(AppError::Forbidden(
                "Only administrators can create organizations on this installation".into(),
            ));
        }
    }
    let slug = OrgSlug::from_name(name.as_str()).ok_or_else(|| {
        AppError::field(
            "name",
            "An organization name needs at least one letter or digit",
        )
    })?;
    let id = OrgId::new();
    let audit = AuditEvent::new(
        Some(id),
        AuditActor::user(user, label),
        "organization.created",
        AuditTarget::new("organization", Some(id.to_string()), name.as_str()),
        ctx,
        state.now(),
    )
    .with_after(json!({ "name": name.as_str(), "admin": label }));
    Ok(state
        .store
        .create_organization_for(id, name.as_str(), &slug, user, state.now(), audit)
        .await?)
}

// ---- one thing at a time, and partial changes (the REST API) -------------------------------

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
        format!("{} is a built-in role and cannot be {what}", role.name()),
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
    let name = short_name(name, "name", "a group name")?;
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
    state
        .store
        .write_group(auth.org(), id, write, &[audit])
        .await?;
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
    let name = name
        .map(|n| short_name(&n, "name", "a group name"))
        .transpose()?;
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
    state
        .store
        .write_group(auth.org(), id, write, &events)
        .await?;
    group(state, auth.org(), id).await
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
        .map(|n| short_name(&n, "name", "a project name"))
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
        .change_project(auth.org(), id, name.as_deref(), owner, &events)
        .await?;
    project(state, auth.org(), id).await
}
