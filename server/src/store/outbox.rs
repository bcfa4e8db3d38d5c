//! The mail outbox: messages are queued in the transaction of what they announce; a worker
//! claims due ones for one attempt each, with a lease, and records the outcome.

use super::{
    Database,
    db::{Ids, query},
    db_error,
    values::Id,
};
use app::{
    core::ids::OrgId,
    server::{
        mail::{OutboxStore, OutgoingMail, QueuedMail},
        store::StoreResult,
    },
};
use async_trait::async_trait;

/// A claimed message as `claim_mail`'s `RETURNING` reads it.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    org_id: Option<Id>,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    link: Option<String>,
    attempts: i64,
}

#[async_trait]
impl OutboxStore for Database {
    async fn claim_mail(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> StoreResult<Vec<QueuedMail>> {
        let due: Vec<uuid::Uuid> = query(
            "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| Ids::get(r, "id"))
        .collect::<StoreResult<_>>()?;
        let mut claimed = Vec::new();
        for id in due {
            // Another node may have claimed it since: the condition decides.
            let mut tx = self.write_tx().await?;
            let row = query(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3 \
                 WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
                 RETURNING org_id, recipient, subject, text_body, html_body, link, CAST(attempts AS BIGINT) AS attempts",
            )
            .bind(Ids::bind(id))
            .bind(now)
            .bind(lease_until)
            .fetch_optional(&mut tx)
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            if let Some(r) = row {
                let m: ClaimedRow = r.decode()?;
                claimed.push(QueuedMail {
                    mail: OutgoingMail {
                        id,
                        org: m.org_id.map(|o| OrgId(o.0)),
                        to: m.recipient,
                        subject: m.subject,
                        text: m.text_body,
                        html: m.html_body,
                        link: m.link,
                    },
                    attempts: u32::try_from(m.attempts).unwrap_or(u32::MAX),
                });
            }
        }
        Ok(claimed)
    }

    async fn mail_sent(&self, id: uuid::Uuid, now: i64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        query(
            "UPDATE outbox SET sent_at = $2, text_body = '', html_body = '', link = NULL, last_error = NULL \
             WHERE id = $1",
        )
        .bind(Ids::bind(id))
        .bind(now)
        .execute(&mut tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn mail_failed(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let error: String = error.chars().take(1000).collect();
        let q = match retry_at {
            Some(at) => query("UPDATE outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1")
                .bind(Ids::bind(id))
                .bind(error)
                .bind(at),
            None => query(
                "UPDATE outbox SET last_error = $2, failed_at = $3, text_body = '', html_body = '', link = NULL \
                 WHERE id = $1",
            )
            .bind(Ids::bind(id))
            .bind(error)
            .bind(now),
        };
        q.execute(&mut tx).await.map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }
}
