//! Members, roles, groups and projects: one implementation for both backends.
//!
//! The SQL below is portable between SQLite and PostgreSQL (numbered placeholders, standard
//! functions); `directory_store!` expands it inside each backend's module, where these names
//! resolve to that backend's versions:
//! - `Tx`: the backend's transaction type;
//! - `Ids::bind(Uuid)`, `Ids::bind_opt(Option<Uuid>)`, `Ids::get(&row, col)`, `Ids::get_opt(&row, col)`:
//!   ids as the backend stores them (TEXT in SQLite, `uuid` in PostgreSQL);
//! - `lock_org(&mut tx, org)`: serializes writes to one organization (the single writer
//!   connection already does on SQLite; `SELECT … FOR UPDATE` on PostgreSQL), so that the
//!   rule-4 check and the write it guards cannot interleave with another;
//! - `known_ids(&mut tx, table, org, &ids)`: which of `ids` are rows of `table` in `org`, in one
//!   query (`IN (…)` in SQLite, `= ANY($2)` in PostgreSQL);
//! - `insert_audit(&mut tx, &event)`; `self.write_tx()`; `self.read_pool()`.

use app::{
    backend::store::StoreError,
    model::{GroupId, NamedRef, ProjectId, UserId, thousands},
    policy::{BuiltinRole, PermissionSet, RoleId},
};

/// What an organization may have only so many of (its settings say how many).
#[derive(Debug, Clone, Copy)]
pub(super) enum Quota {
    CustomRoles,
    Groups,
    Projects,
    Tokens,
}

impl Quota {
    /// The organization's limit (`lim`) and how many it has (`n`), for `$1` the organization.
    pub(super) fn sql(self) -> &'static str {
        match self {
            Quota::CustomRoles => {
                "SELECT CAST(o.custom_role_limit AS BIGINT) AS lim, \
                        (SELECT count(*) FROM custom_roles t WHERE t.org_id = o.id) AS n \
                 FROM organizations o WHERE o.id = $1"
            }
            Quota::Groups => {
                "SELECT CAST(o.group_limit AS BIGINT) AS lim, \
                        (SELECT count(*) FROM groups t WHERE t.org_id = o.id) AS n \
                 FROM organizations o WHERE o.id = $1"
            }
            Quota::Projects => {
                "SELECT CAST(o.project_limit AS BIGINT) AS lim, \
                        (SELECT count(*) FROM projects t WHERE t.org_id = o.id) AS n \
                 FROM organizations o WHERE o.id = $1"
            }
            Quota::Tokens => {
                "SELECT CAST(o.token_limit AS BIGINT) AS lim, \
                        (SELECT count(*) FROM access_tokens t WHERE t.org_id = o.id) AS n \
                 FROM organizations o WHERE o.id = $1"
            }
        }
    }

    pub(super) fn reached(self, limit: i64) -> StoreError {
        let one = limit == 1;
        let limit = thousands(u32::try_from(limit).unwrap_or(u32::MAX));
        let what = match self {
            Quota::CustomRoles if one => "custom role",
            Quota::CustomRoles => "custom roles",
            Quota::Groups if one => "group",
            Quota::Groups => "groups",
            Quota::Projects if one => "project",
            Quota::Projects => "projects",
            Quota::Tokens if one => "access token (revoked and expired ones count until deleted)",
            Quota::Tokens => "access tokens (revoked and expired ones count until deleted)",
        };
        StoreError::Conflict {
            code: "limit_reached",
            message: format!(
                "This organization has reached its limit of {limit} {what}; \
                 raise it in the organization settings or delete one"
            ),
        }
    }
}

pub(super) fn last_admin() -> StoreError {
    StoreError::Conflict {
        code: "last_admin",
        message: "An organization needs at least one active Admin".into(),
    }
}

pub(super) fn archived() -> StoreError {
    StoreError::Conflict {
        code: "archived",
        message: "This member was removed. A removed member cannot come back; invite them again for a fresh start."
            .into(),
    }
}

