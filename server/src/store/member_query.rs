//! How a member listing reads the database: which index it walks in name order (the driver),
//! how the other filters and a text search are tested, and the SQL of its page and its capped
//! count.

use super::{
    Database,
    db::{Sql, query_scalar},
    db_error,
    dialect::Dialect,
    member_search::{TextMatch, TextPlan, fts_phrase, text_match},
    values::Id,
};
use app::{
    core::ids::OrgId,
    server::store::{
        COUNT_BUDGET, COUNT_CAP, MemberFilter, MemberSearch, StoreResult, like_prefix,
    },
};

/// The index a listing walks in name order; every other filter is tested on its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Driver {
    /// The organization's memberships (`memberships_by_name`, or `memberships_by_two_factor`).
    Members,
    /// The role's holders (migration 0004; with the second factor, migration 0015).
    Role,
    /// The group's members (migration 0015).
    Group,
}

impl Driver {
    /// The table's alias in the SQL.
    fn alias(self) -> &'static str {
        match self {
            Driver::Members => "m",
            Driver::Role => "h",
            Driver::Group => "gm",
        }
    }

    /// The table with its alias.
    fn table(self) -> &'static str {
        match self {
            Driver::Members => "memberships m",
            Driver::Role => "role_holders h",
            Driver::Group => "group_members gm",
        }
    }
}

/// How one listing runs: its text search (if any) and its driver.
pub(super) struct ListPlan {
    pub(super) text: Option<TextMatch>,
    pub(super) driver: Driver,
}

/// Whether counting the listing tests candidates against filters their index does not serve:
/// a text search with any other filter, or a role with a group.
pub(super) fn counts_candidates(f: &MemberFilter) -> bool {
    if matches!(f.search, Some(MemberSearch::UserId(_))) {
        // One member at most: the plain count tests them by key.
        return false;
    }
    let text = matches!(f.search, Some(MemberSearch::Text(_)));
    (text && f.filters_besides_search()) || (f.role.is_some() && f.group.is_some())
}

/// Whether how many members the filter matches decides its plan (a search, a role, a group or
/// the second factor; not the whole tab, nor one member by id): PostgreSQL then plans its
/// statements with their values every time.
fn plans_with_values(f: &MemberFilter) -> bool {
    !f.is_unfiltered() && !matches!(f.search, Some(MemberSearch::UserId(_)))
}

/// How many hold `role` in `status` (a counter kept by migration 0004's triggers).
pub(super) async fn role_size(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
) -> StoreResult<Option<i64>> {
    let Some(role) = &filter.role else {
        return Ok(None);
    };
    let n = query_scalar(
        "SELECT n FROM role_holder_counts WHERE org_id = $1 AND role_id = $2 AND status = $3",
    )
    .bind(Id(org.0))
    .bind(role.to_string())
    .bind(filter.status.as_str())
    .fetch_optional(db.read_pool())
    .await
    .map_err(db_error)?;
    Ok(Some(n.unwrap_or(0)))
}

/// How many members the group has in `status` (a counter kept by migration 0015's triggers).
/// Another organization's group has none (rule 5: it is as unknown as a missing one).
pub(super) async fn group_size(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
) -> StoreResult<Option<i64>> {
    let Some(group) = filter.group else {
        return Ok(None);
    };
    let n = query_scalar(
        "SELECT c.n FROM group_member_counts c JOIN groups g ON g.id = c.group_id \
         WHERE c.group_id = $1 AND g.org_id = $2 AND c.status = $3",
    )
    .bind(Id(group.0))
    .bind(Id(org.0))
    .bind(filter.status.as_str())
    .fetch_optional(db.read_pool())
    .await
    .map_err(db_error)?;
    Ok(Some(n.unwrap_or(0)))
}

/// How a listing runs: `Ok(None)` when nobody can match (nothing to search for, or nobody to
/// find). With both a role and a group it walks the smaller of the two.
pub(super) async fn plan(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
) -> StoreResult<Option<ListPlan>> {
    let Some(text) = text_match(db, org, filter).await? else {
        return Ok(None);
    };
    let driver = match (filter.role.is_some(), filter.group.is_some()) {
        (true, true) => {
            let role = role_size(db, org, filter).await?.unwrap_or(0);
            let group = group_size(db, org, filter).await?.unwrap_or(0);
            if group < role {
                Driver::Group
            } else {
                Driver::Role
            }
        }
        (true, false) => Driver::Role,
        (false, true) => Driver::Group,
        (false, false) => Driver::Members,
    };
    Ok(Some(ListPlan { text, driver }))
}

/// What a listing's SQL reads: its page (members with their user rows) or its count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Page,
    Count,
}

