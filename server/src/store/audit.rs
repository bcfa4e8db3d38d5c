//! Reading the audit log: one implementation for both backends, expanded by `audit_store!`
//! inside each backend's module (`$db` is its sqlx database type) with the same names as
//! `directory_store!`. Events are listed newest first by (time, id), which the index
//! `audit_events_by_org_time` serves; the filters narrow that range.

macro_rules! audit_store {
    ($store:ty, $db:ty) => {
        impl $store {
            fn push_audit_filter(
                qb: &mut QueryBuilder<'_, $db>,
                org: OrgId,
                f: &app::backend::store::AuditFilter,
            ) {
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
                    Some(app::backend::store::AuditAction::Exact(a)) => {
                        qb.push(" AND action = ").push_bind(a.clone());
                    }
                    Some(app::backend::store::AuditAction::Prefix(p)) => {
                        qb.push(" AND action LIKE ")
                            .push_bind(app::backend::store::like_prefix(p))
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
        impl app::backend::store::AuditStore for $store {
            async fn audit_page(
                &self,
                org: OrgId,
                filter: &app::backend::store::AuditFilter,
                with_total: bool,
            ) -> StoreResult<app::backend::store::AuditPage> {
                let mut page = QueryBuilder::<$db>::new("SELECT *");
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
                let rows = page
                    .build()
                    .fetch_all(self.read_pool())
                    .await
                    .map_err(db_error)?;
                let mut events = rows
                    .iter()
                    .map(audit_from_row)
                    .collect::<StoreResult<Vec<_>>>()?;
                let more = events.len() as i64 > limit;
                events.truncate(limit as usize);
                let next = if more {
                    events
                        .last()
                        .map(|e| app::backend::store::AuditKey { at: e.at, id: e.id })
                } else {
                    None
                };
                let total = if with_total {
                    let mut count = QueryBuilder::<$db>::new("SELECT count(*)");
                    Self::push_audit_filter(&mut count, org, filter);
                    count
                        .build_query_scalar::<i64>()
                        .fetch_one(self.read_pool())
                        .await
                        .map_err(db_error)?
                } else {
                    -1
                };
                Ok(app::backend::store::AuditPage {
                    events,
                    next,
                    total,
                })
            }
        }
    };
}

pub(super) use audit_store;