/// "2 members and 1 group" for the role-in-use refusal.
pub(super) fn describe_usage(counts: &[(String, i64)]) -> String {
    let noun = |kind: &str, n: i64| match (kind, n) {
        ("user", 1) => "1 member".to_string(),
        ("user", n) => format!("{n} members"),
        ("group", 1) => "1 group".to_string(),
        ("group", n) => format!("{n} groups"),
        ("invitation", 1) => "1 open invitation".to_string(),
        ("invitation", n) => format!("{n} open invitations"),
        ("token", 1) => "1 access token".to_string(),
        (_, n) => format!("{n} access tokens"),
    };
    let parts: Vec<String> = counts.iter().map(|(k, n)| noun(k, *n)).collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
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

pub(super) fn role_name(role_id: &str, custom_name: Option<String>) -> Option<(RoleId, String)> {
    match role_id.parse::<RoleId>().ok()? {
        RoleId::Builtin(b) => Some((RoleId::Builtin(b), b.name().to_string())),
        r @ RoleId::Custom(_) => custom_name.map(|n| (r, n)),
    }
}

pub(super) fn named_project(
    id: Option<uuid::Uuid>,
    name: Option<String>,
) -> Option<NamedRef<ProjectId>> {
    id.zip(name).map(|(id, name)| NamedRef {
        id: ProjectId(id),
        name,
    })
}

pub(super) fn dedup<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

pub(super) fn unknown_group(id: GroupId) -> StoreError {
    StoreError::Invalid {
        field: "groups",
        message: format!("There is no group {id} in this organization"),
    }
}

macro_rules! directory_store {
    ($store:ty) => {
        impl $store {
            /// Rule 4: is there still an active member holding every permission?
            async fn ensure_admin(tx: &mut Tx, org: OrgId) -> StoreResult<()> {
                let custom: Vec<(String, String)> = sqlx::query("SELECT id, permissions FROM custom_roles WHERE org_id = $1")
                    .bind(Ids::bind(org.0))
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db_error)?
                    .iter()
                    .map(|r| Ok((Ids::get(r, "id")?.to_string(), r.try_get("permissions").map_err(StoreError::backend)?)))
                    .collect::<StoreResult<_>>()?;
                // Fast path: someone active holds a role that is everything on its own.
                for role in directory::full_role_ids(&custom) {
                    let direct: Option<i32> = sqlx::query_scalar(
                        "SELECT 1 FROM role_bindings rb JOIN memberships m \
                           ON m.org_id = rb.org_id AND m.user_id = rb.principal_id \
                         WHERE rb.org_id = $1 AND rb.principal_type = 'user' AND rb.project_id IS NULL \
                           AND rb.role_id = $2 AND m.status = 'active' LIMIT 1",
                    )
                    .bind(Ids::bind(org.0))
                    .bind(&role)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_error)?;
                    let via_group: Option<i32> = sqlx::query_scalar(
                        "SELECT 1 FROM role_bindings rb \
                         JOIN group_members gm ON gm.org_id = rb.org_id AND gm.group_id = rb.principal_id \
                         JOIN memberships m ON m.org_id = gm.org_id AND m.user_id = gm.user_id \
                         WHERE rb.org_id = $1 AND rb.principal_type = 'group' AND rb.project_id IS NULL \
                           AND rb.role_id = $2 AND m.status = 'active' LIMIT 1",
                    )
                    .bind(Ids::bind(org.0))
                    .bind(&role)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_error)?;
                    if direct.is_some() || via_group.is_some() {
                        return Ok(());
                    }
                }
                // Slow path: several partial roles may add up to everything.
                let bindings: Vec<(UserId, String)> = sqlx::query(
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
                .fetch_all(&mut **tx)
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| Ok((UserId(Ids::get(r, "user_id")?), r.try_get("role_id").map_err(StoreError::backend)?)))
                .collect::<StoreResult<_>>()?;
                if directory::any_full_admin(&bindings, &custom) {
                    Ok(())
                } else {
                    Err(directory::last_admin())
                }
            }

            async fn status_in(tx: &mut Tx, org: OrgId, user: UserId) -> StoreResult<Option<MembershipStatus>> {
                let s: Option<String> = sqlx::query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND user_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(s.as_deref().and_then(MembershipStatus::parse))
            }

            async fn exists(tx: &mut Tx, sql: &'static str, org: OrgId, id: uuid::Uuid) -> StoreResult<bool> {
                let n: i64 = sqlx::query_scalar(sql)
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(id))
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(n > 0)
            }

            /// Every role and project the bindings name must be the organization's: one query
            /// for the roles and one for the projects, however many bindings there are.
            async fn check_bindings(tx: &mut Tx, org: OrgId, bindings: &[Binding]) -> StoreResult<()> {
                let roles: Vec<CustomRoleId> = directory::dedup(
                    &bindings
                        .iter()
                        .filter_map(|b| if let RoleId::Custom(id) = b.role { Some(id) } else { None })
                        .collect::<Vec<_>>(),
                );
                let ids: Vec<uuid::Uuid> = roles.iter().map(|r| r.0).collect();
                let known = known_ids(tx, "custom_roles", org, &ids).await?;
                if let Some(id) = roles.iter().find(|r| !known.contains(&r.0)) {
                    return Err(StoreError::Invalid {
                        field: "bindings",
                        message: format!("There is no role {id} in this organization"),
                    });
                }
                let projects: Vec<ProjectId> =
                    directory::dedup(&bindings.iter().filter_map(|b| b.project).collect::<Vec<_>>());
                let ids: Vec<uuid::Uuid> = projects.iter().map(|p| p.0).collect();
                let known = known_ids(tx, "projects", org, &ids).await?;
                if let Some(p) = projects.iter().find(|p| !known.contains(&p.0)) {
                    return Err(StoreError::Invalid {
                        field: "bindings",
                        message: format!("There is no project {p} in this organization"),
                    });
                }
                Ok(())
            }

            /// Every group must be the organization's, looked up in one query.
            async fn check_groups(tx: &mut Tx, org: OrgId, groups: &[GroupId]) -> StoreResult<()> {
                let ids: Vec<uuid::Uuid> = directory::dedup(groups).iter().map(|g| g.0).collect();
                let known = known_ids(tx, "groups", org, &ids).await?;
                match ids.into_iter().find(|g| !known.contains(g)) {
                    Some(g) => Err(directory::unknown_group(GroupId(g))),
                    None => Ok(()),
                }
            }

            /// Refuses one more of `quota` once the organization has as many as its settings
            /// allow. The caller holds the organization's write lock, so racing creations count
            /// each other and the limit holds.
            async fn within_limit(tx: &mut Tx, org: OrgId, quota: directory::Quota) -> StoreResult<()> {
                let r = sqlx::query(quota.sql())
                    .bind(Ids::bind(org.0))
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_error)?
                    .ok_or(StoreError::NotFound)?;
                let limit: i64 = r.try_get("lim").map_err(StoreError::backend)?;
                let n: i64 = r.try_get("n").map_err(StoreError::backend)?;
                if n >= limit { Err(quota.reached(limit)) } else { Ok(()) }
            }

            async fn check_member(tx: &mut Tx, org: OrgId, user: UserId, field: &'static str, active_only: bool) -> StoreResult<()> {
                match Self::status_in(tx, org, user).await? {
                    Some(MembershipStatus::Active) => Ok(()),
                    Some(MembershipStatus::Deactivated) if !active_only => Ok(()),
                    _ => Err(StoreError::Invalid {
                        field,
                        message: if active_only {
                            format!("{user} is not an active member of this organization")
                        } else {
                            format!("{user} is not a member of this organization")
                        },
                    }),
                }
            }

            async fn insert_bindings(
                tx: &mut Tx,
                org: OrgId,
                principal_type: &'static str,
                principal: uuid::Uuid,
                bindings: &[Binding],
                now: i64,
            ) -> StoreResult<()> {
                for b in directory::dedup(bindings) {
                    sqlx::query(
                        "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, project_id, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(Ids::bind(uuid::Uuid::now_v7()))
                    .bind(Ids::bind(org.0))
                    .bind(principal_type)
                    .bind(Ids::bind(principal))
                    .bind(b.role.to_string())
                    .bind(Ids::bind_opt(b.project.map(|p| p.0)))
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                }
                Ok(())
            }

            async fn delete_bindings(tx: &mut Tx, org: OrgId, principal_type: &'static str, principal: uuid::Uuid) -> StoreResult<()> {
                sqlx::query("DELETE FROM role_bindings WHERE org_id = $1 AND principal_type = $2 AND principal_id = $3")
                    .bind(Ids::bind(org.0))
                    .bind(principal_type)
                    .bind(Ids::bind(principal))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }

            async fn insert_group_member(tx: &mut Tx, org: OrgId, group: GroupId, user: UserId, now: i64) -> StoreResult<()> {
                sqlx::query("INSERT INTO group_members (group_id, org_id, user_id, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(Ids::bind(group.0))
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }

            async fn group_exists(tx: &mut Tx, org: OrgId, id: GroupId) -> StoreResult<()> {
                if Self::exists(tx, "SELECT count(*) FROM groups WHERE org_id = $1 AND id = $2", org, id.0).await? {
                    Ok(())
                } else {
                    Err(StoreError::NotFound)
                }
            }

            /// Makes `user` an active member with `bindings` and `groups` (the caller holds the
            /// organization's write lock). Refuses a current member with `already_member`.
            async fn admit(
                tx: &mut Tx,
                org: OrgId,
                user: MemberUser,
                bindings: &[Binding],
                groups: &[GroupId],
                now: i64,
            ) -> StoreResult<UserId> {
                let user_id = match user {
                    MemberUser::New(u) => {
                        sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                            .bind(Ids::bind(u.id.0))
                            .bind(&u.email)
                            .bind(&u.name)
                            .bind(&u.password_hash)
                            .bind(now)
                            .execute(&mut **tx)
                            .await
                            .map_err(db_error)?;
                        u.id
                    }
                    MemberUser::Existing(id) => id,
                };
                let person = sqlx::query("SELECT name, email FROM users WHERE id = $1")
                    .bind(Ids::bind(user_id.0))
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_error)?
                    .ok_or(StoreError::NotFound)?;
                let name: String = person.try_get("name").map_err(StoreError::backend)?;
                let email: String = person.try_get("email").map_err(StoreError::backend)?;
                match Self::status_in(tx, org, user_id).await? {
                    Some(MembershipStatus::Active | MembershipStatus::Deactivated) => {
                        return Err(StoreError::Conflict {
                            code: "already_member",
                            message: format!("{email} is already a member of this organization"),
                        });
                    }
                    Some(MembershipStatus::Archived) => {
                        sqlx::query(
                            "UPDATE memberships SET status = 'active', name_key = $3, email = $4, updated_at = $5 \
                             WHERE org_id = $1 AND user_id = $2",
                        )
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(user_id.0))
                        .bind(name.to_lowercase())
                        .bind(&email)
                        .bind(now)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_error)?;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO memberships (org_id, user_id, status, name_key, email, created_at, updated_at) \
                             VALUES ($1, $2, 'active', $3, $4, $5, $5)",
                        )
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(user_id.0))
                        .bind(name.to_lowercase())
                        .bind(&email)
                        .bind(now)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_error)?;
                    }
                }
                Self::check_bindings(tx, org, bindings).await?;
                Self::check_groups(tx, org, groups).await?;
                Self::insert_bindings(tx, org, "user", user_id.0, bindings, now).await?;
                for g in directory::dedup(groups) {
                    Self::insert_group_member(tx, org, g, user_id, now).await?;
                }
                Ok(user_id)
            }

            async fn finish(mut tx: Tx, audit: &AuditEvent) -> StoreResult<()> {
                insert_audit(&mut tx, audit).await?;
                tx.commit().await.map_err(db_error)
            }

            /// Commits a request that changed several things, with the event of each.
            async fn finish_all(mut tx: Tx, audit: &[AuditEvent]) -> StoreResult<()> {
                for a in audit {
                    insert_audit(&mut tx, a).await?;
                }
                tx.commit().await.map_err(db_error)
            }
        }

        #[async_trait]
        impl DirectoryStore for $store {
            async fn member_status(&self, org: OrgId, user: UserId) -> StoreResult<Option<MembershipStatus>> {
                let s: Option<String> = sqlx::query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND user_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err(db_error)?;
                Ok(s.as_deref().and_then(MembershipStatus::parse))
            }

            async fn add_member(
                &self,
                org: OrgId,
                user: MemberUser,
                bindings: &[Binding],
                groups: &[GroupId],
                audit: AuditEvent,
            ) -> StoreResult<UserId> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                let user_id = Self::admit(&mut tx, org, user, bindings, groups, audit.at).await?;
                Self::finish(tx, &audit).await?;
                Ok(user_id)
            }

            async fn change_member_access(
                &self,
                org: OrgId,
                user: UserId,
                bindings: Option<&[Binding]>,
                groups: Option<&[GroupId]>,
                audit: AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                match Self::status_in(&mut tx, org, user).await? {
                    None => return Err(StoreError::NotFound),
                    Some(MembershipStatus::Archived) => return Err(directory::archived()),
                    Some(_) => {}
                }
                if let Some(bindings) = bindings {
                    Self::check_bindings(&mut tx, org, bindings).await?;
                }
                if let Some(groups) = groups {
                    Self::check_groups(&mut tx, org, groups).await?;
                }
                if let Some(bindings) = bindings {
                    Self::delete_bindings(&mut tx, org, "user", user.0).await?;
                    Self::insert_bindings(&mut tx, org, "user", user.0, bindings, audit.at).await?;
                }
                if let Some(groups) = groups {
                    sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2")
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(user.0))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    for g in directory::dedup(groups) {
                        Self::insert_group_member(&mut tx, org, g, user, audit.at).await?;
                    }
                }
                Self::ensure_admin(&mut tx, org).await?;
                Self::finish(tx, &audit).await
            }

            async fn set_member_status(
                &self,
                org: OrgId,
                user: UserId,
                status: MembershipStatus,
                audit: AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                let current = Self::status_in(&mut tx, org, user).await?.ok_or(StoreError::NotFound)?;
                match (current, status) {
                    (MembershipStatus::Archived, _) => return Err(directory::archived()),
                    (c, s) if c == s => {
                        return Err(StoreError::Conflict {
                            code: "unchanged",
                            message: format!("This member is already {}", s.as_str()),
                        });
                    }
                    (_, MembershipStatus::Archived) => {
                        return Err(StoreError::Invalid {
                            field: "status",
                            message: "Removing a member is its own action".into(),
                        });
                    }
                    _ => {}
                }
                sqlx::query("UPDATE memberships SET status = $3, updated_at = $4 WHERE org_id = $1 AND user_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .bind(status.as_str())
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                // Sessions stay: a session is the person's, across organizations, and access here
                // is read from the membership on every request.
                if status == MembershipStatus::Deactivated {
                    Self::ensure_admin(&mut tx, org).await?;
                }
                Self::finish(tx, &audit).await
            }

            async fn remove_member(
                &self,
                org: OrgId,
                user: UserId,
                new_owner: Option<UserId>,
                revoke_tokens: bool,
                audit: AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                match Self::status_in(&mut tx, org, user).await? {
                    None => return Err(StoreError::NotFound),
                    Some(MembershipStatus::Archived) => {
                        return Err(StoreError::Conflict {
                            code: "archived",
                            message: "This member was already removed".into(),
                        });
                    }
                    Some(_) => {}
                }
                let tokens: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM access_tokens WHERE org_id = $1 AND owner_id = $2 AND kind = 'user' \
                     AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)",
                )
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .bind(audit.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                if tokens > 0 && !revoke_tokens {
                    return Err(StoreError::Conflict {
                        code: "has_tokens",
                        message: format!(
                            "This member has {tokens} active access token{}; revoke them first",
                            if tokens == 1 { "" } else { "s" }
                        ),
                    });
                }
                // The user tokens stay listed, revoked for good (SPEC §2); whether or not any were
                // active, none may work again, also if the person comes back.
                sqlx::query(
                    "UPDATE access_tokens SET revoked_at = $3 \
                     WHERE org_id = $1 AND owner_id = $2 AND kind = 'user' AND revoked_at IS NULL",
                )
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .bind(audit.at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
                let owned: i64 = sqlx::query_scalar("SELECT count(*) FROM projects WHERE org_id = $1 AND owner_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                if owned > 0 {
                    let Some(owner) = new_owner else {
                        return Err(StoreError::Conflict {
                            code: "owns_projects",
                            message: format!(
                                "This member owns {owned} project{}; choose who takes {} over",
                                if owned == 1 { "" } else { "s" },
                                if owned == 1 { "it" } else { "them" }
                            ),
                        });
                    };
                    if owner == user {
                        return Err(StoreError::Invalid {
                            field: "new_owner",
                            message: "Choose someone other than the member being removed".into(),
                        });
                    }
                    Self::check_member(&mut tx, org, owner, "new_owner", true).await?;
                    sqlx::query("UPDATE projects SET owner_id = $3 WHERE org_id = $1 AND owner_id = $2")
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(user.0))
                        .bind(Ids::bind(owner.0))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                sqlx::query("UPDATE memberships SET status = 'archived', updated_at = $3 WHERE org_id = $1 AND user_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                Self::delete_bindings(&mut tx, org, "user", user.0).await?;
                sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(user.0))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                Self::ensure_admin(&mut tx, org).await?;
                Self::finish(tx, &audit).await
            }

            async fn custom_roles(&self, org: OrgId) -> StoreResult<Vec<CustomRole>> {
                sqlx::query("SELECT id, name, description, permissions FROM custom_roles WHERE org_id = $1 ORDER BY lower(name), id")
                    .bind(Ids::bind(org.0))
                    .fetch_all(self.read_pool())
                    .await
                    .map_err(db_error)?
                    .iter()
                    .map(|r| {
                        let perms: String = r.try_get("permissions").map_err(StoreError::backend)?;
                        Ok(CustomRole {
                            id: CustomRoleId(Ids::get(r, "id")?),
                            name: r.try_get("name").map_err(StoreError::backend)?,
                            description: r.try_get("description").map_err(StoreError::backend)?,
                            permissions: super::parse_permissions(&perms),
                        })
                    })
                    .collect()
            }

            async fn create_custom_role(&self, org: OrgId, role: &CustomRole, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                Self::within_limit(&mut tx, org, directory::Quota::CustomRoles).await?;
                sqlx::query(
                    "INSERT INTO custom_roles (id, org_id, name, description, permissions, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6)",
                )
                .bind(Ids::bind(role.id.0))
                .bind(Ids::bind(org.0))
                .bind(&role.name)
                .bind(&role.description)
                .bind(super::store_permissions(role.permissions))
                .bind(audit.at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
                Self::finish(tx, &audit).await
            }

            async fn update_custom_role(&self, org: OrgId, role: &CustomRole, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                let changed = sqlx::query(
                    "UPDATE custom_roles SET name = $3, description = $4, permissions = $5, updated_at = $6 \
                     WHERE org_id = $1 AND id = $2",
                )
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(role.id.0))
                .bind(&role.name)
                .bind(&role.description)
                .bind(super::store_permissions(role.permissions))
                .bind(audit.at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::ensure_admin(&mut tx, org).await?;
                Self::finish(tx, &audit).await
            }

            async fn delete_custom_role(&self, org: OrgId, role: CustomRoleId, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                if !Self::exists(&mut tx, "SELECT count(*) FROM custom_roles WHERE org_id = $1 AND id = $2", org, role.0).await? {
                    return Err(StoreError::NotFound);
                }
                let usage: Vec<(String, i64)> = sqlx::query(
                    "SELECT principal_type, count(*) AS n FROM role_bindings WHERE org_id = $1 AND role_id = $2 \
                     GROUP BY principal_type \
                     UNION ALL \
                     SELECT 'invitation', count(*) FROM invitation_bindings ib JOIN invitations i ON i.id = ib.invitation_id \
                     WHERE i.org_id = $1 AND ib.role_id = $2 HAVING count(*) > 0 \
                     ORDER BY 1 DESC",
                )
                .bind(Ids::bind(org.0))
                .bind(role.to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| Ok((r.try_get("principal_type").map_err(StoreError::backend)?, r.try_get("n").map_err(StoreError::backend)?)))
                .collect::<StoreResult<_>>()?;
                if !usage.is_empty() {
                    return Err(StoreError::Conflict {
                        code: "role_in_use",
                        message: format!(
                            "This role is still bound to {}; remove those bindings first",
                            directory::describe_usage(&usage)
                        ),
                    });
                }
                sqlx::query("DELETE FROM custom_roles WHERE org_id = $1 AND id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(role.0))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                Self::finish(tx, &audit).await
            }

            async fn groups(&self, org: OrgId) -> StoreResult<Vec<Group>> {
                let mut groups: Vec<Group> = sqlx::query("SELECT id, name FROM groups WHERE org_id = $1 ORDER BY lower(name), id")
                    .bind(Ids::bind(org.0))
                    .fetch_all(self.read_pool())
                    .await
                    .map_err(db_error)?
                    .iter()
                    .map(|r| {
                        Ok(Group {
                            id: GroupId(Ids::get(r, "id")?),
                            name: r.try_get("name").map_err(StoreError::backend)?,
                            members: Vec::new(),
                            bindings: Vec::new(),
                        })
                    })
                    .collect::<StoreResult<_>>()?;
                let members = sqlx::query(
                    "SELECT gm.group_id, u.id, u.name FROM group_members gm JOIN users u ON u.id = gm.user_id \
                     WHERE gm.org_id = $1 ORDER BY lower(u.name), u.id",
                )
                .bind(Ids::bind(org.0))
                .fetch_all(self.read_pool())
                .await
                .map_err(db_error)?;
                for r in &members {
                    let gid = GroupId(Ids::get(r, "group_id")?);
                    if let Some(g) = groups.iter_mut().find(|g| g.id == gid) {
                        g.members.push(NamedRef {
                            id: UserId(Ids::get(r, "id")?),
                            name: r.try_get("name").map_err(StoreError::backend)?,
                        });
                    }
                }
                let bindings = sqlx::query(
                    "SELECT rb.principal_id, rb.role_id, cr.name AS custom_name, rb.project_id, p.name AS project_name \
                     FROM role_bindings rb \
                     LEFT JOIN custom_roles cr ON CAST(cr.id AS TEXT) = rb.role_id AND cr.org_id = rb.org_id \
                     LEFT JOIN projects p ON p.id = rb.project_id \
                     WHERE rb.org_id = $1 AND rb.principal_type = 'group'",
                )
                .bind(Ids::bind(org.0))
                .fetch_all(self.read_pool())
                .await
                .map_err(db_error)?;
                for r in &bindings {
                    let gid = GroupId(Ids::get(r, "principal_id")?);
                    let role_id: String = r.try_get("role_id").map_err(StoreError::backend)?;
                    let Some((role, role_name)) = directory::role_name(&role_id, r.try_get("custom_name").map_err(StoreError::backend)?) else {
                        continue;
                    };
                    let project = directory::named_project(
                        Ids::get_opt(r, "project_id")?,
                        r.try_get("project_name").map_err(StoreError::backend)?,
                    );
                    if let Some(g) = groups.iter_mut().find(|g| g.id == gid) {
                        g.bindings.push(BindingView { role, role_name, project });
                    }
                }
                for g in &mut groups {
                    g.bindings.sort_by_key(|b| (b.project.is_some(), super::builtin_rank(b.role), b.role_name.to_lowercase()));
                }
                Ok(groups)
            }

            async fn write_group(&self, org: OrgId, id: GroupId, write: GroupWrite<'_>, audit: &[AuditEvent]) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                let (name, bindings) = match write {
                    GroupWrite::Create { name, bindings } => {
                        Self::within_limit(&mut tx, org, directory::Quota::Groups).await?;
                        sqlx::query("INSERT INTO groups (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
                            .bind(Ids::bind(id.0))
                            .bind(Ids::bind(org.0))
                            .bind(name)
                            .bind(audit.first().map_or(0, |a| a.at))
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                        (None, Some(bindings))
                    }
                    GroupWrite::Change { name, bindings } => {
                        Self::group_exists(&mut tx, org, id).await?;
                        (name, bindings)
                    }
                };
                if let Some(name) = name {
                    sqlx::query("UPDATE groups SET name = $3 WHERE org_id = $1 AND id = $2")
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(id.0))
                        .bind(name)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                if let Some(bindings) = bindings {
                    Self::check_bindings(&mut tx, org, bindings).await?;
                    Self::delete_bindings(&mut tx, org, "group", id.0).await?;
                    let now = audit.first().map_or(0, |a| a.at);
                    Self::insert_bindings(&mut tx, org, "group", id.0, bindings, now).await?;
                    Self::ensure_admin(&mut tx, org).await?;
                }
                Self::finish_all(tx, audit).await
            }

            async fn delete_group(&self, org: OrgId, id: GroupId, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                Self::group_exists(&mut tx, org, id).await?;
                Self::delete_bindings(&mut tx, org, "group", id.0).await?;
                for sql in [
                    "DELETE FROM group_members WHERE org_id = $1 AND group_id = $2",
                    "DELETE FROM groups WHERE org_id = $1 AND id = $2",
                ] {
                    sqlx::query(sql)
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(id.0))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                Self::ensure_admin(&mut tx, org).await?;
                Self::finish(tx, &audit).await
            }

            async fn set_group_members(&self, org: OrgId, id: GroupId, members: &[UserId], audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                Self::group_exists(&mut tx, org, id).await?;
                let members = directory::dedup(members);
                for m in &members {
                    Self::check_member(&mut tx, org, *m, "members", false).await?;
                }
                sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(id.0))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                for m in members {
                    Self::insert_group_member(&mut tx, org, id, m, audit.at).await?;
                }
                Self::ensure_admin(&mut tx, org).await?;
                Self::finish(tx, &audit).await
            }

            async fn add_group_member(&self, org: OrgId, id: GroupId, user: UserId, audit: AuditEvent) -> StoreResult<bool> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                Self::group_exists(&mut tx, org, id).await?;
                Self::check_member(&mut tx, org, user, "user", false).await?;
                let n = sqlx::query(
                    "INSERT INTO group_members (group_id, org_id, user_id, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(Ids::bind(id.0))
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .bind(audit.at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
                if n == 0 {
                    return Ok(false);
                }
                Self::finish(tx, &audit).await?;
                Ok(true)
            }

            async fn remove_group_member(&self, org: OrgId, id: GroupId, user: UserId, audit: AuditEvent) -> StoreResult<bool> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                Self::group_exists(&mut tx, org, id).await?;
                let n = sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3")
                    .bind(Ids::bind(org.0))
                    .bind(Ids::bind(id.0))
                    .bind(Ids::bind(user.0))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
                if n == 0 {
                    return Ok(false);
                }
                Self::ensure_admin(&mut tx, org).await?;
                Self::finish(tx, &audit).await?;
                Ok(true)
            }

            async fn projects(&self, org: OrgId) -> StoreResult<Vec<Project>> {
                sqlx::query(
                    "SELECT p.id, p.name, p.owner_id, u.name AS owner_name FROM projects p \
                     JOIN users u ON u.id = p.owner_id WHERE p.org_id = $1 ORDER BY lower(p.name), p.id",
                )
                .bind(Ids::bind(org.0))
                .fetch_all(self.read_pool())
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| {
                    Ok(Project {
                        id: ProjectId(Ids::get(r, "id")?),
                        name: r.try_get("name").map_err(StoreError::backend)?,
                        owner: NamedRef {
                            id: UserId(Ids::get(r, "owner_id")?),
                            name: r.try_get("owner_name").map_err(StoreError::backend)?,
                        },
                    })
                })
                .collect()
            }

            async fn create_project(&self, org: OrgId, id: ProjectId, name: &str, owner: UserId, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                lock_org(&mut tx, org).await?;
                Self::within_limit(&mut tx, org, directory::Quota::Projects).await?;
                Self::check_member(&mut tx, org, owner, "owner", true).await?;
                sqlx::query("INSERT INTO projects (id, org_id, name, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(Ids::bind(id.0))
                    .bind(Ids::bind(org.0))
                    .bind(name)
                    .bind(Ids::bind(owner.0))
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                Self::finish(tx, &audit).await
            }

            async fn delete_project(&self, org: OrgId, id: ProjectId, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                if !Self::exists(&mut tx, "SELECT count(*) FROM projects WHERE org_id = $1 AND id = $2", org, id.0).await? {
                    return Err(StoreError::NotFound);
                }
                for sql in [
                    "DELETE FROM role_bindings WHERE org_id = $1 AND project_id = $2",
                    "DELETE FROM projects WHERE org_id = $1 AND id = $2",
                ] {
                    sqlx::query(sql)
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(id.0))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                Self::finish(tx, &audit).await
            }

            async fn change_project(
                &self,
                org: OrgId,
                id: ProjectId,
                name: Option<&str>,
                owner: Option<UserId>,
                audit: &[AuditEvent],
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                if !Self::exists(&mut tx, "SELECT count(*) FROM projects WHERE org_id = $1 AND id = $2", org, id.0).await? {
                    return Err(StoreError::NotFound);
                }
                if let Some(name) = name {
                    sqlx::query("UPDATE projects SET name = $3 WHERE org_id = $1 AND id = $2")
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(id.0))
                        .bind(name)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                if let Some(owner) = owner {
                    Self::check_member(&mut tx, org, owner, "owner", true).await?;
                    sqlx::query("UPDATE projects SET owner_id = $3 WHERE org_id = $1 AND id = $2")
                        .bind(Ids::bind(org.0))
                        .bind(Ids::bind(id.0))
                        .bind(Ids::bind(owner.0))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
                Self::finish_all(tx, audit).await
            }

            async fn create_organization_for(
                &self,
                id: OrgId,
                name: &str,
                slug: &app::model::OrgSlug,
                admin: UserId,
                now: i64,
                audit: AuditEvent,
            ) -> StoreResult<OrgSummary> {
                let mut tx = self.write_tx().await?;
                let user = sqlx::query("SELECT name, email FROM users WHERE id = $1")
                    .bind(Ids::bind(admin.0))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .ok_or(StoreError::NotFound)?;
                let user_name: String = user.try_get("name").map_err(StoreError::backend)?;
                let user_email: String = user.try_get("email").map_err(StoreError::backend)?;
                let taken: Vec<String> = sqlx::query_scalar("SELECT slug FROM organizations WHERE slug = $1 OR slug LIKE $1 || '-%'")
                    .bind(slug.as_str())
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?;
                let slug = free_slug(slug, &taken);
                sqlx::query("INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(Ids::bind(id.0))
                    .bind(&slug)
                    .bind(name)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                sqlx::query(
                    "INSERT INTO memberships (org_id, user_id, status, name_key, email, created_at, updated_at) \
                     VALUES ($1, $2, 'active', $3, $4, $5, $5)",
                )
                .bind(Ids::bind(id.0))
                .bind(Ids::bind(admin.0))
                .bind(user_name.to_lowercase())
                .bind(&user_email)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
                let admin_role = [Binding { role: RoleId::Builtin(BuiltinRole::Admin), project: None }];
                Self::insert_bindings(&mut tx, id, "user", admin.0, &admin_role, now).await?;
                Self::finish(tx, &audit).await?;
                Ok(OrgSummary { id, slug, name: name.to_string() })
            }
        }
    };
}

pub(super) use directory_store;
