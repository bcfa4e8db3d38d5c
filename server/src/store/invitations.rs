//! Invitations, organization settings and the mail outbox.

use app::areas::audit::event::AuditEvent;
use app::model::Binding;
use app::model::GroupId;
use app::model::Invitation;
use app::model::InvitationId;
use app::model::InvitationListing;
use app::model::InvitationStatus;
use app::model::OrgId;
use app::model::OrgSettings;
use app::model::OrgSummary;
use app::model::ProjectId;
use app::model::UserId;
use app::server::store::Acceptor;
use app::server::store::InvitationFilter;
use app::server::store::InvitationRecord;
use app::server::store::InvitationStore;
use app::server::store::MemberUser;
use app::server::store::NewInvitation;
use app::server::store::NewLink;
use app::server::store::OutgoingMail;
use app::server::store::StoreError;
use app::server::store::StoreResult;
use async_trait::async_trait;

use super::Database;
use super::audit::insert_audit;
use super::db::Ids;
use super::db::Row;
use super::db::Tx;
use super::db::lock_org;
use super::db::query;
use super::db::query_scalar;
use super::db_error;

/// The stored status and expiry as the list shows them.
pub(super) fn shown_status(
    stored: &str,
    expires_at: i64,
    now: i64,
) -> StoreResult<InvitationStatus> {
    match stored {
        "pending" if expires_at <= now => Ok(InvitationStatus::Expired),
        "pending" => Ok(InvitationStatus::Pending),
        "accepted" => Ok(InvitationStatus::Accepted),
        "withdrawn" => Ok(InvitationStatus::Withdrawn),
        other => Err(StoreError::backend(std::io::Error::other(format!(
            "unknown invitation status {other}"
        )))),
    }
}

/// Why a link cannot be accepted (the wording lives with the status, shared with the service).
pub(super) fn closed(status: InvitationStatus) -> StoreError {
    let (code, message) = status
        .closed_reason()
        .unwrap_or(("invitation_open", "This invitation is still open"));
    StoreError::Conflict {
        code,
        message: message.into(),
    }
}

pub(super) fn cap_reached(limit: i64) -> StoreError {
    StoreError::Conflict {
        code: "invitation_cap",
        message: format!(
            "This organization already has {limit} pending invitations, the most it allows. \
             Withdraw some, wait for answers, or raise the limit in the organization settings."
        ),
    }
}

pub(super) fn not_open() -> StoreError {
    StoreError::Conflict {
        code: "invitation_closed",
        message: "This invitation has already been answered or withdrawn.".into(),
    }
}

