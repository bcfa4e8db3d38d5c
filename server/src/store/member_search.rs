//! Member search: how a text search runs (the trigram index of migration 0013, or a walk in
//! name order), and the search keys of memberships made before the index existed.

use super::{
    Database,
    db::{query, query_scalar},
    db_error,
    dialect::Dialect,
    values::Id,
};
use app::{
    core::{ids::OrgId, kinds::MembershipStatus},
    server::store::{
        COUNT_CAP, MemberFilter, MemberSearch, StoreResult, member_search_key, member_search_needle,
    },
};

/// How a text search finds its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextPlan {
    /// From the trigram index (SQLite: `member_search`; PostgreSQL: the GIN index on
    /// `search_key`, where the planner decides).
    Index,
    /// Walking the members in name order and testing each: so many match that a page fills
    /// after a few rows (SQLite; chosen by `text_match`).
    Walk,
}

/// A text search: the needle the search key must contain (`member_search_needle`) and how.
#[derive(Clone)]
pub(super) struct TextMatch {
    pub(super) needle: String,
    pub(super) plan: TextPlan,
    /// SQLite: the index's rowids of the organization's tab (migration 0013).
    pub(super) rowids: Option<(i64, i64)>,
    /// SQLite: how many members of the tab match, counted in the index up to `COUNT_CAP + 1`
    /// for a search alone; with other filters, only as far as the choice of the plan needs.
    pub(super) matches: Option<i64>,
}

/// The needle as an FTS5 phrase: quoted, so that every character is literal.
pub(super) fn fts_phrase(needle: &str) -> String {
    format!("\"{}\"", needle.replace('"', "\"\""))
}

/// The status's place in the index's rowids (migration 0013).
fn status_code(status: MembershipStatus) -> i64 {
    match status {
        MembershipStatus::Active => 0,
        MembershipStatus::Deactivated => 1,
        MembershipStatus::Archived => 2,
    }
}

/// How a filter's text search runs: `Ok(None)` when nobody can match (nothing to search for,
/// or nobody to find), `Ok(Some(None))` when the filter has no text search.
///
/// On SQLite the matches of the organization's tab are counted in the index first (its rowids
/// say whose and which tab an entry is, so nothing else is read). Reading every match costs
/// about one row each; walking the tab in name order costs about `limit × members / matches`
/// rows for a page: the cheaper one serves the page.
pub(super) async fn text_match(
    db: &Database,
    org: OrgId,
    filter: &MemberFilter,
) -> StoreResult<Option<Option<TextMatch>>> {
    let Some(search @ MemberSearch::Text(_)) = &filter.search else {
        return Ok(Some(None));
    };
    let Some(needle) = member_search_needle(search) else {
        return Ok(None);
    };
    if db.dialect() == Dialect::Postgres {
        return Ok(Some(Some(TextMatch {
            needle,
            plan: TextPlan::Index,
            rowids: None,
            matches: None,
        })));
    }
    let seq: Option<i64> = query_scalar("SELECT seq FROM member_search_orgs WHERE org_id = $1")
        .bind(Id(org.0))
        .fetch_optional(db.read_pool())
        .await
        .map_err(db_error)?;
    let Some(seq) = seq else {
        return Ok(None);
    };
    let low = (seq << 34) + (status_code(filter.status) << 32);
    let high = low + 0xFFFF_FFFF;
    let members = member_count(db, org, filter.status).await?;
    // A walk serves the page once the matches are more than `walk_from`. A search alone needs
    // its count for the total too (up to the cap); combined with other filters, only the choice.
    let walk_from = (f64::from(filter.limit) * members as f64).sqrt().ceil() as i64;
    let counted = if !filter.filters_besides_search() {
        COUNT_CAP
    } else {
        walk_from.min(COUNT_CAP)
    };
    let matches: i64 = query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM member_search WHERE member_search MATCH $1 \
         AND rowid BETWEEN $2 AND $3 LIMIT $4)",
    )
    .bind(fts_phrase(&needle))
    .bind(low)
    .bind(high)
    .bind(counted + 1)
    .fetch_one(db.read_pool())
    .await
    .map_err(db_error)?;
    let plan = if matches > walk_from {
        TextPlan::Walk
    } else {
        TextPlan::Index
    };
    Ok(Some(Some(TextMatch {
        needle,
        plan,
        rowids: Some((low, high)),
        matches: Some(matches),
    })))
}

/// How many members `org` has in `status`: a counter kept by triggers (migration 0003).
pub(super) async fn member_count(
    db: &Database,
    org: OrgId,
    status: MembershipStatus,
) -> StoreResult<i64> {
    Ok(
        query_scalar("SELECT n FROM member_counts WHERE org_id = $1 AND status = $2")
            .bind(Id(org.0))
            .bind(status.as_str())
            .fetch_optional(db.read_pool())
            .await
            .map_err(db_error)?
            .unwrap_or(0),
    )
}

/// Fills in `search_key` for memberships made before it existed (migration 0013), in batches.
/// Returns how many were filled.
pub(super) async fn fill_search_keys(db: &Database) -> StoreResult<u64> {
    #[derive(sqlx::FromRow)]
    struct Unkeyed {
        org_id: Id,
        user_id: Id,
        name: String,
        email: String,
    }
    let mut filled = 0;
    loop {
        let rows = query(
            "SELECT m.org_id, m.user_id, u.name, m.email FROM memberships m \
             JOIN users u ON u.id = m.user_id WHERE m.search_key = '' LIMIT 1000",
        )
        .fetch_all(db.read_pool())
        .await
        .map_err(db_error)?;
        if rows.is_empty() {
            return Ok(filled);
        }
        let mut tx = db.bookkeeping_tx().await?;
        for r in &rows {
            let u: Unkeyed = r.decode()?;
            query("UPDATE memberships SET search_key = $3 WHERE org_id = $1 AND user_id = $2")
                .bind(u.org_id)
                .bind(u.user_id)
                .bind(member_search_key(&u.name, &u.email))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        filled += rows.len() as u64;
    }
}
