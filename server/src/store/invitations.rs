//! Invitations: creating, listing, resending, withdrawing and voiding them, with their grants.

use super::{
    Database,
    audit::insert_audit,
    db::{Ids, Row, Tx, lock_org, query, query_scalar},
    db_error,
    invitation_status::{StatusRow, cap_reached, not_open, shown_status},
    values::Id,
};
use app::error::Wording;
use app::{
    areas::{
        audit::event::AuditEvent,
        invitations::types::{Invitation, InvitationGrants, InvitationListing, InvitationStatus},
    },
    core::ids::{GroupId, InvitationId, OrgId, ProjectId},
    policy::{Authorized, Binding},
    server::store::{
        InvitationFilter, InvitationStore, NewInvitation, NewLink, OutgoingMail, StoreError,
        StoreResult,
    },
};
use async_trait::async_trait;

/// An invitation as the list and detail queries read it.
#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: Id,
    email: String,
    status: String,
    grants: String,
    invited_by_name: String,
    sent_at: i64,
    expires_at: i64,
    closed_at: Option<i64>,
    closed_reason: Option<String>,
}

/// A row of `invitation_bindings` as `SELECT role_id, project_id` reads it.
#[derive(sqlx::FromRow)]
struct BindingRow {
    role_id: String,
    project_id: Option<Id>,
}

impl Database {
    fn invitation_row(r: &Row, now: i64) -> StoreResult<Invitation> {
        let i: InvitationRow = r.decode()?;
        Ok(Invitation {
            id: InvitationId(i.id.0),
            email: i.email,
            status: shown_status(&i.status, i.expires_at, now)?,
            grants: InvitationGrants::from_stored(&i.grants),
            invited_by: i.invited_by_name,
            sent_at: i.sent_at,
            expires_at: i.expires_at,
            closed_at: i.closed_at,
            closed_reason: i.closed_reason,
        })
    }

