//! The audit log: written only inside the transaction of the change it records, read newest
//! first by (time, id), which the index `audit_events_by_org_time` serves; filters narrow
//! that range.

use super::{
    Database,
    db::{Ids, Row, Sql, query},
    db_error,
    values::Id,
};
use app::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    core::ids::{AuditEventId, OrgId},
    server::store::StoreResult,
};
use async_trait::async_trait;

impl Database {
    fn push_audit_filter(qb: &mut Sql, org: OrgId, f: &app::server::store::AuditFilter) {
        qb.push(" FROM audit_events WHERE org_id = ")
            .push_bind(Ids::bind(org.0));
        if let Some(actor) = &f.actor {
            qb.push(" AND (actor_id = ")
                .push_bind(actor.clone())
                .push(" OR lower(actor_label) = ")
                .push_bind(actor.to_lowercase())
                .push(")");
        }
        match &f.action {
            Some(app::server::store::AuditAction::Exact(a)) => {
                qb.push(" AND action = ").push_bind(a.clone());
            }
            Some(app::server::store::AuditAction::Prefix(p)) => {
                qb.push(" AND action LIKE ")
                    .push_bind(app::server::store::like_prefix(p))
                    .push(" ESCAPE '\\'");
            }
            None => {}
        }
        if let Some(target) = &f.target {
            qb.push(" AND (target_id = ")
                .push_bind(target.clone())
                .push(" OR lower(target_label) = ")
                .push_bind(target.to_lowercase())
                .push(")");
        }
        if let Some(since) = f.since {
            qb.push(" AND created_at >= ").push_bind(since);
        }
        if let Some(until) = f.until {
            qb.push(" AND created_at < ").push_bind(until);
        }
    }
}

#[async_trait]
impl app::server::store::AuditStore for Database {
    async fn audit_page(
        &self,
        org: OrgId,
        filter: &app::server::store::AuditFilter,
        with_total: bool,
    ) -> StoreResult<app::server::store::AuditPage> {
        let mut page = Sql::new("SELECT *");
        Self::push_audit_filter(&mut page, org, filter);
        if let Some(k) = &filter.after {
            page.push(" AND (created_at < ")
                .push_bind(k.at)
                .push(" OR (created_at = ")
                .push_bind(k.at)
                .push(" AND id < ")
                .push_bind(Ids::bind(k.id.0))
                .push("))");
        }
        let limit = i64::from(filter.limit.max(1));
        page.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit + 1);
        let rows = page.fetch_all(self.read_pool()).await.map_err(db_error)?;
        let mut events = rows
            .iter()
            .map(audit_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let more = events.len() as i64 > limit;
        events.truncate(limit as usize);
        let next = if more {
            events
                .last()
                .map(|e| app::server::store::AuditKey { at: e.at, id: e.id })
        } else {
            None
        };
        let total = if with_total {
            let mut count = Sql::new("SELECT count(*)");
            Self::push_audit_filter(&mut count, org, filter);
            count
                .build_query_scalar::<i64>()
                .fetch_one(self.read_pool())
                .await
                .map_err(db_error)?
        } else {
            -1
        };
        Ok(app::server::store::AuditPage {
            events,
            next,
            total,
        })
    }

    async fn record_audit(&self, event: AuditEvent) -> StoreResult<()> {
        insert_audit(self.bookkeeping_pool(), &event).await
    }

    async fn audit_events(&self, org: Option<OrgId>, limit: i64) -> StoreResult<Vec<AuditEvent>> {
        let mut q = Sql::new("SELECT * FROM audit_events WHERE org_id ");
        match org {
            Some(org) => q.push("= ").push_bind(Id(org.0)),
            None => q.push("IS NULL"),
        };
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit);
        let rows = q.fetch_all(self.read_pool()).await.map_err(db_error)?;
        rows.iter().map(audit_from_row).collect()
    }
}

/// Writes one event; the caller's transaction (or a single statement) carries it.
pub(super) async fn insert_audit<'e>(
    ex: impl Into<super::db::Ex<'e>>,
    e: &AuditEvent,
) -> StoreResult<()> {
    query(
        "INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_label, action, target_type, \
         target_id, target_label, before_json, after_json, client_addr, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(Id(e.id.0))
    .bind(e.org.map(|o| Id(o.0)))
    .bind(&e.actor.kind)
    .bind(&e.actor.id)
    .bind(&e.actor.label)
    .bind(&e.action)
    .bind(&e.target.kind)
    .bind(&e.target.id)
    .bind(&e.target.label)
    .bind(e.before.as_ref())
    .bind(e.after.as_ref())
    .bind(&e.client_addr)
    .bind(e.at)
    .execute(ex)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// An audit event as `SELECT *` reads it, but for its JSON columns (read by [`Row::json`]).
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Id,
    org_id: Option<Id>,
    actor_type: String,
    actor_id: Option<String>,
    actor_label: String,
    action: String,
    target_type: String,
    target_id: Option<String>,
    target_label: String,
    client_addr: Option<String>,
    created_at: i64,
}

pub(super) fn audit_from_row(r: &Row) -> StoreResult<AuditEvent> {
    let a: AuditRow = r.decode()?;
    Ok(AuditEvent {
        id: AuditEventId(a.id.0),
        org: a.org_id.map(|id| OrgId(id.0)),
        actor: AuditActor {
            kind: a.actor_type,
            id: a.actor_id,
            label: a.actor_label,
        },
        action: a.action,
        target: AuditTarget {
            kind: a.target_type,
            id: a.target_id,
            label: a.target_label,
        },
        before: r.json("before_json")?,
        after: r.json("after_json")?,
        client_addr: a.client_addr,
        at: a.created_at,
    })
}
