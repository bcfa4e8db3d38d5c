//! Custom roles.

use super::{
    Database,
    db::{Ids, lock_org, query},
    db_error,
    directory::{Quota, usage_refusal},
    values::Id,
};
use app::{
    areas::{audit::event::AuditEvent, roles::types::CustomRole},
    core::ids::{CustomRoleId, OrgId},
    policy::Authorized,
    server::store::{RoleStore, StoreError, StoreResult},
};
use async_trait::async_trait;

/// A custom role as `SELECT id, name, description, permissions` reads it.
#[derive(sqlx::FromRow)]
struct CustomRoleRow {
    id: Id,
    name: String,
    description: String,
    permissions: String,
}

#[async_trait]
impl RoleStore for Database {
    async fn custom_roles(&self, org: OrgId) -> StoreResult<Vec<CustomRole>> {
        query("SELECT id, name, description, permissions FROM custom_roles WHERE org_id = $1 ORDER BY lower(name), id")
            .bind(Ids::bind(org.0))
            .fetch_all(self.read_pool())
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| {
                let c: CustomRoleRow = r.decode()?;
                Ok(CustomRole {
                    id: CustomRoleId(c.id.0),
                    name: c.name,
                    description: c.description,
                    permissions: super::parse_permissions(&c.permissions),
                })
            })
            .collect()
    }

    async fn create_custom_role(
        &self,
        auth: &Authorized,
        role: &CustomRole,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        Self::within_limit(&mut tx, org, Quota::CustomRoles).await?;
        query(
            "INSERT INTO custom_roles (id, org_id, name, description, permissions, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(Ids::bind(role.id.0))
        .bind(Ids::bind(org.0))
        .bind(&role.name)
        .bind(&role.description)
        .bind(super::store_permissions(role.permissions))
        .bind(audit.at)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        Self::finish(tx, &audit).await
    }

    async fn update_custom_role(
        &self,
        auth: &Authorized,
        role: &CustomRole,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        let changed = query(
            "UPDATE custom_roles SET name = $3, description = $4, permissions = $5, updated_at = $6 \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(role.id.0))
        .bind(&role.name)
        .bind(&role.description)
        .bind(super::store_permissions(role.permissions))
        .bind(audit.at)
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Self::ensure_admin(&mut tx, org).await?;
        Self::finish(tx, &audit).await
    }

    async fn delete_custom_role(
        &self,
        auth: &Authorized,
        role: CustomRoleId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        if !Self::exists(
            &mut tx,
            "SELECT count(*) FROM custom_roles WHERE org_id = $1 AND id = $2",
            org,
            role.0,
        )
        .await?
        {
            return Err(StoreError::NotFound);
        }
        let usage: Vec<(String, i64)> = query(
            "SELECT principal_type, count(*) AS n FROM role_bindings WHERE org_id = $1 AND role_id = $2 \
             GROUP BY principal_type \
             UNION ALL \
             SELECT 'invitation', count(*) FROM invitation_bindings ib JOIN invitations i ON i.id = ib.invitation_id \
             WHERE i.org_id = $1 AND ib.role_id = $2 HAVING count(*) > 0 \
             ORDER BY 1 DESC",
        )
        .bind(Ids::bind(org.0))
        .bind(role.to_string())
        .fetch_all(&mut tx)
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| Ok((r.try_get("principal_type").map_err(StoreError::backend)?, r.try_get("n").map_err(StoreError::backend)?)))
        .collect::<StoreResult<_>>()?;
        if !usage.is_empty() {
            return Err(usage_refusal(&usage));
        }
        query("DELETE FROM custom_roles WHERE org_id = $1 AND id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(role.0))
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        Self::finish(tx, &audit).await
    }
}
