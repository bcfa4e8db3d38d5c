//! Accepting an invitation by its link: exactly once, also when requests race.

use super::{
    Database,
    audit::insert_audit,
    db::{Ids, lock_org, query, query_scalar},
    db_error,
    invitation_status::{closed, shown_status},
};
use app::{
    areas::{accounts::types::OrgSummary, audit::event::AuditEvent},
    core::ids::{GroupId, InvitationId, OrgId, UserId},
    policy::Binding,
    server::store::{
        AcceptanceStore, Acceptor, InvitationRecord, MemberUser, StoreError, StoreResult,
    },
};
use async_trait::async_trait;

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
            sender_token: Ids::get_opt(&r, "invited_by_token")?.map(app::core::ids::TokenId),
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
