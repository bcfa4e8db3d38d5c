//! Loading many members at once (`gatehouse dev seed` and the benchmarks): a few multi-row
//! INSERTs per 2,000 members, all in one transaction. It bypasses the services (no permission
//! check, one audit event for the whole load), hence `unchecked_`.

use super::{
    Database,
    db::{Sql, query, query_scalar},
    db_error,
    dialect::Dialect,
    values::Id,
};
use app::{areas::audit::event::AuditEvent, error::StoreResult, server::store::member_search_key};
use uuid::Uuid;

/// Rows per INSERT: under SQLite's and PostgreSQL's limits on bound values.
const CHUNK: usize = 2_000;

/// One member to load: `status` and `role` as stored, `group` an index into the groups given.
#[derive(Debug, Clone)]
pub struct BulkMember {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub role: &'static str,
    pub group: Option<usize>,
    pub two_factor: bool,
    pub last_sign_in_at: Option<i64>,
}

/// `VALUES (…), (…)` for `rows`, each row's values bound by `row`.
fn push_values<T>(q: &mut Sql, rows: &[T], mut row: impl FnMut(&mut Sql, &T)) {
    q.push(" VALUES ");
    for (i, r) in rows.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        row(q, r);
        q.push(")");
    }
}

impl Database {
    /// Adds `members` to `org`, with the groups (name, role id) they refer to, created with
    /// their role when the organization does not have them yet.
    #[allow(clippy::too_many_arguments)]
    pub async fn unchecked_bulk_add_members(
        &self,
        org: Uuid,
        groups: &[(&str, &str)],
        members: &[BulkMember],
        password_hash: &str,
        now: i64,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let mut group_ids: Vec<Uuid> = Vec::new();
        for (name, role) in groups {
            let existing: Option<Id> =
                query_scalar("SELECT id FROM groups WHERE org_id = $1 AND lower(name) = lower($2)")
                    .bind(Id(org))
                    .bind(*name)
                    .fetch_optional(&mut tx)
                    .await
                    .map_err(db_error)?;
            let gid = match existing {
                Some(g) => g.0,
                None => {
                    let g = Uuid::now_v7();
                    query(
                        "INSERT INTO groups (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(Id(g))
                    .bind(Id(org))
                    .bind(*name)
                    .bind(now)
                    .execute(&mut tx)
                    .await
                    .map_err(db_error)?;
                    query(
                        "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, project_id, created_at) \
                         VALUES ($1, $2, 'group', $3, $4, NULL, $5)",
                    )
                    .bind(Id(Uuid::now_v7()))
                    .bind(Id(org))
                    .bind(Id(g))
                    .bind(*role)
                    .bind(now)
                    .execute(&mut tx)
                    .await
                    .map_err(db_error)?;
                    g
                }
            };
            group_ids.push(gid);
        }
        for chunk in members.chunks(CHUNK) {
            let mut q = Sql::new(
                "INSERT INTO users (id, email, name, password_hash, two_factor_enabled, created_at, last_sign_in_at)",
            );
            push_values(&mut q, chunk, |q, m| {
                q.push_bind(Id(m.id)).push(", ").push_bind(m.email.clone());
                q.push(", ").push_bind(m.name.clone()).push(", ");
                q.push_bind(password_hash)
                    .push(", ")
                    .push_bind(m.two_factor);
                q.push(", ")
                    .push_bind(now)
                    .push(", ")
                    .push_bind(m.last_sign_in_at);
            });
            q.execute(&mut tx).await.map_err(db_error)?;

            let mut q = Sql::new(
                "INSERT INTO memberships (org_id, user_id, status, name_key, email, search_key, two_factor, created_at, updated_at)",
            );
            push_values(&mut q, chunk, |q, m| {
                q.push_bind(Id(org))
                    .push(", ")
                    .push_bind(Id(m.id))
                    .push(", ");
                q.push_bind(m.status)
                    .push(", ")
                    .push_bind(m.name.to_lowercase());
                q.push(", ")
                    .push_bind(m.email.clone())
                    .push(", ")
                    .push_bind(member_search_key(&m.name, &m.email));
                q.push(", ").push_bind(m.two_factor);
                q.push(", ").push_bind(now).push(", ").push_bind(now);
            });
            q.execute(&mut tx).await.map_err(db_error)?;

            let bound: Vec<&BulkMember> = chunk.iter().filter(|m| m.status != "archived").collect();
            if !bound.is_empty() {
                let mut q = Sql::new(
                    "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, created_at)",
                );
                push_values(&mut q, &bound, |q, m| {
                    q.push_bind(Id(Uuid::now_v7()))
                        .push(", ")
                        .push_bind(Id(org));
                    q.push(", 'user', ").push_bind(Id(m.id)).push(", ");
                    q.push_bind(m.role).push(", ").push_bind(now);
                });
                q.execute(&mut tx).await.map_err(db_error)?;
            }

            let grouped: Vec<(Uuid, Uuid)> = bound
                .iter()
                .filter_map(|m| m.group.map(|g| (m.id, group_ids[g])))
                .collect();
            if !grouped.is_empty() {
                let mut q =
                    Sql::new("INSERT INTO group_members (group_id, org_id, user_id, created_at)");
                push_values(&mut q, &grouped, |q, (user, group)| {
                    q.push_bind(Id(*group))
                        .push(", ")
                        .push_bind(Id(org))
                        .push(", ");
                    q.push_bind(Id(*user)).push(", ").push_bind(now);
                });
                q.execute(&mut tx).await.map_err(db_error)?;
            }
        }
        super::audit::insert_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(db_error)?;
        // Fresh statistics after a bulk load, so the planner picks the indexes; on PostgreSQL
        // also the visibility map, so that index-only scans need not visit the rows (as
        // autovacuum would do a little later).
        //
        // SQLite keeps the per-table figures (`sqlite_stat1`) but not the sampled key values
        // (`sqlite_stat4`, in builds with STAT4 such as the bundled one): with samples, every
        // statement whose plan could depend on a bound value is compiled again each time it
        // is bound anew, which cost a quarter of a members page's CPU. Our statements choose
        // their index by their shape, so the samples buy nothing.
        match self.dialect() {
            Dialect::Sqlite => {
                query("ANALYZE")
                    .execute(self.bookkeeping_pool())
                    .await
                    .map_err(db_error)?;
                let samples: i64 =
                    query_scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'")
                        .fetch_one(self.bookkeeping_pool())
                        .await
                        .map_err(db_error)?;
                if samples > 0 {
                    query("DELETE FROM sqlite_stat4")
                        .execute(self.bookkeeping_pool())
                        .await
                        .map_err(db_error)?;
                    // Loads the statistics afresh (as the next connection would).
                    query("ANALYZE sqlite_schema")
                        .execute(self.bookkeeping_pool())
                        .await
                        .map_err(db_error)?;
                }
            }
            Dialect::Postgres => {
                query("VACUUM (ANALYZE)")
                    .execute(self.bookkeeping_pool())
                    .await
                    .map_err(db_error)?;
            }
        }
        Ok(())
    }
}
