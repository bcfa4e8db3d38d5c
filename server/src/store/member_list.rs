//! Listing an organization's members: one page in name order with a keyset cursor, each member
//! with their roles (own and through groups) and groups, and the total.

use super::{
    Database,
    db::{Row, Sql},
    db_error,
    dialect::Dialect,
    member_query::{ListPlan, count_sql, group_size, page_sql, plan, role_size},
    member_search::member_count,
    values::Id,
};
use app::{
    areas::members::types::{MemberRow, RoleGrant},
    core::{
        ids::{GroupId, NamedRef, OrgId, ProjectId, UserId},
        kinds::MembershipStatus,
    },
    policy::{BuiltinRole, RoleId},
    server::store::{
        COUNT_BUDGET, COUNT_CAP, MemberFilter, MemberKey, MemberPage, StoreError, StoreResult,
    },
};
use uuid::Uuid;

/// The reference to a row that has both an id and a name (a `LEFT JOIN` may have neither).
fn named<T>(id: Option<Id>, name: Option<String>, wrap: fn(Uuid) -> T) -> Option<NamedRef<T>> {
    id.zip(name).map(|(id, name)| NamedRef {
        id: wrap(id.0),
        name,
    })
}

/// A row of `page_roles_and_groups`: a role of a member, own (no group) or through a group, or
/// (without a role) a group the member is in.
#[derive(sqlx::FromRow)]
struct GrantColumns {
    user_id: Id,
    role_id: Option<String>,
    custom_name: Option<String>,
    project_id: Option<Id>,
    project_name: Option<String>,
    group_id: Option<Id>,
    group_name: Option<String>,
}

/// The roles of the given members (their own, and those of their groups) and their groups, in
/// one statement.
async fn page_roles_and_groups(
    db: &Database,
    org: OrgId,
    ids: &[Uuid],
) -> StoreResult<(Vec<GrantRow>, Vec<(UserId, NamedRef<GroupId>)>)> {
    let d = db.dialect();
    let role_of = d.id_text("cr.id");
    let (null_id, null_text) = (d.null_id(), d.null_text());
    let mut q = Sql::new(format!(
        "SELECT rb.principal_id AS user_id, rb.role_id, cr.name AS custom_name, \
                rb.project_id, p.name AS project_name, {null_id} AS group_id, \
                {null_text} AS group_name \
         FROM role_bindings rb \
         LEFT JOIN custom_roles cr ON {role_of} = rb.role_id AND cr.org_id = rb.org_id \
         LEFT JOIN projects p ON p.id = rb.project_id \
         WHERE rb.org_id = $1 AND rb.principal_type = 'user' AND rb.principal_id IN (",
    ));
    q.push_arg(Id(org.0));
    q.push_list(ids.iter().copied().map(Id));
    q.push(format!(
        ") UNION ALL \
         SELECT gm.user_id, rb.role_id, cr.name, rb.project_id, p.name, g.id, g.name \
         FROM group_members gm JOIN groups g ON g.id = gm.group_id \
         JOIN role_bindings rb ON rb.org_id = gm.org_id AND rb.principal_type = 'group' \
              AND rb.principal_id = gm.group_id \
         LEFT JOIN custom_roles cr ON {role_of} = rb.role_id AND cr.org_id = rb.org_id \
         LEFT JOIN projects p ON p.id = rb.project_id \
         WHERE gm.org_id = $1 AND gm.user_id IN ("
    ));
    q.push_list(ids.iter().copied().map(Id));
    q.push(format!(
        ") UNION ALL \
         SELECT gm.user_id, {null_text}, {null_text}, {null_id}, {null_text}, g.id, g.name \
         FROM group_members gm JOIN groups g ON g.id = gm.group_id \
         WHERE gm.org_id = $1 AND gm.user_id IN ("
    ));
    q.push_list(ids.iter().copied().map(Id)).push(")");
    let (mut grants, mut groups) = (Vec::new(), Vec::new());
    for r in q.fetch_all(db.read_pool()).await.map_err(db_error)? {
        let g: GrantColumns = r.decode()?;
        let user_id = UserId(g.user_id.0);
        let group = named(g.group_id, g.group_name, GroupId);
        match (g.role_id, group) {
            (Some(role_id), group) => grants.push(GrantRow {
                user_id,
                role_id,
                custom_role_name: g.custom_name,
                project: named(g.project_id, g.project_name, ProjectId),
                group,
            }),
            (None, Some(group)) => groups.push((user_id, group)),
            (None, None) => {}
        }
    }
    Ok((grants, groups))
}

