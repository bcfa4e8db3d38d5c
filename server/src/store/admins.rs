//! Rule 4 in the store: an organization keeps at least one active member who holds every
//! permission. Every write that could break it checks, under the organization's lock, before it
//! commits.

use super::{
    Database,
    db::{Ids, Tx, query, query_scalar},
    db_error,
};
use app::{
    core::ids::{OrgId, UserId},
    policy::{BuiltinRole, PermissionSet},
    server::store::{StoreError, StoreResult},
};

pub(super) fn last_admin() -> StoreError {
    StoreError::coded("last_admin")
}

/// Role ids whose permissions are the whole catalogue: `admin`, and custom roles that hold
/// everything (given as (id, stored permissions)).
pub(super) fn full_role_ids(custom: &[(String, String)]) -> Vec<String> {
    let mut ids = vec![BuiltinRole::Admin.id().to_string()];
    ids.extend(
        custom
            .iter()
            .filter(|(_, perms)| super::parse_permissions(perms).is_everything())
            .map(|(id, _)| id.clone()),
    );
    ids
}

/// Whether any member, from their org-scope bindings (user id, role id), holds everything.
pub(super) fn any_full_admin(bindings: &[(UserId, String)], custom: &[(String, String)]) -> bool {
    let mut by_user: std::collections::HashMap<UserId, PermissionSet> =
        std::collections::HashMap::new();
    for (user, role) in bindings {
        let custom_perms = custom
            .iter()
            .find(|(id, _)| id == role)
            .map(|(_, p)| p.as_str());
        let perms = super::resolve_binding(role, custom_perms, None).permissions;
        let entry = by_user.entry(*user).or_insert(PermissionSet::EMPTY);
        *entry = entry.union(perms);
    }
    by_user.values().any(|p| p.is_everything())
}

impl Database {
    /// Rule 4: is there still an active member holding every permission?
    pub(super) async fn ensure_admin(tx: &mut Tx, org: OrgId) -> StoreResult<()> {
        let custom: Vec<(String, String)> =
            query("SELECT id, permissions FROM custom_roles WHERE org_id = $1")
                .bind(Ids::bind(org.0))
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| {
                    Ok((
                        Ids::get(r, "id")?.to_string(),
                        r.try_get("permissions").map_err(StoreError::backend)?,
                    ))
                })
                .collect::<StoreResult<_>>()?;
        // Fast path: someone active holds a role that is everything on its own.
        for role in full_role_ids(&custom) {
            let direct: Option<i32> = query_scalar(
                "SELECT 1 FROM role_bindings rb JOIN memberships m \
                   ON m.org_id = rb.org_id AND m.user_id = rb.principal_id \
                 WHERE rb.org_id = $1 AND rb.principal_type = 'user' AND rb.project_id IS NULL \
                   AND rb.role_id = $2 AND m.status = 'active' LIMIT 1",
            )
            .bind(Ids::bind(org.0))
            .bind(&role)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let via_group: Option<i32> = query_scalar(
                "SELECT 1 FROM role_bindings rb \
                 JOIN group_members gm ON gm.org_id = rb.org_id AND gm.group_id = rb.principal_id \
                 JOIN memberships m ON m.org_id = gm.org_id AND m.user_id = gm.user_id \
                 WHERE rb.org_id = $1 AND rb.principal_type = 'group' AND rb.project_id IS NULL \
                   AND rb.role_id = $2 AND m.status = 'active' LIMIT 1",
            )
            .bind(Ids::bind(org.0))
            .bind(&role)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            if direct.is_some() || via_group.is_some() {
                return Ok(());
            }
        }
        // Slow path: several partial roles may add up to everything.
        let bindings: Vec<(UserId, String)> = query(
            "SELECT m.user_id, rb.role_id FROM memberships m \
             JOIN role_bindings rb ON rb.org_id = m.org_id AND rb.principal_type = 'user' \
               AND rb.principal_id = m.user_id AND rb.project_id IS NULL \
             WHERE m.org_id = $1 AND m.status = 'active' \
             UNION ALL \
             SELECT m.user_id, rb.role_id FROM memberships m \
             JOIN group_members gm ON gm.org_id = m.org_id AND gm.user_id = m.user_id \
             JOIN role_bindings rb ON rb.org_id = m.org_id AND rb.principal_type = 'group' \
               AND rb.principal_id = gm.group_id AND rb.project_id IS NULL \
             WHERE m.org_id = $1 AND m.status = 'active'",
        )
        .bind(Ids::bind(org.0))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            Ok((
                UserId(Ids::get(r, "user_id")?),
                r.try_get("role_id").map_err(StoreError::backend)?,
            ))
        })
        .collect::<StoreResult<_>>()?;
        if any_full_admin(&bindings, &custom) {
            Ok(())
        } else {
            Err(last_admin())
        }
    }
}
