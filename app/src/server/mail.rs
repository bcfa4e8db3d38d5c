//! Outgoing mail: the messages Gatehouse writes, and the `Mailer` the entry crate supplies
//! (SMTP, or a folder of `.eml` files). Messages are queued in the store's outbox in the same
//! transaction as what they announce; a worker in the entry crate hands them to the mailer.

use crate::{
    areas::accounts::types::Language,
    core::{ids::OrgId, time::utc_minute},
    error::StoreResult,
    i18n::td_string,
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
    /// The language the message is written in (see [`invitation_language`]).
    pub language: Language,
}

/// The language of mail about an organization to `recipient`: their own choice when they have
/// an account and made one, else the organization's default, else English.
pub fn invitation_language(recipient: Option<Language>, org_default: Option<Language>) -> Language {
    recipient.or(org_default).unwrap_or_default()
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

/// "in 3 days", "in 5 hours": how long a link works, in `language`.
fn within(language: Language, hours: u32) -> String {
    let locale = language.locale();
    if hours.is_multiple_of(24) && hours >= 48 {
        td_string!(locale, common.in_days, count = hours / 24).to_string()
    } else {
        td_string!(locale, common.in_hours, count = hours).to_string()
    }
}

/// The invitation message, with plain-text and HTML parts, in `m.language`.
pub fn invitation(m: &InvitationMail<'_>) -> OutgoingMail {
    let locale = m.language.locale();
    let expires = utc_minute(m.expires_at);
    let within = within(m.language, m.lifetime_hours);
    let (inviter, org_name) = (m.inviter, m.org_name);
    let (subject, lead, action, howto) = match m.kind {
        InvitationKind::NewAccount => (
            td_string!(locale, mail.invitation_new_subject, inviter, org_name).to_string(),
            td_string!(locale, mail.invitation_new_lead, inviter, org_name).to_string(),
            td_string!(locale, mail.invitation_new_action).to_string(),
            td_string!(locale, mail.invitation_new_howto).to_string(),
        ),
        InvitationKind::ExistingAccount => (
            td_string!(locale, mail.invitation_existing_subject, org_name).to_string(),
            td_string!(locale, mail.invitation_existing_lead, inviter, org_name).to_string(),
            td_string!(locale, mail.invitation_existing_action).to_string(),
            td_string!(locale, mail.invitation_existing_howto).to_string(),
        ),
    };
    let expiry = td_string!(locale, mail.link_expires, expires, within).to_string();
    let ignore = td_string!(locale, mail.invitation_ignore).to_string();
    let paste = td_string!(locale, mail.paste_link, link = m.link).to_string();
    let text = format!(
        "{lead}\n\n{howto}\n\n{action}: {link}\n\n{expiry}\n{ignore}\n",
        link = m.link,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><body style=\"font-family: sans-serif; line-height: 1.5\">\n\
         <p>{lead}</p>\n<p>{howto}</p>\n\
         <p><a href=\"{link}\" style=\"display: inline-block; padding: 8px 16px; background: #1d4ed8; color: #fff; \
         text-decoration: none; border-radius: 4px\">{action}</a></p>\n\
         <p>{paste}</p>\n\
         <p>{expiry}<br>\n\
         {ignore}</p>\n\
         </body></html>\n",
        lang = m.language.as_str(),
        lead = escape_html(&lead),
        howto = escape_html(&howto),
        link = escape_html(m.link),
        action = escape_html(&action),
        paste = escape_html(&paste),
        expiry = escape_html(&expiry),
        ignore = escape_html(&ignore),
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
    /// The language the message is written in.
    pub language: Language,
}

/// A message with one button, in plain text and HTML.
fn with_button(
    to: &str,
    language: Language,
    subject: String,
    lead: &str,
    action: &str,
    link: &str,
    tail: &str,
) -> OutgoingMail {
    let paste = td_string!(language.locale(), mail.paste_link, link).to_string();
    let text = format!("{lead}\n\n{action}: {link}\n\n{tail}\n");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><body style=\"font-family: sans-serif; line-height: 1.5\">\n\
         <p>{lead}</p>\n\
         <p><a href=\"{link}\" style=\"display: inline-block; padding: 8px 16px; background: #1d4ed8; color: #fff; \
         text-decoration: none; border-radius: 4px\">{action}</a></p>\n\
         <p>{paste}</p>\n\
         <p>{tail}</p>\n\
         </body></html>\n",
        lang = language.as_str(),
        lead = escape_html(lead),
        link = escape_html(link),
        action = escape_html(action),
        paste = escape_html(&paste),
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
    let locale = m.language.locale();
    let org_name = m.org_name;
    let expires = utc_minute(m.expires_at);
    let within = within(m.language, m.lifetime_hours);
    with_button(
        m.to,
        m.language,
        td_string!(locale, mail.signup_confirm_subject, org_name).to_string(),
        &td_string!(locale, mail.signup_confirm_lead, org_name).to_string(),
        td_string!(locale, mail.signup_confirm_action),
        m.link,
        &td_string!(locale, mail.signup_confirm_tail, expires, within).to_string(),
    )
}

/// The answer to a sign-up with an address that already has an account: nothing was created,
/// and the person is pointed to signing in (where they can found the organization).
pub fn signup_existing_account(m: &SignUpMail<'_>) -> OutgoingMail {
    let locale = m.language.locale();
    let org_name = m.org_name;
    with_button(
        m.to,
        m.language,
        td_string!(locale, mail.signup_existing_subject).to_string(),
        &td_string!(locale, mail.signup_existing_lead, org_name).to_string(),
        td_string!(locale, mail.signup_existing_action),
        m.link,
        td_string!(locale, mail.signup_existing_tail),
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
        mail_in(kind, Language::En)
    }

    fn mail_in(kind: InvitationKind, language: Language) -> OutgoingMail {
        invitation(&InvitationMail {
            kind,
            to: "new@example.com",
            org: crate::core::ids::OrgId::new(),
            org_name: "Acme <Corp>",
            inviter: "Ada Lovelace",
            link: "https://gatehouse.example/invite/abc",
            expires_at: 1_795_370_520_000,
            lifetime_hours: 72,
            language,
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
            language: Language::En,
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
    fn the_english_text_is_as_it_was() {
        let m = mail(InvitationKind::NewAccount);
        assert_eq!(
            m.text,
            "Ada Lovelace has invited you to join Acme <Corp>.\n\n\
             Open the link to choose your name and password; you become a member at once.\n\n\
             Accept the invitation: https://gatehouse.example/invite/abc\n\n\
             The link works once and expires on 2026-11-22 18:02 UTC (in 3 days).\n\
             If you did not expect this message, ignore it; nothing happens unless you open the link.\n"
        );
        assert!(m.html.contains(
            "<p>Or paste this address into your browser: https://gatehouse.example/invite/abc</p>"
        ));
        let one_hour = invitation(&InvitationMail {
            lifetime_hours: 1,
            ..InvitationMail {
                kind: InvitationKind::ExistingAccount,
                to: "a@example.com",
                org: crate::core::ids::OrgId::new(),
                org_name: "Acme",
                inviter: "Ada",
                link: "https://gatehouse.example/invite/abc",
                expires_at: 1_795_370_520_000,
                lifetime_hours: 0,
                language: Language::En,
            }
        });
        assert!(one_hour.text.contains("(in 1 hour)"), "{}", one_hour.text);
    }

    #[test]
    fn invitations_are_written_in_the_chosen_language() {
        let de = mail_in(InvitationKind::NewAccount, Language::De);
        assert_eq!(
            de.subject,
            "Ada Lovelace hat Sie zu Acme <Corp> auf Gatehouse eingeladen"
        );
        assert!(
            de.text
                .contains("Einladung annehmen: https://gatehouse.example/invite/abc")
        );
        assert!(de.text.contains("am 2026-11-22 18:02 UTC ab (in 3 Tagen)"));
        assert!(de.html.contains("Acme &lt;Corp&gt;") && !de.html.contains("<Corp>"));
        assert!(de.html.contains("<html lang=\"de\">"));
        let ru = mail_in(InvitationKind::ExistingAccount, Language::Ru);
        assert_eq!(ru.subject, "Вам предоставлен доступ к Acme <Corp>");
        assert!(ru.text.contains("через 3 дня"), "{}", ru.text);
        let zh = mail_in(InvitationKind::NewAccount, Language::Zh);
        assert!(zh.text.contains("接受邀请"), "{}", zh.text);
        assert!(zh.html.contains("Acme &lt;Corp&gt;"));
    }

    #[test]
    fn the_recipient_s_language_comes_before_the_organization_s() {
        use Language::*;
        assert_eq!(invitation_language(Some(Ru), Some(De)), Ru);
        assert_eq!(invitation_language(None, Some(De)), De);
        assert_eq!(invitation_language(None, None), En);
    }

    #[test]
    fn sign_up_messages_follow_their_language() {
        let m = SignUpMail {
            to: "grace@example.com",
            org_name: "Beta <Labs>",
            link: "https://gatehouse.example/signup/confirm/abc",
            expires_at: 1_795_370_520_000,
            lifetime_hours: 24,
            language: Language::Ru,
        };
        let confirm = signup_confirmation(&m);
        assert_eq!(
            confirm.subject,
            "Подтвердите адрес электронной почты, чтобы создать Beta <Labs> в Gatehouse"
        );
        assert!(
            confirm.text.contains("через 24 часа") && confirm.text.contains("2026-11-22 18:02 UTC")
        );
        assert!(confirm.html.contains("Beta &lt;Labs&gt;") && !confirm.html.contains("<Labs>"));
        let known = signup_existing_account(&SignUpMail {
            language: Language::De,
            ..m
        });
        assert_eq!(known.subject, "Sie haben bereits ein Gatehouse-Konto");
        assert!(
            known
                .text
                .contains("Anmelden: https://gatehouse.example/signup/confirm/abc")
        );
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