impl Database {
    fn invitation_row(r: &Row, now: i64) -> StoreResult<Invitation> {
        let status: String = r.try_get("status").map_err(StoreError::backend)?;
        let expires_at: i64 = r.try_get("expires_at").map_err(StoreError::backend)?;
        Ok(Invitation {
            id: InvitationId(Ids::get(r, "id")?),
            email: r.try_get("email").map_err(StoreError::backend)?,
            status: shown_status(&status, expires_at, now)?,
            grants: r.try_get("grants").map_err(StoreError::backend)?,
            invited_by: r.try_get("invited_by_name").map_err(StoreError::backend)?,
            sent_at: r.try_get("sent_at").map_err(StoreError::backend)?,
            expires_at,
            closed_at: r.try_get("closed_at").map_err(StoreError::backend)?,
            closed_reason: r.try_get("closed_reason").map_err(StoreError::backend)?,
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
    fn stored_binding(r: &Row) -> Option<Binding> {
        let role: String = r.try_get("role_id").ok()?;
        let project = Ids::get_opt(r, "project_id").ok()?;
        Some(Binding {
            role: role.parse().ok()?,
            project: project.map(ProjectId),
        })
    }

    async fn drop_grants(tx: &mut Tx, id: InvitationId) -> StoreResult<()> {
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
        row.map(|r| {
            let status: String = r.try_get("status").map_err(StoreError::backend)?;
            let expires_at: i64 = r.try_get("expires_at").map_err(StoreError::backend)?;
            shown_status(&status, expires_at, now)
        })
        .transpose()
    }
}

#[async_trait]
impl InvitationStore for Database {
    async fn org_settings(&self, org: OrgId) -> StoreResult<OrgSettings> {
        let r = query(
            "SELECT name, CAST(invitation_lifetime_hours AS BIGINT) AS lifetime, \
                    CAST(pending_invitation_limit AS BIGINT) AS pending_limit, \
                    CAST(custom_role_limit AS BIGINT) AS custom_role_limit, \
                    CAST(group_limit AS BIGINT) AS group_limit, \
                    CAST(project_limit AS BIGINT) AS project_limit, \
                    CAST(token_limit AS BIGINT) AS token_limit \
             FROM organizations WHERE id = $1",
        )
        .bind(Ids::bind(org.0))
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound)?;
        let number = |col: &str, default: u32| -> StoreResult<u32> {
            let n: i64 = r.try_get(col).map_err(StoreError::backend)?;
            Ok(u32::try_from(n).unwrap_or(default))
        };
        Ok(OrgSettings {
            name: r.try_get("name").map_err(StoreError::backend)?,
            invitation_lifetime_hours: number("lifetime", OrgSettings::DEFAULT_LIFETIME_HOURS)?,
            pending_invitation_limit: number("pending_limit", OrgSettings::DEFAULT_PENDING_LIMIT)?,
            custom_role_limit: number("custom_role_limit", OrgSettings::DEFAULT_CUSTOM_ROLE_LIMIT)?,
            group_limit: number("group_limit", OrgSettings::DEFAULT_GROUP_LIMIT)?,
            project_limit: number("project_limit", OrgSettings::DEFAULT_PROJECT_LIMIT)?,
            token_limit: number("token_limit", OrgSettings::DEFAULT_TOKEN_LIMIT)?,
        })
    }

    async fn update_org_settings(
        &self,
        org: OrgId,
        settings: &OrgSettings,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let n = query(
            "UPDATE organizations SET name = $2, invitation_lifetime_hours = $3, pending_invitation_limit = $4, \
                    custom_role_limit = $5, group_limit = $6, project_limit = $7, token_limit = $8 \
             WHERE id = $1",
        )
        .bind(Ids::bind(org.0))
        .bind(&settings.name)
        .bind(i64::from(settings.invitation_lifetime_hours))
        .bind(i64::from(settings.pending_invitation_limit))
        .bind(i64::from(settings.custom_role_limit))
        .bind(i64::from(settings.group_limit))
        .bind(i64::from(settings.project_limit))
        .bind(i64::from(settings.token_limit))
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

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
            return Err(StoreError::Conflict {
                code: "already_member",
                message: format!("{} is already a member of this organization", inv.email),
            });
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
                "an expired"
            } else {
                "a pending"
            };
            return Err(StoreError::Conflict {
                code: "already_invited",
                message: format!(
                    "{} already has {state} invitation. Resend it instead.",
                    inv.email
                ),
            });
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
        .bind(&inv.grants)
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
        org: OrgId,
        id: InvitationId,
        link: NewLink,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()> {
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
        org: OrgId,
        id: InvitationId,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<()> {
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

    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Option<InvitationRecord>> {
        let Some(r) = query(
            "SELECT i.id, i.email, i.status, i.invited_by_name, i.expires_at, i.invited_by, i.invited_by_token, \
                    i.closed_reason, \
                    o.id AS org_id, o.slug, o.name AS org_name, \
                    (SELECT count(*) FROM users u WHERE u.email = i.email) AS accounts \
             FROM invitations i JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        else {
            return Ok(None);
        };
        let status: String = r.try_get("status").map_err(StoreError::backend)?;
        let expires_at: i64 = r.try_get("expires_at").map_err(StoreError::backend)?;
        let accounts: i64 = r.try_get("accounts").map_err(StoreError::backend)?;
        Ok(Some(InvitationRecord {
            id: InvitationId(Ids::get(&r, "id")?),
            org: OrgSummary {
                id: OrgId(Ids::get(&r, "org_id")?),
                slug: r.try_get("slug").map_err(StoreError::backend)?,
                name: r.try_get("org_name").map_err(StoreError::backend)?,
            },
            email: r.try_get("email").map_err(StoreError::backend)?,
            // Expiry is judged by the caller's clock, which it passes to accept.
            status: shown_status(&status, expires_at, i64::MIN)?,
            invited_by: r.try_get("invited_by_name").map_err(StoreError::backend)?,
            sender: Ids::get_opt(&r, "invited_by")?.map(UserId),
            sender_token: Ids::get_opt(&r, "invited_by_token")?.map(app::model::TokenId),
            closed_reason: r.try_get("closed_reason").map_err(StoreError::backend)?,
            expires_at,
            account_exists: accounts > 0,
        }))
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        acceptor: Acceptor,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<(OrgSummary, UserId)> {
        let mut tx = self.write_tx().await?;
        // The organization's lock first, as every other write to it takes it.
        let org_id: Option<uuid::Uuid> =
            query("SELECT org_id FROM invitations WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut tx)
                .await
                .map_err(db_error)?
                .map(|r| Ids::get(&r, "org_id"))
                .transpose()?;
        lock_org(&mut tx, OrgId(org_id.ok_or(StoreError::NotFound)?)).await?;
        // Exactly once: of racing requests, only one finds the row still pending.
        let row = query(
            "UPDATE invitations SET status = 'accepted', closed_at = $2 \
             WHERE token_hash = $1 AND status = 'pending' AND expires_at > $2 \
             RETURNING id, org_id, email",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut tx)
        .await
        .map_err(db_error)?;
        let Some(row) = row else {
            let r = query("SELECT status, expires_at FROM invitations WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut tx)
                .await
                .map_err(db_error)?
                .ok_or(StoreError::NotFound)?;
            let status: String = r.try_get("status").map_err(StoreError::backend)?;
            let expires_at: i64 = r.try_get("expires_at").map_err(StoreError::backend)?;
            return Err(closed(shown_status(&status, expires_at, now)?));
        };
        let id = InvitationId(Ids::get(&row, "id")?);
        let org = OrgId(Ids::get(&row, "org_id")?);
        let email: String = row.try_get("email").map_err(StoreError::backend)?;
        let user = match acceptor {
            Acceptor::New(u) => {
                if u.email != email {
                    return Err(StoreError::Invalid {
                        field: "email",
                        message: format!("This invitation is for {email}"),
                    });
                }
                MemberUser::New(u)
            }
            Acceptor::Existing(id) => {
                let own: Option<String> = query_scalar("SELECT email FROM users WHERE id = $1")
                    .bind(Ids::bind(id.0))
                    .fetch_optional(&mut tx)
                    .await
                    .map_err(db_error)?;
                if own.as_deref() != Some(email.as_str()) {
                    return Err(StoreError::Conflict {
                        code: "invitation_other_account",
                        message: format!(
                            "This invitation is for {email}. Sign in as {email} to accept it."
                        ),
                    });
                }
                MemberUser::Existing(id)
            }
        };
        let bindings: Vec<Binding> =
            query("SELECT role_id, project_id FROM invitation_bindings WHERE invitation_id = $1")
                .bind(Ids::bind(id.0))
                .fetch_all(&mut tx)
                .await
                .map_err(db_error)?
                .iter()
                .filter_map(Self::stored_binding)
                .collect();
        let groups: Vec<GroupId> =
            query("SELECT group_id FROM invitation_groups WHERE invitation_id = $1")
                .bind(Ids::bind(id.0))
                .fetch_all(&mut tx)
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| Ids::get(r, "group_id").map(GroupId))
                .collect::<StoreResult<_>>()?;
        let user_id = Self::admit(&mut tx, org, user, &bindings, &groups, now).await?;
        // Now that the account exists, the invitation can point at it.
        query("UPDATE invitations SET accepted_by = $2 WHERE id = $1")
            .bind(Ids::bind(id.0))
            .bind(Ids::bind(user_id.0))
            .execute(&mut tx)
            .await
            .map_err(db_error)?;
        Self::drop_grants(&mut tx, id).await?;
        let summary = query("SELECT slug, name FROM organizations WHERE id = $1")
            .bind(Ids::bind(org.0))
            .fetch_one(&mut tx)
            .await
            .map_err(db_error)?;
        let org_summary = OrgSummary {
            id: org,
            slug: summary.try_get("slug").map_err(StoreError::backend)?,
            name: summary.try_get("name").map_err(StoreError::backend)?,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)?;
        Ok((org_summary, user_id))
    }
}
