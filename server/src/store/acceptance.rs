//! Accepting an invitation by its link: exactly once, also when requests race.

use super::{
    Database,
    accounts::org_from_row,
    audit::insert_audit,
    db::{Ids, lock_org, query, query_scalar},
    db_error,
    invitation_status::{StatusRow, closed, shown_status},
    values::Id,
};
use app::error::Wording;
use app::{
    areas::{accounts::types::OrgSummary, audit::event::AuditEvent},
    core::ids::{GroupId, InvitationId, OrgId, TokenId, UserId},
    policy::Binding,
    server::store::{
        AcceptanceStore, Acceptor, InvitationRecord, MemberUser, StoreError, StoreResult,
    },
};
use async_trait::async_trait;

/// An invitation and its organization as `invitation_by_token` reads them.
#[derive(sqlx::FromRow)]
struct LinkRow {
    id: Id,
    email: String,
    status: String,
    invited_by_name: String,
    expires_at: i64,
    invited_by: Option<Id>,
    invited_by_token: Option<Id>,
    closed_reason: Option<String>,
    org_id: Id,
    slug: String,
    org_name: String,
    accounts: i64,
}

/// The invitation `accept_invitation` closed, as its `RETURNING id, org_id, email` reads it.
#[derive(sqlx::FromRow)]
struct AcceptedRow {
    id: Id,
    org_id: Id,
    email: String,
}

#[async_trait]
impl AcceptanceStore for Database {
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
        let i: LinkRow = r.decode()?;
        Ok(Some(InvitationRecord {
            id: InvitationId(i.id.0),
            org: OrgSummary {
                id: OrgId(i.org_id.0),
                slug: i.slug,
                name: i.org_name,
            },
            email: i.email,
            // Expiry is judged by the caller's clock, which it passes to accept.
            status: shown_status(&i.status, i.expires_at, i64::MIN)?,
            invited_by: i.invited_by_name,
            sender: i.invited_by.map(|id| UserId(id.0)),
            sender_token: i.invited_by_token.map(|id| TokenId(id.0)),
            closed_reason: i.closed_reason,
            expires_at: i.expires_at,
            account_exists: i.accounts > 0,
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
            return Err(closed(r.decode::<StatusRow>()?.shown(now)?));
        };
        let accepted: AcceptedRow = row.decode()?;
        let id = InvitationId(accepted.id.0);
        let org = OrgId(accepted.org_id.0);
        let email = accepted.email;
        let user = match acceptor {
            Acceptor::New(u) => {
                if u.email != email {
                    return Err(StoreError::invalid(
                        "email",
                        Wording::new("field_invitation_for").with("email", &email),
                    ));
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
                    return Err(StoreError::conflict(
                        "invitation_other_account",
                        Wording::new("invitation_other_account").with("email", &email),
                    ));
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
        let summary = query("SELECT id, slug, name FROM organizations WHERE id = $1")
            .bind(Ids::bind(org.0))
            .fetch_one(&mut tx)
            .await
            .map_err(db_error)?;
        let org_summary = org_from_row(&summary)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)?;
        Ok((org_summary, user_id))
    }
}
