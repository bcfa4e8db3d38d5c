//! Outgoing mail: the messages Gatehouse writes, and the `Mailer` the entry crate supplies
//! (SMTP, or a folder of `.eml` files). Messages are queued in the store's outbox in the same
//! transaction as what they announce; a worker in the entry crate hands them to the mailer.

use crate::{
    core::{ids::OrgId, time::utc_minute},
    error::StoreResult,
};
use async_trait::async_trait;

/// Delivers one message. An `Err` is retried later with backoff.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn deliver(&self, mail: &OutgoingMail) -> Result<(), String>;
}

/// Which invitation message: to someone without an account, or to a registered user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationKind {
    NewAccount,
    ExistingAccount,
}

/// What an invitation message says.
#[derive(Debug, Clone)]
pub struct InvitationMail<'a> {
    pub kind: InvitationKind,
    pub to: &'a str,
    pub org: crate::core::ids::OrgId,
    pub org_name: &'a str,
    pub inviter: &'a str,
    pub link: &'a str,
    pub expires_at: i64,
    pub lifetime_hours: u32,
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn lifetime(hours: u32) -> String {
    match hours {
        1 => "1 hour".into(),
        h if h % 24 == 0 && h >= 48 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}

/// The invitation message, with plain-text and HTML parts.
pub fn invitation(m: &InvitationMail<'_>) -> OutgoingMail {
    let expires = utc_minute(m.expires_at);
    let within = lifetime(m.lifetime_hours);
    let (subject, lead, action, howto) = match m.kind {
        InvitationKind::NewAccount => (
            format!("{} invited you to {} on Gatehouse", m.inviter, m.org_name),
            format!("{} has invited you to join {}.", m.inviter, m.org_name),
            "Accept the invitation",
            "Open the link to choose your name and password; you become a member at once.",
        ),
        InvitationKind::ExistingAccount => (
            format!("You have been given access to {}", m.org_name),
            format!(
                "{} has given you access to {}. You can use your existing Gatehouse account.",
                m.inviter, m.org_name
            ),
            "Accept and open the organization",
            "Open the link and sign in with your account to accept.",
        ),
    };
    let text = format!(
        "{lead}\n\n{howto}\n\n{action}: {link}\n\n\
         The link works once and expires on {expires} (in {within}).\n\
         If you did not expect this message, ignore it; nothing happens unless you open the link.\n",
        link = m.link,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; line-height: 1.5\">\n\
         <p>{lead}</p>\n<p>{howto}</p>\n\
         <p><a href=\"{link}\" style=\"display: inline-block; padding: 8px 16px; background: #1d4ed8; color: #fff; \
         text-decoration: none; border-radius: 4px\">{action}</a></p>\n\
         <p>Or paste this address into your browser: {link}</p>\n\
         <p>The link works once and expires on {expires} (in {within}).<br>\n\
         If you did not expect this message, ignore it; nothing happens unless you open the link.</p>\n\
         </body></html>\n",
        lead = escape_html(&lead),
        howto = escape_html(howto),
        link = escape_html(m.link),
        action = escape_html(action),
    );
    OutgoingMail {
        id: uuid::Uuid::now_v7(),
        org: Some(m.org),
        to: m.to.to_string(),
        subject,
        text,
        html,
        link: Some(m.link.to_string()),
    }
}

/// What a sign-up message is about: the organization someone asked to create with this address.
#[derive(Debug, Clone)]
pub struct SignUpMail<'a> {
    pub to: &'a str,
    pub org_name: &'a str,
    /// The confirmation link, or the sign-in page when the address has an account.
    pub link: &'a str,
    pub expires_at: i64,
    pub lifetime_hours: u32,
}

/// A message with one button, in plain text and HTML.
fn with_button(
    to: &str,
    subject: String,
    lead: &str,
    action: &str,
    link: &str,
    tail: &str,
) -> OutgoingMail {
    let text = format!("{lead}\n\n{action}: {link}\n\n{tail}\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; line-height: 1.5\">\n\
         <p>{lead}</p>\n\
         <p><a href=\"{link}\" style=\"display: inline-block; padding: 8px 16px; background: #1d4ed8; color: #fff; \
         text-decoration: none; border-radius: 4px\">{action}</a></p>\n\
         <p>Or paste this address into your browser: {link}</p>\n\
         <p>{tail}</p>\n\
         </body></html>\n",
        lead = escape_html(lead),
        link = escape_html(link),
        action = escape_html(action),
        tail = escape_html(tail),
    );
    OutgoingMail {
        id: uuid::Uuid::now_v7(),
        org: None,
        to: to.to_string(),
        subject,
        text,
        html,
        link: Some(link.to_string()),
    }
}

/// The link that confirms an open sign-up: following it creates the organization.
pub fn signup_confirmation(m: &SignUpMail<'_>) -> OutgoingMail {
    with_button(
        m.to,
        format!("Confirm your email to create {} on Gatehouse", m.org_name),
        &format!(
            "Someone, hopefully you, asked to create the organization {} on Gatehouse with this \
             email address. Open the link to confirm the address; the organization is created \
             then, with you as its administrator.",
            m.org_name
        ),
        "Confirm and create the organization",
        m.link,
        &format!(
            "The link works once and expires on {} (in {}). If you did not ask for this, ignore \
             this message; nothing is created unless the link is opened.",
            utc_minute(m.expires_at),
            lifetime(m.lifetime_hours)
        ),
    )
}

