//! Groups: their members and the roles they carry.

use super::{
    Database,
    db::{Ids, lock_org, query},
    db_error,
    directory::{Quota, dedup, named_project, role_name},
    values::Id,
};
use app::{
    areas::{audit::event::AuditEvent, groups::types::Group, roles::types::BindingView},
    core::ids::{GroupId, NamedRef, OrgId, UserId},
    policy::Authorized,
    server::store::{GroupStore, GroupWrite, StoreResult},
};
use async_trait::async_trait;

/// A group as `SELECT id, name` reads it.
#[derive(sqlx::FromRow)]
struct GroupRow {
    id: Id,
    name: String,
}

/// A member of a group as `SELECT gm.group_id, u.id, u.name` reads it.
#[derive(sqlx::FromRow)]
struct GroupMemberRow {
    group_id: Id,
    id: Id,
    name: String,
}

/// A role binding of a group, with its custom role's and project's names.
#[derive(sqlx::FromRow)]
struct GroupBindingRow {
    principal_id: Id,
    role_id: String,
    custom_name: Option<String>,
    project_id: Option<Id>,
    project_name: Option<String>,
}

#[async_trait]
impl GroupStore for Database {
    async fn groups(&self, org: OrgId) -> StoreResult<Vec<Group>> {
        let mut groups: Vec<Group> =
            query("SELECT id, name FROM groups WHERE org_id = $1 ORDER BY lower(name), id")
                .bind(Ids::bind(org.0))
                .fetch_all(self.read_pool())
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| {
                    let g: GroupRow = r.decode()?;
                    Ok(Group {
                        id: GroupId(g.id.0),
                        name: g.name,
                        members: Vec::new(),
                        bindings: Vec::new(),
                    })
                })
                .collect::<StoreResult<_>>()?;
        let members = query(
            "SELECT gm.group_id, u.id, u.name FROM group_members gm JOIN users u ON u.id = gm.user_id \
             WHERE gm.org_id = $1 ORDER BY lower(u.name), u.id",
        )
        .bind(Ids::bind(org.0))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_error)?;
        for r in &members {
            let m: GroupMemberRow = r.decode()?;
            let gid = GroupId(m.group_id.0);
            if let Some(g) = groups.iter_mut().find(|g| g.id == gid) {
                g.members.push(NamedRef {
                    id: UserId(m.id.0),
                    name: m.name,
                });
            }
        }
        let bindings = query(
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
            let b: GroupBindingRow = r.decode()?;
            let gid = GroupId(b.principal_id.0);
            let Some((role, role_name)) = role_name(&b.role_id, b.custom_name) else {
                continue;
            };
            let project = named_project(b.project_id.map(|id| id.0), b.project_name);
            if let Some(g) = groups.iter_mut().find(|g| g.id == gid) {
                g.bindings.push(BindingView {
                    role,
                    role_name,
                    project,
                });
            }
        }
        for g in &mut groups {
            g.bindings.sort_by_key(|b| {
                (
                    b.project.is_some(),
                    super::member_list::builtin_rank(b.role),
                    b.role_name.to_lowercase(),
                )
            });
        }
        Ok(groups)
    }

    async fn write_group(
        &self,
        auth: &Authorized,
        id: GroupId,
        write: GroupWrite<'_>,
        audit: &[AuditEvent],
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        let (name, bindings) = match write {
            GroupWrite::Create { name, bindings } => {
                Self::within_limit(&mut tx, org, Quota::Groups).await?;
                query("INSERT INTO groups (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(Ids::bind(id.0))
                    .bind(Ids::bind(org.0))
                    .bind(name)
                    .bind(audit.first().map_or(0, |a| a.at))
                    .execute(&mut tx)
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
            query("UPDATE groups SET name = $3 WHERE org_id = $1 AND id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .bind(name)
                .execute(&mut tx)
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

    async fn delete_group(
        &self,
        auth: &Authorized,
        id: GroupId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        Self::group_exists(&mut tx, org, id).await?;
        Self::delete_bindings(&mut tx, org, "group", id.0).await?;
        for sql in [
            "DELETE FROM group_members WHERE org_id = $1 AND group_id = $2",
            "DELETE FROM groups WHERE org_id = $1 AND id = $2",
        ] {
            query(sql)
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        Self::ensure_admin(&mut tx, org).await?;
        Self::finish(tx, &audit).await
    }

    async fn set_group_members(
        &self,
        auth: &Authorized,
        id: GroupId,
        members: &[UserId],
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        Self::group_exists(&mut tx, org, id).await?;
        let members = dedup(members);
        for m in &members {
            Self::check_member(&mut tx, org, *m, "members", false).await?;
        }
        query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(id.0))
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        for m in members {
            Self::insert_group_member(&mut tx, org, id, m, audit.at).await?;
        }
        Self::ensure_admin(&mut tx, org).await?;
        Self::finish(tx, &audit).await
    }

    async fn add_group_member(
        &self,
        auth: &Authorized,
        id: GroupId,
        user: UserId,
        audit: AuditEvent,
    ) -> StoreResult<bool> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        Self::group_exists(&mut tx, org, id).await?;
        Self::check_member(&mut tx, org, user, "user", false).await?;
        let n = query(
            "INSERT INTO group_members (group_id, org_id, user_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(Ids::bind(id.0))
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(user.0))
        .bind(audit.at)
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        Self::finish(tx, &audit).await?;
        Ok(true)
    }

    async fn remove_group_member(
        &self,
        auth: &Authorized,
        id: GroupId,
        user: UserId,
        audit: AuditEvent,
    ) -> StoreResult<bool> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        Self::group_exists(&mut tx, org, id).await?;
        let n =
            query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .bind(Ids::bind(user.0))
                .execute(&mut tx)
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
}
