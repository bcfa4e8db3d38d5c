//! The storage boundary. One implementation per backend lives in the entry crate; every method
//! is a domain operation scoped to one organization where the data belongs to one.

use async_trait::async_trait;

use crate::{
    model::{MemberRow, MembershipStatus, OrgId, OrgSummary, SessionView, UserId},
    policy::ResolvedBinding,
};

use super::audit::NewAuditEvent;

/// What can go wrong in a store. Backend failures carry their source for the log only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

impl From<StoreError> for crate::error::AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { code, message } => {
                crate::error::AppError::conflict(code, message)
            }
            StoreError::NotFound => crate::error::AppError::NotFound,
            e @ StoreError::Backend(_) => crate::error::AppError::internal(&e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A new organization together with the person who becomes its first Admin.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub id: OrgId,
    pub name: String,
    /// The preferred slug; the store appends `-2`, `-3`, … when it is taken.
    pub slug: crate::model::OrgSlug,
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

/// What sign-in needs to know about an account.
#[derive(Clone)]
pub struct UserCredentials {
    pub id: UserId,
    pub password_hash: String,
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

/// A member's standing in one organization, with bindings resolved to permissions
/// (directly bound and through groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccess {
    pub status: MembershipStatus,
    pub bindings: Vec<ResolvedBinding>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Succeeds when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn organization_count(&self) -> StoreResult<i64>;

    /// Creates the organization, its first user and their Admin binding, with `audit`,
    /// in one transaction. Conflicts: `email_taken`, `not_first`.
    async fn create_organization(
        &self,
        org: NewOrganization,
        audit: NewAuditEvent,
    ) -> StoreResult<OrgSummary>;

    async fn user_credentials(&self, email: &str) -> StoreResult<Option<UserCredentials>>;

    /// Stores a session and the user's last sign-in time, with `audit`, in one transaction.
    async fn create_session(&self, session: NewSession, audit: NewAuditEvent) -> StoreResult<()>;

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;

    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()>;

    /// Ends a session, with `audit` when given, in one transaction.
    async fn delete_session(&self, id_hash: &str, audit: Option<NewAuditEvent>) -> StoreResult<()>;

    /// Deletes sessions that have expired; returns how many.
    async fn delete_expired_sessions(&self, idle_cutoff: i64, now: i64) -> StoreResult<u64>;

    /// Records an event that accompanies no other change (a failed sign-in).
    async fn record_audit(&self, event: NewAuditEvent) -> StoreResult<()>;

    /// The user and the organizations where their membership is active.
    async fn session_view(&self, user: UserId) -> StoreResult<Option<SessionView>>;

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<OrgSummary>>;

    /// `None` when the user has never been a member of `org`.
    async fn member_access(&self, org: OrgId, user: UserId) -> StoreResult<Option<MemberAccess>>;

    /// Members of `org` with `status`, alphabetically by name.
    async fn list_members(
        &self,
        org: OrgId,
        status: MembershipStatus,
    ) -> StoreResult<Vec<MemberRow>>;

    /// Audit events of `org` (or installation-wide ones when `None`), newest first.
    async fn audit_events(
        &self,
        org: Option<OrgId>,
        limit: i64,
    ) -> StoreResult<Vec<super::audit::AuditEvent>>;
}
