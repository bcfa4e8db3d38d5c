//! What members, roles, groups and projects share in the store: the rule-4 check (an organization
//! keeps an active full Admin), the organization's limits, reference checks and the binding and
//! group-membership writes, with the conflicts they answer.

use super::{
    Database,
    audit::insert_audit,
    db::{Ids, Tx, known_ids, query, query_scalar},
    db_error,
};
use app::error::Wording;
use app::{
    areas::audit::event::AuditEvent,
    core::text::thousands,
    core::{
        ids::{CustomRoleId, GroupId, NamedRef, OrgId, ProjectId, UserId},
        kinds::MembershipStatus,
    },
    policy::{Binding, RoleId},
    server::store::{MemberUser, StoreError, StoreResult, member_search_key},
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
        let code = match self {
            Quota::CustomRoles => "limit_reached_custom_roles",
            Quota::Groups => "limit_reached_groups",
            Quota::Projects => "limit_reached_projects",
            Quota::Tokens => "limit_reached_tokens",
        };
        StoreError::conflict(
            "limit_reached",
            Wording::new(code)
                .with("count", limit)
                .with("n", thousands(u32::try_from(limit).unwrap_or(u32::MAX))),
        )
    }
}

pub(super) fn archived() -> StoreError {
    StoreError::coded("archived")
}

/// The role-in-use refusal ("2 members and 1 group"): the count of each kind of holder.
pub(super) fn usage_refusal(counts: &[(String, i64)]) -> StoreError {
    let wording = counts
        .iter()
        .fold(Wording::new("role_in_use"), |w, (kind, n)| {
            let name = match kind.as_str() {
                "user" => "members",
                "group" => "groups",
                "invitation" => "invitations",
                _ => "tokens",
            };
            w.with(name, n)
        });
    StoreError::conflict("role_in_use", wording)
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
    StoreError::invalid(
        "groups",
        Wording::new("field_unknown_group").with("group", id),
    )
}

impl Database {
    pub(super) async fn status_in(
        tx: &mut Tx,
        org: OrgId,
        user: UserId,
    ) -> StoreResult<Option<MembershipStatus>> {
        let s: Option<String> =
            query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        Ok(s.as_deref().and_then(MembershipStatus::parse))
    }

