//! Pending sign-ups (open sign-up): the confirmation link and the organization it creates.

use super::{
    Database,
    audit::insert_audit,
    db::{Ids, query, query_scalar},
    db_error,
    values::Id,
};
use app::{
    areas::{accounts::types::OrgSummary, audit::event::AuditEvent},
    server::store::{
        NewOrganization, NewSignUp, OutgoingMail, SignUpRecord, SignUpStore, StoreError,
        StoreResult,
    },
};
use async_trait::async_trait;

/// Why a sign-up link cannot be used (any more); the wording lives with the link's model.
pub(super) fn closed(used: bool) -> StoreError {
    StoreError::coded(app::areas::accounts::signup_types::SignUpLink::closed_reason(used))
}

/// A pending sign-up as `signup_by_token` reads it.
#[derive(sqlx::FromRow)]
struct SignUpRow {
    id: Id,
    email: String,
    name: String,
    org_name: String,
    password_hash: String,
    expires_at: i64,
    used_at: Option<i64>,
    accounts: i64,
}

#[async_trait]
impl SignUpStore for Database {
    async fn create_signup(
        &self,
        s: NewSignUp,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        query(
            "INSERT INTO signups (id, token_hash, email, name, org_name, password_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Ids::bind(s.id))
        .bind(&s.token_hash)
        .bind(&s.email)
        .bind(&s.name)
        .bind(&s.org_name)
        .bind(&s.password_hash)
        .bind(s.now)
        .bind(s.expires_at)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        Self::queue_mail(&mut tx, &mail, s.now).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn queue_notice(&self, mail: OutgoingMail, audit: AuditEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        Self::queue_mail(&mut tx, &mail, audit.at).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn signup_by_token(&self, token_hash: &str) -> StoreResult<Option<SignUpRecord>> {
        let Some(r) = query(
            "SELECT s.id, s.email, s.name, s.org_name, s.password_hash, s.expires_at, s.used_at, \
                    (SELECT count(*) FROM users u WHERE u.email = s.email) AS accounts \
             FROM signups s WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        else {
            return Ok(None);
        };
        let s: SignUpRow = r.decode()?;
        Ok(Some(SignUpRecord {
            id: s.id.0,
            email: s.email,
            name: s.name,
            org_name: s.org_name,
            password_hash: s.password_hash,
            expires_at: s.expires_at,
            used: s.used_at.is_some(),
            account_exists: s.accounts > 0,
        }))
    }

    async fn confirm_signup(
        &self,
        token_hash: &str,
        org: NewOrganization,
        audit: Vec<AuditEvent>,
    ) -> StoreResult<OrgSummary> {
        let mut tx = self.write_tx().await?;
        // Exactly once: of racing requests, only one finds the link unused. The password
        // hash has done its work once the account holds it.
        let n = query(
            "UPDATE signups SET used_at = $2, password_hash = '' \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(org.now)
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n != 1 {
            let used_at: Option<Option<i64>> =
                query_scalar("SELECT used_at FROM signups WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&mut tx)
                    .await
                    .map_err(db_error)?;
            return Err(match used_at {
                None => StoreError::NotFound,
                Some(used_at) => closed(used_at.is_some()),
            });
        }
        let created = super::accounts::insert_organization(&mut tx, org).await?;
        for event in &audit {
            insert_audit(&mut tx, event).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(created)
    }

    async fn delete_stale_signups(&self, cutoff: i64) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let n = query("DELETE FROM signups WHERE expires_at < $1")
            .bind(cutoff)
            .execute(&mut tx)
            .await
            .map_err(db_error)?
            .rows_affected();
        tx.commit().await.map_err(db_error)?;
        Ok(n)
    }
}
