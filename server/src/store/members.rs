//! Members: their access (what authentication reads on every request), adding, changing,
//! deactivating and removing them. The listing is in `member_list`.

use super::{
    Database,
    db::{Ids, Row, lock_org, query, query_scalar},
    db_error,
    directory::{archived, dedup},
    resolve_binding,
    values::Id,
};
use app::error::Wording;
use app::{
    areas::audit::event::AuditEvent,
    core::{
        ids::{GroupId, OrgId, ProjectId, UserId},
        kinds::MembershipStatus,
    },
    policy::{Authorized, Binding},
    server::store::{
        MemberAccess, MemberFilter, MemberPage, MemberStore, MemberUser, StoreError, StoreResult,
    },
};
use async_trait::async_trait;

/// A membership with one of its bindings, as `member_access` reads it.
#[derive(sqlx::FromRow)]
struct AccessRow {
    status: String,
    role_id: Option<String>,
    project_id: Option<Id>,
    permissions: Option<String>,
}

#[async_trait]
impl MemberStore for Database {
    async fn member_access(&self, org: OrgId, user: UserId) -> StoreResult<Option<MemberAccess>> {
        // One round trip: the membership, with one row per binding (direct or through a group),
        // or a single row without a role when there are none.
        let rows = query(format!(
            "SELECT m.status, b.role_id, b.project_id, b.permissions FROM memberships m \
             LEFT JOIN (SELECT rb.role_id, rb.project_id, cr.permissions FROM role_bindings rb \
                 LEFT JOIN custom_roles cr ON {} = rb.role_id AND cr.org_id = rb.org_id \
                 WHERE rb.org_id = $1 AND ((rb.principal_type = 'user' AND rb.principal_id = $2) \
                    OR (rb.principal_type = 'group' AND rb.principal_id IN \
                        (SELECT group_id FROM group_members WHERE org_id = $1 AND user_id = $2)))) b ON 1 = 1 \
             WHERE m.org_id = $1 AND m.user_id = $2",
            self.dialect().id_text("cr.id")
        ))
        .bind(Id(org.0))
        .bind(Id(user.0))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_error)?
        .iter()
        .map(Row::decode)
        .collect::<StoreResult<Vec<AccessRow>>>()?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let Some(status) = MembershipStatus::parse(&first.status) else {
            return Ok(None);
        };
        let bindings = rows
            .iter()
            .filter_map(|r| {
                let role = r.role_id.as_deref()?;
                Some(resolve_binding(
                    role,
                    r.permissions.as_deref(),
                    r.project_id.map(|p| ProjectId(p.0)),
                ))
            })
            .collect();
        Ok(Some(MemberAccess { status, bindings }))
    }

    async fn list_members(&self, org: OrgId, filter: &MemberFilter) -> StoreResult<MemberPage> {
        super::member_list::list_members(self, org, filter).await
    }

    async fn member_status(
        &self,
        org: OrgId,
        user: UserId,
    ) -> StoreResult<Option<MembershipStatus>> {
        let s: Option<String> =
            query_scalar("SELECT status FROM memberships WHERE org_id = $1 AND user_id = $2")
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
        auth: &Authorized,
        user: UserId,
        bindings: Option<&[Binding]>,
        groups: Option<&[GroupId]>,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        match Self::status_in(&mut tx, org, user).await? {
            None => return Err(StoreError::NotFound),
            Some(MembershipStatus::Archived) => return Err(archived()),
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
            query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
            for g in dedup(groups) {
                Self::insert_group_member(&mut tx, org, g, user, audit.at).await?;
            }
        }
        Self::ensure_admin(&mut tx, org).await?;
        Self::finish(tx, &audit).await
    }

    async fn set_member_status(
        &self,
        auth: &Authorized,
        user: UserId,
        status: MembershipStatus,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        let current = Self::status_in(&mut tx, org, user)
            .await?
            .ok_or(StoreError::NotFound)?;
        match (current, status) {
            (MembershipStatus::Archived, _) => return Err(archived()),
            (c, s) if c == s => {
                return Err(StoreError::conflict(
                    "unchanged",
                    Wording::new(&format!("unchanged_{}", s.as_str())),
                ));
            }
            (_, MembershipStatus::Archived) => {
                return Err(StoreError::invalid(
                    "status",
                    Wording::new("field_status_remove"),
                ));
            }
            _ => {}
        }
        query("UPDATE memberships SET status = $3, updated_at = $4 WHERE org_id = $1 AND user_id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(user.0))
            .bind(status.as_str())
            .bind(audit.at)
            .execute(&mut tx)
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
        auth: &Authorized,
        user: UserId,
        new_owner: Option<UserId>,
        revoke_tokens: bool,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        match Self::status_in(&mut tx, org, user).await? {
            None => return Err(StoreError::NotFound),
            Some(MembershipStatus::Archived) => {
                return Err(StoreError::conflict(
                    "archived",
                    Wording::new("archived_already"),
                ));
            }
            Some(_) => {}
        }
        let tokens: i64 = query_scalar(
            "SELECT count(*) FROM access_tokens WHERE org_id = $1 AND owner_id = $2 AND kind = 'user' \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(user.0))
        .bind(audit.at)
        .fetch_one(&mut tx)
        .await
        .map_err(db_error)?;
        if tokens > 0 && !revoke_tokens {
            return Err(StoreError::conflict(
                "has_tokens",
                Wording::new("has_tokens").with("count", tokens),
            ));
        }
        // The user tokens stay listed, revoked for good (SPEC §2); whether or not any were
        // active, none may work again, also if the person comes back.
        query(
            "UPDATE access_tokens SET revoked_at = $3 \
             WHERE org_id = $1 AND owner_id = $2 AND kind = 'user' AND revoked_at IS NULL",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(user.0))
        .bind(audit.at)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        let owned: i64 =
            query_scalar("SELECT count(*) FROM projects WHERE org_id = $1 AND owner_id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .fetch_one(&mut tx)
                .await
                .map_err(db_error)?;
        if owned > 0 {
            let Some(owner) = new_owner else {
                return Err(StoreError::conflict(
                    "owns_projects",
                    Wording::new("owns_projects").with("count", owned),
                ));
            };
            if owner == user {
                return Err(StoreError::invalid(
                    "new_owner",
                    Wording::new("field_new_owner_same"),
                ));
            }
            Self::check_member(&mut tx, org, owner, "new_owner", true).await?;
            query("UPDATE projects SET owner_id = $3 WHERE org_id = $1 AND owner_id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(user.0))
                .bind(Ids::bind(owner.0))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        query("UPDATE memberships SET status = 'archived', updated_at = $3 WHERE org_id = $1 AND user_id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(user.0))
            .bind(audit.at)
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        Self::delete_bindings(&mut tx, org, "user", user.0).await?;
        query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(user.0))
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        Self::ensure_admin(&mut tx, org).await?;
        Self::finish(tx, &audit).await
    }
}