/// The answer to a sign-up with an address that already has an account: nothing was created,
/// and the person is pointed to signing in (where they can found the organization).
pub fn signup_existing_account(m: &SignUpMail<'_>) -> OutgoingMail {
    with_button(
        m.to,
        "You already have a Gatehouse account".to_string(),
        &format!(
            "Someone, hopefully you, asked to create the organization {} on Gatehouse with this \
             email address. This address already has an account, so no new one was made. Sign \
             in with it; then create the organization with New organization in the \
             Organizations menu.",
            m.org_name
        ),
        "Sign in",
        m.link,
        "If you have forgotten your password, ask an administrator of one of your \
         organizations for help. If you did not ask for this, ignore this message; nothing has \
         changed.",
    )
}

/// When to try a message again after `attempts` failed attempts, or `None` to give up.
pub fn retry_at(now: i64, attempts: u32) -> Option<i64> {
    const MAX_ATTEMPTS: u32 = 10;
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    // 5 s, 10 s, 20 s, … up to an hour.
    let delay_ms = 5_000_i64.saturating_mul(1 << attempts.saturating_sub(1).min(20));
    Some(now + delay_ms.min(3_600_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(kind: InvitationKind) -> OutgoingMail {
        invitation(&InvitationMail {
            kind,
            to: "new@example.com",
            org: crate::core::ids::OrgId::new(),
            org_name: "Acme <Corp>",
            inviter: "Ada Lovelace",
            link: "https://gatehouse.example/invite/abc",
            expires_at: 1_795_370_520_000,
            lifetime_hours: 72,
        })
    }

    #[test]
    fn says_who_invited_to_what_and_until_when() {
        let m = mail(InvitationKind::NewAccount);
        assert_eq!(
            m.subject,
            "Ada Lovelace invited you to Acme <Corp> on Gatehouse"
        );
        for part in [&m.text, &m.html] {
            assert!(part.contains("Ada Lovelace"));
            assert!(part.contains("https://gatehouse.example/invite/abc"));
            assert!(part.contains("2026-11-22 18:02 UTC"));
            assert!(part.contains("3 days"));
        }
        assert!(m.text.contains("Acme <Corp>"));
        assert!(m.html.contains("Acme &lt;Corp&gt;"), "HTML is escaped");
        assert!(!m.html.contains("<Corp>"));
    }

    #[test]
    fn registered_users_are_told_they_have_access() {
        let m = mail(InvitationKind::ExistingAccount);
        assert_eq!(m.subject, "You have been given access to Acme <Corp>");
        assert!(m.text.contains("existing Gatehouse account"));
    }

    #[test]
    fn sign_up_messages_name_the_organization_and_escape_it() {
        let m = SignUpMail {
            to: "grace@example.com",
            org_name: "Beta <Labs>",
            link: "https://gatehouse.example/signup/confirm/abc",
            expires_at: 1_795_370_520_000,
            lifetime_hours: 24,
        };
        let confirm = signup_confirmation(&m);
        assert_eq!(
            confirm.subject,
            "Confirm your email to create Beta <Labs> on Gatehouse"
        );
        assert!(
            confirm
                .text
                .contains("https://gatehouse.example/signup/confirm/abc")
        );
        assert!(confirm.text.contains("24 hours") && confirm.text.contains("2026-11-22 18:02 UTC"));
        assert!(confirm.html.contains("Beta &lt;Labs&gt;") && !confirm.html.contains("<Labs>"));
        assert_eq!(confirm.org, None, "no organization exists yet");
        let known = signup_existing_account(&m);
        assert_eq!(known.subject, "You already have a Gatehouse account");
        assert!(known.text.contains("no new one was made"));
    }

    #[test]
    fn retries_back_off_and_stop() {
        assert_eq!(retry_at(0, 1), Some(5_000));
        assert_eq!(retry_at(0, 2), Some(10_000));
        assert_eq!(retry_at(0, 9), Some(1_280_000));
        assert_eq!(retry_at(0, 10), None);
    }
}

/// A message to send, queued in the same transaction as what it announces.
#[derive(Clone)]
pub struct OutgoingMail {
    pub id: uuid::Uuid,
    pub org: Option<OrgId>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link the message is about (holds a secret: never logged except by the mail-folder
    /// mailer of a development setup).
    pub link: Option<String>,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("id", &self.id)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A queued message claimed for one delivery attempt.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub mail: OutgoingMail,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

/// The outbox: messages queued with what they announce, handed to the mailer by a worker.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Claims up to `limit` messages due at `now` for one attempt each; a claimed message is
    /// not due again before `lease_until` (so a node that dies mid-delivery loses nothing).
    async fn claim_mail(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> StoreResult<Vec<QueuedMail>>;
    /// Marks a message delivered (and forgets its bodies).
    async fn mail_sent(&self, id: uuid::Uuid, now: i64) -> StoreResult<()>;
    /// Records a failed attempt: try again at `retry_at`, or give up when `None`.
    async fn mail_failed(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> StoreResult<()>;
}
