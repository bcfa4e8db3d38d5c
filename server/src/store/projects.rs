//! Projects: the scopes roles are bound at, each with an owner.

use super::{
    Database,
    db::{Ids, lock_org, query},
    db_error,
    directory::Quota,
    values::Id,
};
use app::{
    areas::{audit::event::AuditEvent, projects::types::Project},
    core::ids::{NamedRef, OrgId, ProjectId, UserId},
    policy::Authorized,
    server::store::{ProjectStore, StoreError, StoreResult},
};
use async_trait::async_trait;

/// A project and its owner's name as `projects` reads them.
#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: Id,
    name: String,
    owner_id: Id,
    owner_name: String,
}

#[async_trait]
impl ProjectStore for Database {
    async fn projects(&self, org: OrgId) -> StoreResult<Vec<Project>> {
        query(
            "SELECT p.id, p.name, p.owner_id, u.name AS owner_name FROM projects p \
             JOIN users u ON u.id = p.owner_id WHERE p.org_id = $1 ORDER BY lower(p.name), p.id",
        )
        .bind(Ids::bind(org.0))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| {
            let p: ProjectRow = r.decode()?;
            Ok(Project {
                id: ProjectId(p.id.0),
                name: p.name,
                owner: NamedRef {
                    id: UserId(p.owner_id.0),
                    name: p.owner_name,
                },
            })
        })
        .collect()
    }

    async fn create_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        name: &str,
        owner: UserId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        Self::within_limit(&mut tx, org, Quota::Projects).await?;
        Self::check_member(&mut tx, org, owner, "owner", true).await?;
        query("INSERT INTO projects (id, org_id, name, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(Ids::bind(id.0))
            .bind(Ids::bind(org.0))
            .bind(name)
            .bind(Ids::bind(owner.0))
            .bind(audit.at)
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        Self::finish(tx, &audit).await
    }

    async fn delete_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        if !Self::exists(
            &mut tx,
            "SELECT count(*) FROM projects WHERE org_id = $1 AND id = $2",
            org,
            id.0,
        )
        .await?
        {
            return Err(StoreError::NotFound);
        }
        for sql in [
            "DELETE FROM role_bindings WHERE org_id = $1 AND project_id = $2",
            "DELETE FROM projects WHERE org_id = $1 AND id = $2",
        ] {
            query(sql)
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        Self::finish(tx, &audit).await
    }

    async fn change_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        name: Option<&str>,
        owner: Option<UserId>,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        if !Self::exists(
            &mut tx,
            "SELECT count(*) FROM projects WHERE org_id = $1 AND id = $2",
            org,
            id.0,
        )
        .await?
        {
            return Err(StoreError::NotFound);
        }
        if let Some(name) = name {
            query("UPDATE projects SET name = $3 WHERE org_id = $1 AND id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .bind(name)
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        if let Some(owner) = owner {
            Self::check_member(&mut tx, org, owner, "owner", true).await?;
            query("UPDATE projects SET owner_id = $3 WHERE org_id = $1 AND id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .bind(Ids::bind(owner.0))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        Self::finish_all(tx, audit).await
    }
}