    pub(super) async fn exists(
        tx: &mut Tx,
        sql: &'static str,
        org: OrgId,
        id: uuid::Uuid,
    ) -> StoreResult<bool> {
        let n: i64 = query_scalar(sql)
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(id))
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        Ok(n > 0)
    }

    /// Every role and project the bindings name must be the organization's: one query
    /// for the roles and one for the projects, however many bindings there are.
    pub(super) async fn check_bindings(
        tx: &mut Tx,
        org: OrgId,
        bindings: &[Binding],
    ) -> StoreResult<()> {
        let roles: Vec<CustomRoleId> = dedup(
            &bindings
                .iter()
                .filter_map(|b| {
                    if let RoleId::Custom(id) = b.role {
                        Some(id)
                    } else {
                        None
                    }
                })
                .collect::<Vec<_>>(),
        );
        let ids: Vec<uuid::Uuid> = roles.iter().map(|r| r.0).collect();
        let known = known_ids(tx, "custom_roles", org, &ids).await?;
        if let Some(id) = roles.iter().find(|r| !known.contains(&r.0)) {
            return Err(StoreError::invalid(
                "bindings",
                Wording::new("field_unknown_role").with("role", id),
            ));
        }
        let projects: Vec<ProjectId> = dedup(
            &bindings
                .iter()
                .filter_map(|b| b.project)
                .collect::<Vec<_>>(),
        );
        let ids: Vec<uuid::Uuid> = projects.iter().map(|p| p.0).collect();
        let known = known_ids(tx, "projects", org, &ids).await?;
        if let Some(p) = projects.iter().find(|p| !known.contains(&p.0)) {
            return Err(StoreError::invalid(
                "bindings",
                Wording::new("field_unknown_project").with("project", p),
            ));
        }
        Ok(())
    }

    /// Every group must be the organization's, looked up in one query.
    pub(super) async fn check_groups(
        tx: &mut Tx,
        org: OrgId,
        groups: &[GroupId],
    ) -> StoreResult<()> {
        let ids: Vec<uuid::Uuid> = dedup(groups).iter().map(|g| g.0).collect();
        let known = known_ids(tx, "groups", org, &ids).await?;
        match ids.into_iter().find(|g| !known.contains(g)) {
            Some(g) => Err(unknown_group(GroupId(g))),
            None => Ok(()),
        }
    }

    /// Refuses one more of `quota` once the organization has as many as its settings
    /// allow. The caller holds the organization's write lock, so racing creations count
    /// each other and the limit holds.
    pub(super) async fn within_limit(tx: &mut Tx, org: OrgId, quota: Quota) -> StoreResult<()> {
        let r = query(quota.sql())
            .bind(Ids::bind(org.0))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound)?;
        let limit: i64 = r.try_get("lim").map_err(StoreError::backend)?;
        let n: i64 = r.try_get("n").map_err(StoreError::backend)?;
        if n >= limit {
            Err(quota.reached(limit))
        } else {
            Ok(())
        }
    }

    pub(super) async fn check_member(
        tx: &mut Tx,
        org: OrgId,
        user: UserId,
        field: &'static str,
        active_only: bool,
    ) -> StoreResult<()> {
        match Self::status_in(tx, org, user).await? {
            Some(MembershipStatus::Active) => Ok(()),
            Some(MembershipStatus::Deactivated) if !active_only => Ok(()),
            _ => Err(StoreError::invalid(
                field,
                Wording::new(if active_only {
                    "field_not_active_member"
                } else {
                    "field_not_member"
                })
                .with("user", user),
            )),
        }
    }

    pub(super) async fn insert_bindings(
        tx: &mut Tx,
        org: OrgId,
        principal_type: &'static str,
        principal: uuid::Uuid,
        bindings: &[Binding],
        now: i64,
    ) -> StoreResult<()> {
        for b in dedup(bindings) {
            query(
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
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        Ok(())
    }

    pub(super) async fn delete_bindings(
        tx: &mut Tx,
        org: OrgId,
        principal_type: &'static str,
        principal: uuid::Uuid,
    ) -> StoreResult<()> {
        query("DELETE FROM role_bindings WHERE org_id = $1 AND principal_type = $2 AND principal_id = $3")
            .bind(Ids::bind(org.0))
            .bind(principal_type)
            .bind(Ids::bind(principal))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    pub(super) async fn insert_group_member(
        tx: &mut Tx,
        org: OrgId,
        group: GroupId,
        user: UserId,
        now: i64,
    ) -> StoreResult<()> {
        query("INSERT INTO group_members (group_id, org_id, user_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(Ids::bind(group.0))
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(user.0))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    pub(super) async fn group_exists(tx: &mut Tx, org: OrgId, id: GroupId) -> StoreResult<()> {
        if Self::exists(
            tx,
            "SELECT count(*) FROM groups WHERE org_id = $1 AND id = $2",
            org,
            id.0,
        )
        .await?
        {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Makes `user` an active member with `bindings` and `groups` (the caller holds the
    /// organization's write lock). Refuses a current member with `already_member`.
    pub(super) async fn admit(
        tx: &mut Tx,
        org: OrgId,
        user: MemberUser,
        bindings: &[Binding],
        groups: &[GroupId],
        now: i64,
    ) -> StoreResult<UserId> {
        let user_id = match user {
            MemberUser::New(u) => {
                query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(Ids::bind(u.id.0))
                    .bind(&u.email)
                    .bind(&u.name)
                    .bind(&u.password_hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                u.id
            }
            MemberUser::Existing(id) => id,
        };
        let person = query("SELECT name, email FROM users WHERE id = $1")
            .bind(Ids::bind(user_id.0))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?
            .ok_or(StoreError::NotFound)?;
        let name: String = person.try_get("name").map_err(StoreError::backend)?;
        let email: String = person.try_get("email").map_err(StoreError::backend)?;
        match Self::status_in(tx, org, user_id).await? {
            Some(MembershipStatus::Active | MembershipStatus::Deactivated) => {
                return Err(StoreError::conflict(
                    "already_member",
                    Wording::new("already_member").with("email", &email),
                ));
            }
            Some(MembershipStatus::Archived) => {
                query(
                    "UPDATE memberships SET status = 'active', name_key = $3, email = $4, search_key = $5, \
                     two_factor = (SELECT two_factor_enabled FROM users WHERE id = $2), updated_at = $6 \
                     WHERE org_id = $1 AND user_id = $2",
                )
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user_id.0))
                .bind(name.to_lowercase())
                .bind(&email)
                .bind(member_search_key(&name, &email))
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            None => {
                query(
                    "INSERT INTO memberships (org_id, user_id, status, name_key, email, search_key, two_factor, \
                                              created_at, updated_at) \
                     VALUES ($1, $2, 'active', $3, $4, $5, (SELECT two_factor_enabled FROM users WHERE id = $2), $6, $6)",
                )
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user_id.0))
                .bind(name.to_lowercase())
                .bind(&email)
                .bind(member_search_key(&name, &email))
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
        }
        Self::check_bindings(tx, org, bindings).await?;
        Self::check_groups(tx, org, groups).await?;
        Self::insert_bindings(tx, org, "user", user_id.0, bindings, now).await?;
        for g in dedup(groups) {
            Self::insert_group_member(tx, org, g, user_id, now).await?;
        }
        Ok(user_id)
    }

    pub(super) async fn finish(mut tx: Tx, audit: &AuditEvent) -> StoreResult<()> {
        insert_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db_error)
    }

    /// Commits a request that changed several things, with the event of each.
    pub(super) async fn finish_all(mut tx: Tx, audit: &[AuditEvent]) -> StoreResult<()> {
        for a in audit {
            insert_audit(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_error)
    }
}
