//! Outgoing mail: the outbox worker and the two ways a message leaves — SMTP (lettre; implicit
//! TLS with `smtps://`, STARTTLS with `smtp://…?tls=required`) or, with no SMTP server set, an
//! `.eml` file in the mail folder (and the link in the log), for development and tests.

use app::server::{Clock, Store, mail::Mailer, store::OutgoingMail};
use async_trait::async_trait;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use std::{path::PathBuf, sync::Arc, time::Duration};

/// How long a claimed message stays invisible to other workers while it is being delivered.
const LEASE_MS: i64 = 120_000;
/// Messages claimed per round.
const BATCH: u32 = 20;

enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

/// Delivers by SMTP or into the mail folder.
pub struct LettreMailer {
    from: Mailbox,
    delivery: Delivery,
}

impl LettreMailer {
    /// SMTP when `smtp_url` is set, else the folder. The URL is checked here, at start.
    pub fn new(from: &str, smtp_url: Option<&str>, folder: PathBuf) -> Result<Self, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("GATEHOUSE_MAIL_FROM `{from}` is not a mail address: {e}"))?;
        let delivery = match smtp_url {
            Some(url) => Delivery::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        format!(
                            "GATEHOUSE_SMTP_URL `{}` cannot be used: {e}",
                            crate::store::redact_url(url)
                        )
                    })?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            None => Delivery::Folder(folder),
        };
        Ok(LettreMailer { from, delivery })
    }

    /// Where mail goes, for the start-up log.
    pub fn describe(&self) -> String {
        match &self.delivery {
            Delivery::Smtp(_) => "smtp".into(),
            Delivery::Folder(dir) => format!("folder {}", dir.display()),
        }
    }

    fn message(&self, mail: &OutgoingMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("recipient `{}`: {e}", mail.to))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@{}>", mail.id, self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| e.to_string())
    }
}

#[async_trait]
impl Mailer for LettreMailer {
    async fn deliver(&self, mail: &OutgoingMail) -> Result<(), String> {
        let message = self.message(mail)?;
        match &self.delivery {
            Delivery::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| format!("SMTP: {e}"))?;
                tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent");
            }
            Delivery::Folder(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                // Written whole under a temporary name, then renamed: readers never see half.
                let path = dir.join(format!("{}.eml", mail.id));
                let partial = dir.join(format!(".{}.eml.partial", mail.id));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    file = %path.display(),
                    link = mail.link.as_deref().unwrap_or("-"),
                    "mail written to the mail folder"
                );
            }
        }
        Ok(())
    }
}

/// Delivers what the outbox holds, forever: claims due messages, hands each to the mailer, and
/// marks it sent or schedules a retry with backoff (giving up after ten attempts).
pub fn spawn_outbox(
    store: Arc<dyn Store>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    poll: Duration,
) {
    tokio::spawn(async move {
        loop {
            let delivered = deliver_due(&*store, &*mailer, &*clock).await;
            if delivered < BATCH as usize {
                tokio::time::sleep(poll).await;
            }
        }
    });
}

/// One round of the outbox; returns how many messages it attempted.
pub async fn deliver_due(store: &dyn Store, mailer: &dyn Mailer, clock: &dyn Clock) -> usize {
    let now = clock.now_ms();
    let batch = match store.claim_mail(now, now + LEASE_MS, BATCH).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "reading the mail outbox failed");
            return 0;
        }
    };
    let n = batch.len();
    for queued in batch {
        let id = queued.mail.id;
        let result = mailer.deliver(&queued.mail).await;
        let now = clock.now_ms();
        let recorded = match result {
            Ok(()) => store.mail_sent(id, now).await,
            Err(error) => {
                let retry = app::server::mail::retry_at(now, queued.attempts);
                match retry {
                    Some(_) => {
                        tracing::warn!(%id, to = %queued.mail.to, attempt = queued.attempts, %error, "mail delivery failed; will retry")
                    }
                    None => {
                        tracing::error!(%id, to = %queued.mail.to, attempt = queued.attempts, %error, "mail delivery failed; giving up")
                    }
                }
                store.mail_failed(id, &error, retry, now).await
            }
        };
        if let Err(e) = recorded {
            tracing::warn!(%id, error = %e, "recording a delivery in the outbox failed");
        }
    }
    n
}