/// A total that needs no count: a kept counter (the organization's, a role's or a group's), or
/// the matches the search index counted already (SQLite, a search and nothing else).
async fn known_total(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
    plan: &ListPlan,
) -> StoreResult<Option<(i64, bool)>> {
    Ok(if filter.is_unfiltered() {
        // Kept by triggers (migration 0003): no count over every membership.
        Some((member_count(db, org, filter.status).await?, false))
    } else if filter.is_role_only() {
        // Kept by triggers (migration 0004).
        role_size(db, org, filter).await?.map(|n| (n, false))
    } else if filter.is_group_only() {
        // Kept by triggers (migration 0015).
        group_size(db, org, filter).await?.map(|n| (n, false))
    } else {
        plan.text
            .as_ref()
            .and_then(|t| t.matches)
            .filter(|_| !filter.filters_besides_search())
            .map(|n| (n.min(COUNT_CAP), n > COUNT_CAP))
    })
}

/// How the database runs the page and the count of a listing (for the benchmark): the plan
/// of each, as `EXPLAIN QUERY PLAN` (SQLite) or `EXPLAIN` (PostgreSQL) prints it.
pub(super) async fn explain_members(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
) -> StoreResult<Vec<(&'static str, Vec<String>)>> {
    let d = db.dialect();
    let Some(plan) = plan(db, org, filter).await? else {
        return Ok(Vec::new());
    };
    let mut plans = vec![("page", page_sql(d, org, filter, &plan))];
    if known_total(db, org, filter, &plan).await?.is_none() {
        plans.push(("count", count_sql(d, org, filter, &plan)));
    }
    let mut out = Vec::new();
    for (what, sql) in plans {
        let lines = match d {
            Dialect::Sqlite => sql
                .prefixed("EXPLAIN QUERY PLAN ")
                .fetch_all(db.read_pool())
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| r.get::<String>("detail"))
                .collect::<StoreResult<Vec<_>>>()?,
            Dialect::Postgres => sql
                .prefixed("EXPLAIN ")
                .fetch_all(db.read_pool())
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| r.get::<String>("QUERY PLAN"))
                .collect::<StoreResult<Vec<_>>>()?,
        };
        out.push((what, lines));
    }
    Ok(out)
}

/// One page of `org`'s members matching `filter`, with the total (capped at `COUNT_CAP` where
/// no kept counter answers it).
pub(super) async fn list_members(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
) -> StoreResult<MemberPage> {
    let Some(plan) = plan(db, org, filter).await? else {
        // Nothing to search for (only spaces or control characters), or nobody to find.
        return Ok(MemberPage {
            rows: Vec::new(),
            next: None,
            total: 0,
            total_is_estimate: false,
        });
    };
    let base = page_sql(db.dialect(), org, filter, &plan)
        .fetch_all(db.read_pool())
        .await
        .map_err(db_error)?
        .iter()
        .map(Row::decode)
        .collect::<StoreResult<Vec<BaseRow>>>()?;

    let (total, total_is_estimate) =
        if let Some(known) = known_total(db, org, filter, &plan).await? {
            known
        } else if base.len() <= filter.limit as usize && filter.after.is_none() {
            // The first page holds them all.
            (base.len() as i64, false)
        } else {
            let row = count_sql(db.dialect(), org, filter, &plan)
                .fetch_one(db.read_pool())
                .await
                .map_err(db_error)?;
            let (n, examined) = (row.get::<i64>("n")?, row.get::<i64>("examined")?);
            if examined > COUNT_BUDGET {
                // Counted among the first candidates only: at least that many, and at least
                // the members this page has found.
                (n.max(base.len() as i64).min(COUNT_CAP), true)
            } else {
                (n.min(COUNT_CAP), n > COUNT_CAP)
            }
        };

    let ids: Vec<Uuid> = base
        .iter()
        .take(filter.limit as usize)
        .map(|b| b.user_id.0)
        .collect();
    let (grants, groups) = if ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        page_roles_and_groups(db, org, &ids).await?
    };
    assemble_page(base, filter.limit, grants, groups, total, total_is_estimate)
}

