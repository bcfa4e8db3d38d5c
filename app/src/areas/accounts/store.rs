//! What the store keeps for accounts: organizations, users, sessions, sign-in attempts and pending sign-ups.

use crate::{
    areas::{
        accounts::types::{OrgSummary, SessionView},
        audit::event::AuditEvent,
    },
    core::ids::{OrgId, UserId},
    error::StoreResult,
    server::mail::OutgoingMail,
};
use async_trait::async_trait;

/// A new organization together with the person who becomes its first Admin.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub id: OrgId,
    pub name: String,
    /// The preferred slug; the store appends `-2`, `-3`, … when it is taken.
    pub slug: crate::core::validate::OrgSlug,
    pub admin: NewUser,
    /// First-run sign-up: refuse if any organization exists already, decided in the write itself.
    pub only_if_first: bool,
    pub now: i64,
}

#[derive(Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// Who becomes a member: a new account or an existing user.
#[derive(Debug, Clone)]
pub enum MemberUser {
    New(NewUser),
    Existing(UserId),
}

/// What sign-in needs to know about an account.
#[derive(Clone)]
pub struct UserCredentials {
    pub id: UserId,
    pub password_hash: String,
    /// The interface language they chose, if they chose one (mail to them is written in it).
    pub language: Option<crate::areas::accounts::types::Language>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the secret, hex. The secret itself is never stored.
    pub id_hash: String,
    pub user_id: UserId,
    pub now: i64,
    pub expires_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// A sign-up waiting for its address to be confirmed (open sign-up): what the organization and
/// its first Admin will be made of, and the link's hash.
#[derive(Clone)]
pub struct NewSignUp {
    pub id: uuid::Uuid,
    pub token_hash: String,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub org_name: String,
    pub password_hash: String,
    pub now: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for NewSignUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSignUp")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("org_name", &self.org_name)
            .finish_non_exhaustive()
    }
}

/// A pending sign-up found by its link.
#[derive(Clone)]
pub struct SignUpRecord {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub org_name: String,
    /// Empty once the link has been used.
    pub password_hash: String,
    pub expires_at: i64,
    pub used: bool,
    /// Whether a user with the address exists (now).
    pub account_exists: bool,
}

impl std::fmt::Debug for SignUpRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("org_name", &self.org_name)
            .field("expires_at", &self.expires_at)
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

/// Open sign-up: nothing is created until the address is confirmed by a mailed link.
#[async_trait]
pub trait SignUpStore: Send + Sync + 'static {
    /// Stores the pending sign-up and queues its message, with `audit`, in one transaction.
    async fn create_signup(
        &self,
        signup: NewSignUp,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// Queues a message that accompanies no other change, with `audit`, in one transaction.
    async fn queue_notice(&self, mail: OutgoingMail, audit: AuditEvent) -> StoreResult<()>;

    async fn signup_by_token(&self, token_hash: &str) -> StoreResult<Option<SignUpRecord>>;

    /// Uses the link and creates `org` (its Admin from the sign-up), with `audit`, in one
    /// transaction, exactly once: of racing requests one wins and the others see `signup_used`.
    /// Other outcomes, with nothing written: `NotFound`, `signup_expired`, `email_taken`.
    async fn confirm_signup(
        &self,
        token_hash: &str,
        org: NewOrganization,
        audit: Vec<AuditEvent>,
    ) -> StoreResult<OrgSummary>;

    /// Forgets sign-ups whose links expired before `cutoff`; returns how many.
    async fn delete_stale_signups(&self, cutoff: i64) -> StoreResult<u64>;
}

/// One attempt at `key` in the fixed window that began at `window_start`, with a progressive
/// delay: the window's first `free` attempts go through at once, and after that each one has
/// to wait `step_ms` longer after the one before than that one had to.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub key: &'a str,
    pub window_start: i64,
    pub now: i64,
    pub free: i64,
    pub step_ms: i64,
}

/// What the window made of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Counted: the window's `n`th admitted attempt.
    Admitted(i64),
    /// Not counted: the window admits its next attempt at `until`.
    Delayed { until: i64 },
}

/// Organizations, accounts, sessions and sign-in attempts.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Succeeds when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn organization_count(&self) -> StoreResult<i64>;

    /// Creates the organization, its first user and their Admin binding, with `audit`,
    /// in one transaction. Conflicts: `email_taken`, `not_first`.
    async fn create_organization(
        &self,
        org: NewOrganization,
        audit: AuditEvent,
    ) -> StoreResult<OrgSummary>;

    async fn user_credentials(&self, email: &str) -> StoreResult<Option<UserCredentials>>;

    /// Stores a session and the user's last sign-in time, with `audit`, in one transaction.
    async fn create_session(&self, session: NewSession, audit: AuditEvent) -> StoreResult<()>;

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;

    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()>;

    /// Ends a session, with `audit` when given, in one transaction.
    async fn delete_session(&self, id_hash: &str, audit: Option<AuditEvent>) -> StoreResult<()>;

    /// Deletes sessions that have expired; returns how many.
    async fn delete_expired_sessions(&self, idle_cutoff: i64, now: i64) -> StoreResult<u64>;

    /// Counts `attempt` in its window, atomically across every server on the database, unless
    /// the window's delay has not yet passed. Leaves the generation as it is.
    async fn count_attempt(&self, attempt: Attempt<'_>) -> StoreResult<AttemptOutcome>;

    /// Forgets the attempt windows that began before `before`; returns how many.
    async fn delete_attempt_windows(&self, before: i64) -> StoreResult<u64>;

    /// The user and the organizations where their membership is active.
    async fn session_view(&self, user: UserId) -> StoreResult<Option<SessionView>>;

    /// Sets (or with `None` clears) the user's interface language, with `audit`.
    async fn set_language(
        &self,
        user: UserId,
        language: Option<crate::areas::accounts::types::Language>,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// The user's own interface language and an organization's default language: that of
    /// `org_slug` when it names an organization where their membership is active, or without
    /// one (a page outside any organization) the first of theirs, by name, that has one.
    async fn languages(
        &self,
        user: UserId,
        org_slug: Option<&str>,
    ) -> StoreResult<(
        Option<crate::areas::accounts::types::Language>,
        Option<crate::areas::accounts::types::Language>,
    )>;

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<OrgSummary>>;

    async fn organization(&self, id: OrgId) -> StoreResult<Option<OrgSummary>>;

    /// Creates an organization whose first Admin is an existing user.
    async fn create_organization_for(
        &self,
        id: OrgId,
        name: &str,
        slug: &crate::core::validate::OrgSlug,
        admin: UserId,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<OrgSummary>;
}