/// The `FROM … WHERE …` of a member listing (and, for a page, the keyset condition). Returns
/// the driver's alias, whose `name_key` and `user_id` order the page.
fn push_member_filter(
    qb: &mut Sql,
    dialect: Dialect,
    org: OrgId,
    f: &MemberFilter,
    plan: &ListPlan,
    text: Option<&TextMatch>,
    reading: Reading,
) -> &'static str {
    let key = plan.driver.alias();
    // The membership is read for the page's columns and where a search tests its key.
    let text_in_row =
        text.is_some_and(|t| dialect == Dialect::Postgres || t.plan == TextPlan::Walk);
    let membership = reading == Reading::Page || text_in_row;
    qb.push(format_args!(" FROM {}", plan.driver.table()));
    if membership && plan.driver != Driver::Members {
        qb.push(format_args!(
            " JOIN memberships m ON m.org_id = {key}.org_id AND m.user_id = {key}.user_id"
        ));
    }
    if reading == Reading::Page {
        qb.push(format_args!(" JOIN users u ON u.id = {key}.user_id"));
    }
    // Each driver carries the organization (rule 5: another organization's group or role
    // holders are as unknown as missing ones).
    qb.push(format_args!(" WHERE {key}.org_id = "))
        .push_bind(Id(org.0));
    if let Some(role) = &f.role {
        if plan.driver == Driver::Role {
            qb.push(" AND h.role_id = ").push_bind(role.to_string());
        } else {
            qb.push(format_args!(
                " AND EXISTS (SELECT 1 FROM role_holders h WHERE h.org_id = {key}.org_id \
                 AND h.role_id = "
            ))
            .push_bind(role.to_string())
            .push(format_args!(" AND h.user_id = {key}.user_id)"));
        }
    }
    if let Some(g) = f.group {
        if plan.driver == Driver::Group {
            qb.push(" AND gm.group_id = ").push_bind(Id(g.0));
        } else {
            qb.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ")
                .push_bind(Id(g.0))
                .push(format_args!(
                    " AND gm.org_id = {key}.org_id AND gm.user_id = {key}.user_id)"
                ));
        }
    }
    // The SQLite index's rowids say the tab already (migration 0013): without a second test of
    // the status, a lookup of the driver by key reads its index alone.
    let tab_in_index =
        dialect == Dialect::Sqlite && text.is_some_and(|t| t.plan == TextPlan::Index);
    if !tab_in_index {
        qb.push(format_args!(" AND {key}.status = "))
            .push_bind(f.status.as_str());
    }
    if let Some(tf) = f.two_factor {
        // Copied onto each driver (migrations 0014 and 0015): its index serves it in name order.
        qb.push(format_args!(" AND {key}.two_factor = "))
            .push_bind(tf);
    }
    match (&f.search, text) {
        (Some(MemberSearch::UserId(id)), _) => {
            qb.push(format_args!(" AND {key}.user_id = "))
                .push_bind(Id(id.0));
        }
        (Some(MemberSearch::Text(_)), Some(t)) => match (dialect, t.plan) {
            (Dialect::Sqlite, TextPlan::Index) => {
                qb.push(format_args!(" AND {key}.user_id IN ("));
                push_fts_matches(qb, org, t);
                qb.push(")");
            }
            (Dialect::Sqlite, TextPlan::Walk) => {
                qb.push(" AND instr(m.search_key, ")
                    .push_bind(t.needle.clone())
                    .push(") > 0");
            }
            (Dialect::Postgres, _) => {
                qb.push(" AND m.search_key LIKE ")
                    .push_bind(format!("%{}", like_prefix(&t.needle)))
                    .push(" ESCAPE '\\'");
            }
        },
        (Some(MemberSearch::Text(_)), None) | (None, _) => {}
    }
    if reading == Reading::Page
        && let Some(k) = &f.after
    {
        let sort = dialect.bytewise(&format!("{key}.name_key"));
        qb.push(format_args!(" AND ({sort}, {key}.user_id) > ("))
            .push_bind(k.name_key.clone())
            .push(format_args!("{}, ", dialect.byte_collation()))
            .push_bind(Id(k.user_id.0))
            .push(")");
    }
    key
}

/// The members of the organization's tab whose search key holds the needle, from SQLite's
/// trigram index (migration 0013): `SELECT r.user_id …`.
fn push_fts_matches(qb: &mut Sql, org: OrgId, t: &TextMatch) {
    let (low, high) = t.rowids.unwrap_or((1, 0));
    qb.push("SELECT r.user_id FROM member_search JOIN member_search_rows r ON r.org_id = ")
        .push_bind(Id(org.0))
        .push(
            " AND r.member_seq = (member_search.rowid & 4294967295) \
             WHERE member_search MATCH ",
        )
        .push_bind(fts_phrase(&t.needle))
        .push(" AND member_search.rowid BETWEEN ")
        .push_bind(low)
        .push(" AND ")
        .push_bind(high);
}