/// A member row as the page query returns it, before roles and groups are attached.
#[derive(sqlx::FromRow)]
struct BaseRow {
    user_id: Id,
    name: String,
    email: String,
    status: String,
    #[sqlx(rename = "two_factor_enabled")]
    two_factor: bool,
    last_sign_in_at: Option<i64>,
    name_key: String,
}

/// One role held by a member of the page, directly or through a group.
struct GrantRow {
    user_id: UserId,
    role_id: String,
    custom_role_name: Option<String>,
    project: Option<NamedRef<ProjectId>>,
    group: Option<NamedRef<GroupId>>,
}

/// Attaches roles and groups to a page of members, in the order the console shows them: own
/// roles before inherited ones, organization scope before projects, Admin first.
fn assemble_page(
    mut base: Vec<BaseRow>,
    limit: u32,
    grants: Vec<GrantRow>,
    groups: Vec<(UserId, NamedRef<GroupId>)>,
    total: i64,
    total_is_estimate: bool,
) -> StoreResult<MemberPage> {
    let more = base.len() > limit as usize;
    base.truncate(limit as usize);
    let next = base.last().filter(|_| more).map(|r| MemberKey {
        name_key: r.name_key.clone(),
        user_id: UserId(r.user_id.0),
    });
    let rows = base
        .into_iter()
        .map(|b| {
            let user_id = UserId(b.user_id.0);
            let status = MembershipStatus::parse(&b.status).ok_or(StoreError::NotFound)?;
            let mut roles: Vec<RoleGrant> = grants
                .iter()
                .filter(|g| g.user_id == user_id)
                .filter_map(|g| {
                    let role = g.role_id.parse::<RoleId>().ok()?;
                    let role_name = match role {
                        RoleId::Builtin(builtin) => builtin.name().to_string(),
                        RoleId::Custom(_) => g.custom_role_name.clone()?,
                    };
                    Some(RoleGrant {
                        role,
                        role_name,
                        project: g.project.clone(),
                        via_group: g.group.clone(),
                    })
                })
                .collect();
            roles.sort_by_key(|r| {
                (
                    r.via_group.is_some(),
                    r.project.is_some(),
                    builtin_rank(r.role),
                    r.role_name.to_lowercase(),
                    r.project.as_ref().map(|p| p.name.to_lowercase()),
                )
            });
            let mut member_groups: Vec<NamedRef<GroupId>> = groups
                .iter()
                .filter(|(u, _)| *u == user_id)
                .map(|(_, g)| g.clone())
                .collect();
            member_groups.sort_by_key(|g| g.name.to_lowercase());
            Ok(MemberRow {
                user_id,
                name: b.name,
                email: b.email,
                status,
                roles,
                groups: member_groups,
                two_factor: b.two_factor,
                last_sign_in_at: b.last_sign_in_at,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(MemberPage {
        rows,
        next,
        total,
        total_is_estimate,
    })
}

/// Admin before Editor before Viewer before custom roles.
pub(super) fn builtin_rank(role: RoleId) -> usize {
    match role {
        RoleId::Builtin(b) => BuiltinRole::ALL
            .iter()
            .rev()
            .position(|x| *x == b)
            .unwrap_or(0),
        RoleId::Custom(_) => BuiltinRole::ALL.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_ranks_before_editor_viewer_and_custom_roles() {
        let rank = |s: &str| builtin_rank(s.parse().expect("role id"));
        assert!(rank("admin") < rank("editor"));
        assert!(rank("editor") < rank("viewer"));
        assert!(rank("viewer") < rank("0190f8a0-0000-7000-8000-000000000001"));
    }
}