    /// Pending invitations whose links still work.
    async fn pending_count(tx: &mut Tx, org: OrgId, now: i64) -> StoreResult<i64> {
        query_scalar(
            "SELECT count(*) FROM invitations WHERE org_id = $1 AND status = 'pending' AND expires_at > $2",
        )
        .bind(Ids::bind(org.0))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)
    }

    async fn pending_limit(tx: &mut Tx, org: OrgId) -> StoreResult<i64> {
        query_scalar(
            "SELECT CAST(pending_invitation_limit AS BIGINT) FROM organizations WHERE id = $1",
        )
        .bind(Ids::bind(org.0))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound)
    }

    pub(super) async fn queue_mail(tx: &mut Tx, mail: &OutgoingMail, now: i64) -> StoreResult<()> {
        query(
            "INSERT INTO outbox (id, org_id, recipient, subject, text_body, html_body, link, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(Ids::bind(mail.id))
        .bind(Ids::bind_opt(mail.org.map(|o| o.0)))
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(&mail.link)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Drops what an answered invitation would have granted.
    /// A row of `invitation_bindings`; one naming a role that no longer parses is skipped.
    pub(super) fn stored_binding(r: &Row) -> Option<Binding> {
        let b: BindingRow = r.decode().ok()?;
        Some(Binding {
            role: b.role_id.parse().ok()?,
            project: b.project_id.map(|id| ProjectId(id.0)),
        })
    }

    pub(super) async fn drop_grants(tx: &mut Tx, id: InvitationId) -> StoreResult<()> {
        for sql in [
            "DELETE FROM invitation_bindings WHERE invitation_id = $1",
            "DELETE FROM invitation_groups WHERE invitation_id = $1",
        ] {
            query(sql)
                .bind(Ids::bind(id.0))
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        Ok(())
    }

    /// The stored status of an invitation of `org` (`None`: no such invitation).
    async fn invitation_state(
        tx: &mut Tx,
        org: OrgId,
        id: InvitationId,
        now: i64,
    ) -> StoreResult<Option<InvitationStatus>> {
        let row = query("SELECT status, expires_at FROM invitations WHERE org_id = $1 AND id = $2")
            .bind(Ids::bind(org.0))
            .bind(Ids::bind(id.0))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        row.map(|r| r.decode::<StatusRow>()?.shown(now)).transpose()
    }
}

#[async_trait]
impl InvitationStore for Database {
    async fn create_invitation(
        &self,
        inv: NewInvitation,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, inv.org).await?;
        let member: Option<String> = query_scalar(
            "SELECT m.status FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 AND u.email = $2",
        )
        .bind(Ids::bind(inv.org.0))
        .bind(&inv.email)
        .fetch_optional(&mut tx)
        .await
        .map_err(db_error)?;
        if matches!(member.as_deref(), Some("active" | "deactivated")) {
            return Err(StoreError::conflict(
                "already_member",
                Wording::new("already_member").with("email", &inv.email),
            ));
        }
        let open: Option<i64> = query_scalar(
            "SELECT expires_at FROM invitations WHERE org_id = $1 AND email = $2 AND status = 'pending'",
        )
        .bind(Ids::bind(inv.org.0))
        .bind(&inv.email)
        .fetch_optional(&mut tx)
        .await
        .map_err(db_error)?;
        if let Some(expires_at) = open {
            let state = if expires_at <= inv.now {
                "already_invited_expired"
            } else {
                "already_invited_pending"
            };
            return Err(StoreError::conflict(
                "already_invited",
                Wording::new(state).with("email", &inv.email),
            ));
        }
        let limit = Self::pending_limit(&mut tx, inv.org).await?;
        if Self::pending_count(&mut tx, inv.org, inv.now).await? >= limit {
            return Err(cap_reached(limit));
        }
        Self::check_bindings(&mut tx, inv.org, &inv.bindings).await?;
        Self::check_groups(&mut tx, inv.org, &inv.groups).await?;
        query(
            "INSERT INTO invitations (id, org_id, email, token_hash, status, grants, invited_by, invited_by_name, \
                                      sent_at, expires_at, created_at, invited_by_token) \
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $8, $10)",
        )
        .bind(Ids::bind(inv.id.0))
        .bind(Ids::bind(inv.org.0))
        .bind(&inv.email)
        .bind(&inv.token_hash)
        .bind(inv.grants.to_stored())
        .bind(Ids::bind_opt(inv.invited_by.map(|u| u.0)))
        .bind(&inv.invited_by_name)
        .bind(inv.now)
        .bind(inv.expires_at)
        .bind(Ids::bind_opt(inv.invited_by_token.map(|t| t.0)))
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        for b in super::directory::dedup(&inv.bindings) {
            query("INSERT INTO invitation_bindings (invitation_id, role_id, project_id) VALUES ($1, $2, $3)")
                .bind(Ids::bind(inv.id.0))
                .bind(b.role.to_string())
                .bind(Ids::bind_opt(b.project.map(|p| p.0)))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        for g in super::directory::dedup(&inv.groups) {
            query("INSERT INTO invitation_groups (invitation_id, group_id) VALUES ($1, $2)")
                .bind(Ids::bind(inv.id.0))
                .bind(Ids::bind(g.0))
                .execute(&mut tx)
                .await
                .map_err(db_error)?;
        }
        Self::queue_mail(&mut tx, &mail, inv.now).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn list_invitations(
        &self,
        org: OrgId,
        f: &InvitationFilter,
        now: i64,
    ) -> StoreResult<InvitationListing> {
        // The stored status, and for pending ones which side of the expiry to show.
        let (stored, expiry) = match f.status {
            None if f.open => (Some("pending"), ""),
            None => (None, ""),
            Some(InvitationStatus::Pending) => (Some("pending"), " AND expires_at > $3"),
            Some(InvitationStatus::Expired) => (Some("pending"), " AND expires_at <= $3"),
            Some(InvitationStatus::Accepted) => (Some("accepted"), ""),
            Some(InvitationStatus::Withdrawn) => (Some("withdrawn"), ""),
        };
        let status_cond = if stored.is_some() {
            " AND status = $2"
        } else {
            " AND $2 IS NULL"
        };
        let page_sql = format!(
            "SELECT id, email, status, grants, invited_by_name, sent_at, expires_at, closed_at, closed_reason FROM invitations \
             WHERE org_id = $1{status_cond}{expiry} AND ($4 IS NULL OR id < $4) AND $3 = $3 \
             ORDER BY id DESC LIMIT $5"
        );
        let rows = query(&page_sql)
            .bind(Ids::bind(org.0))
            .bind(stored)
            .bind(now)
            .bind(Ids::bind_opt(f.after.map(|a| a.0)))
            .bind(i64::from(f.limit) + 1)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_error)?;
        let mut items = rows
            .iter()
            .map(|r| Self::invitation_row(r, now))
            .collect::<StoreResult<Vec<_>>>()?;
        let next_cursor = if items.len() > f.limit as usize {
            items.truncate(f.limit as usize);
            items.last().map(|i| i.id)
        } else {
            None
        };
        let count_sql = format!(
            "SELECT count(*) FROM invitations WHERE org_id = $1{status_cond}{expiry} AND $3 = $3"
        );
        let total: i64 = query_scalar(&count_sql)
            .bind(Ids::bind(org.0))
            .bind(stored)
            .bind(now)
            .fetch_one(self.read_pool())
            .await
            .map_err(db_error)?;
        Ok(InvitationListing {
            items,
            next_cursor,
            total,
        })
    }

    async fn invitation(
        &self,
        org: OrgId,
        id: InvitationId,
        now: i64,
    ) -> StoreResult<Option<Invitation>> {
        query(
            "SELECT id, email, status, grants, invited_by_name, sent_at, expires_at, closed_at, closed_reason FROM invitations \
             WHERE org_id = $1 AND id = $2",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(id.0))
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        .map(|r| Self::invitation_row(&r, now))
        .transpose()
    }

    async fn open_invitation_for(
        &self,
        org: OrgId,
        email: &str,
    ) -> StoreResult<Option<Invitation>> {
        query(
            "SELECT id, email, status, grants, invited_by_name, sent_at, expires_at, closed_at, closed_reason FROM invitations \
             WHERE org_id = $1 AND email = $2 AND status = 'pending'",
        )
        .bind(Ids::bind(org.0))
        .bind(email)
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        // The list's own clock decides expiry; here only "open" matters.
        .map(|r| Self::invitation_row(&r, i64::MIN))
        .transpose()
    }

    async fn resend_invitation(
        &self,
        auth: &Authorized,
        id: InvitationId,
        link: NewLink,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        lock_org(&mut tx, org).await?;
        match Self::invitation_state(&mut tx, org, id, link.now).await? {
            None => return Err(StoreError::NotFound),
            Some(InvitationStatus::Expired) => {
                // Back to pending: it counts against the cap again.
                let limit = Self::pending_limit(&mut tx, org).await?;
                if Self::pending_count(&mut tx, org, link.now).await? >= limit {
                    return Err(cap_reached(limit));
                }
            }
            Some(InvitationStatus::Pending) => {}
            Some(_) => return Err(not_open()),
        }
        query(
            "UPDATE invitations SET token_hash = $3, invited_by_name = $4, sent_at = $5, expires_at = $6, \
                                    invited_by = $7, invited_by_token = $8 \
             WHERE org_id = $1 AND id = $2 AND status = 'pending'",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(id.0))
        .bind(&link.token_hash)
        .bind(&link.sent_by_name)
        .bind(link.now)
        .bind(link.expires_at)
        .bind(Ids::bind_opt(link.sent_by.map(|u| u.0)))
        .bind(Ids::bind_opt(link.sent_by_token.map(|t| t.0)))
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        Self::queue_mail(&mut tx, &mail, link.now).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn withdraw_invitation(
        &self,
        auth: &Authorized,
        id: InvitationId,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        let n = query(
            "UPDATE invitations SET status = 'withdrawn', closed_at = $3 \
             WHERE org_id = $1 AND id = $2 AND status = 'pending'",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(id.0))
        .bind(now)
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n == 0 {
            return Err(match Self::invitation_state(&mut tx, org, id, now).await? {
                None => StoreError::NotFound,
                Some(_) => not_open(),
            });
        }
        Self::drop_grants(&mut tx, id).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn void_invitation(
        &self,
        org: OrgId,
        id: InvitationId,
        reason: &str,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let n = query(
            "UPDATE invitations SET status = 'withdrawn', closed_at = $3, closed_reason = $4 \
             WHERE org_id = $1 AND id = $2 AND status = 'pending'",
        )
        .bind(Ids::bind(org.0))
        .bind(Ids::bind(id.0))
        .bind(now)
        .bind(reason)
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        Self::drop_grants(&mut tx, id).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn invitation_grants(
        &self,
        org: OrgId,
        id: InvitationId,
    ) -> StoreResult<Option<(Vec<Binding>, Vec<GroupId>)>> {
        let exists: i64 =
            query_scalar("SELECT count(*) FROM invitations WHERE org_id = $1 AND id = $2")
                .bind(Ids::bind(org.0))
                .bind(Ids::bind(id.0))
                .fetch_one(self.read_pool())
                .await
                .map_err(db_error)?;
        if exists == 0 {
            return Ok(None);
        }
        let bindings =
            query("SELECT role_id, project_id FROM invitation_bindings WHERE invitation_id = $1")
                .bind(Ids::bind(id.0))
                .fetch_all(self.read_pool())
                .await
                .map_err(db_error)?
                .iter()
                .filter_map(Self::stored_binding)
                .collect();
        let groups = query("SELECT group_id FROM invitation_groups WHERE invitation_id = $1")
            .bind(Ids::bind(id.0))
            .fetch_all(self.read_pool())
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| Ids::get(r, "group_id").map(GroupId))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some((bindings, groups)))
    }
}
