use crate::server::caller::Caller;
use crate::{
    areas::roles::types::CustomRole,
    core::{ids::GroupId, validate::MAX_LIST_ENTRIES},
    error::{AppError, Wording},
    policy::{self, Binding, PermissionSet, RoleId, Scope},
};
use serde_json::json;

/// A role's permissions: fixed for built-ins, looked up for custom roles (`None` if unknown).
pub(crate) fn role_permissions(role: RoleId, custom: &[CustomRole]) -> Option<PermissionSet> {
    match role {
        RoleId::Builtin(b) => Some(b.permissions()),
        RoleId::Custom(id) => custom.iter().find(|r| r.id == id).map(|r| r.permissions),
    }
}

/// Rule 3 for a set of bindings: each role must be within what the caller holds at its scope.
/// Unknown roles are left to the store, which refuses them as invalid input.
pub(crate) fn check_grantable(
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

pub(crate) fn without_repeats<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// A request's role bindings and groups, each `None` when not given.
pub(crate) type Access = (Option<Vec<Binding>>, Option<Vec<GroupId>>);

/// Role bindings and groups as a request gives them: at most [`MAX_LIST_ENTRIES`] of each
/// (the store checks every one inside the write), a repeated entry kept once.
pub(crate) fn bounded_access(
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
            Wording::new("field_bindings_many").with("max", MAX_LIST_ENTRIES),
        ));
    }
    if groups.as_ref().is_some_and(|g| g.len() > MAX_LIST_ENTRIES) {
        errors.push((
            "groups",
            Wording::new("field_groups_many").with("max", MAX_LIST_ENTRIES),
        ));
    }
    AppError::fields(errors)?;
    Ok((bindings.map(without_repeats), groups.map(without_repeats)))
}

pub(crate) fn bindings_json(bindings: &[Binding]) -> serde_json::Value {
    json!(bindings)
}

/// Names are one line, 1–64 characters; `what` (`role`, `group`, `project`) picks the sentence
/// asking for one (`field_{what}_name_empty`).
pub(crate) fn short_name(input: &str, field: &str, what: &str) -> Result<String, AppError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AppError::field_worded(
            field,
            Wording::new(&format!("field_{what}_name_empty")),
        ));
    }
    if s.chars().count() > 64 {
        return Err(AppError::field_worded(
            field,
            Wording::new("field_short_name_long").with("max", 64),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(AppError::field_worded(
            field,
            Wording::new("field_short_name_control"),
        ));
    }
    Ok(s.to_string())
}

use crate::areas::groups::types::Group;

pub(crate) fn group_grants(g: &Group) -> Vec<Binding> {
    g.bindings
        .iter()
        .map(|b| Binding {
            role: b.role,
            project: b.project.as_ref().map(|p| p.id),
        })
        .collect()
}