/// The candidates of a count that tests them (`counts_candidates`), one more than
/// `COUNT_BUDGET` at most: the search's matches from its index where there is a search, else the
/// members of the role or group the listing walks (with the second factor, which its index
/// carries). Both are a listing of that one filter.
fn push_candidates(qb: &mut Sql, d: Dialect, org: OrgId, f: &MemberFilter, plan: &ListPlan) {
    let mut own = MemberFilter::all(f.status);
    let own_plan = match (&plan.text, d) {
        (Some(t), Dialect::Sqlite) => {
            push_fts_matches(qb, org, t);
            None
        }
        (Some(t), Dialect::Postgres) => {
            own.search = f.search.clone();
            Some(ListPlan {
                text: Some(t.clone()),
                driver: Driver::Members,
            })
        }
        (None, _) => {
            match plan.driver {
                Driver::Role => own.role = f.role,
                Driver::Group => own.group = f.group,
                Driver::Members => {}
            }
            own.two_factor = f.two_factor;
            Some(ListPlan {
                text: None,
                driver: plan.driver,
            })
        }
    };
    if let Some(own_plan) = own_plan {
        qb.push(format_args!("SELECT {}.user_id", own_plan.driver.alias()));
        push_member_filter(
            qb,
            d,
            org,
            &own,
            &own_plan,
            own_plan.text.as_ref(),
            Reading::Count,
        );
    }
    qb.push(" LIMIT ").push_bind(COUNT_BUDGET + 1);
}

/// One page (and one row more, to know whether another page follows).
pub(super) fn page_sql(d: Dialect, org: OrgId, filter: &MemberFilter, plan: &ListPlan) -> Sql {
    let mut page = Sql::new(
        "SELECT m.user_id, u.name, m.email, m.status, u.two_factor_enabled, u.last_sign_in_at, m.name_key",
    );
    let key = push_member_filter(
        &mut page,
        d,
        org,
        filter,
        plan,
        plan.text.as_ref(),
        Reading::Page,
    );
    page.push(format_args!(
        " ORDER BY {}, {key}.user_id LIMIT ",
        d.bytewise(&format!("{key}.name_key"))
    ))
    .push_bind(i64::from(filter.limit) + 1);
    if plans_with_values(filter) {
        page.planned_with_its_values()
    } else {
        page
    }
}

/// The matches counted up to one more than `COUNT_CAP` (a larger total reads "10,000+"), as
/// `n`, and the candidates read, as `examined`.
///
/// Where the count tests candidates against filters their index does not serve
/// (`counts_candidates`), it reads at most `COUNT_BUDGET + 1` of them and tests each by key:
/// `examined` over the budget means that `n` is a lower bound. Otherwise `examined` is 0.
pub(super) fn count_sql(d: Dialect, org: OrgId, filter: &MemberFilter, plan: &ListPlan) -> Sql {
    if counts_candidates(filter) {
        let mut q = Sql::new("WITH candidates AS MATERIALIZED (");
        push_candidates(&mut q, d, org, filter, plan);
        q.push(
            ") SELECT (SELECT count(*) FROM candidates) AS examined, \
             (SELECT count(*) FROM candidates c WHERE 1 = 1",
        );
        push_candidate_tests(&mut q, org, filter, plan);
        q.push(") AS n");
        return q.planned_with_its_values();
    }
    let mut count = Sql::new("SELECT CAST(0 AS BIGINT) AS examined, count(*) AS n FROM (SELECT 1");
    push_member_filter(
        &mut count,
        d,
        org,
        filter,
        plan,
        plan.text.as_ref(),
        Reading::Count,
    );
    count
        .push(" LIMIT ")
        .push_bind(COUNT_CAP + 1)
        .push(") capped");
    if plans_with_values(filter) {
        count.planned_with_its_values()
    } else {
        count
    }
}

/// The tests of a candidate (`c`, already in the tab, and a match of the search if there is
/// one) against the filters its index did not serve, each one lookup by key (or, where the
/// planner finds it cheaper, one ordered read of the role's or group's index beside them).
fn push_candidate_tests(q: &mut Sql, org: OrgId, f: &MemberFilter, plan: &ListPlan) {
    let from_text = plan.text.is_some();
    if let Some(role) = &f.role
        && (from_text || plan.driver != Driver::Role)
    {
        q.push(" AND EXISTS (SELECT 1 FROM role_holders h WHERE h.org_id = ")
            .push_bind(Id(org.0))
            .push(" AND h.role_id = ")
            .push_bind(role.to_string())
            .push(" AND h.user_id = c.user_id)");
    }
    if let Some(g) = f.group
        && (from_text || plan.driver != Driver::Group)
    {
        q.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ")
            .push_bind(Id(g.0))
            .push(" AND gm.org_id = ")
            .push_bind(Id(org.0))
            .push(" AND gm.user_id = c.user_id)");
    }
    if let Some(tf) = f.two_factor
        && from_text
    {
        q.push(" AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = ")
            .push_bind(Id(org.0))
            .push(" AND m.user_id = c.user_id AND m.two_factor = ")
            .push_bind(tf)
            .push(")");
    }
}
