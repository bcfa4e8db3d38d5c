//! What the store keeps for invitations, and the mail outbox that carries them.

use crate::{
    areas::{
        accounts::{store::NewUser, types::OrgSummary},
        audit::event::AuditEvent,
        invitations::types::{Invitation, InvitationListing, InvitationStatus},
    },
    core::ids::{GroupId, InvitationId, OrgId, UserId},
    error::StoreResult,
    policy::{Authorized, Binding},
    server::mail::OutgoingMail,
};
use async_trait::async_trait;

/// A new invitation: the link's hash, what it grants, and who sent it.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub id: InvitationId,
    pub org: OrgId,
    /// Lower-cased.
    pub email: String,
    pub token_hash: String,
    pub bindings: Vec<Binding>,
    pub groups: Vec<GroupId>,
    /// What it grants, by name, for the list.
    pub grants: crate::areas::invitations::types::InvitationGrants,
    /// The person who invited (none for an organization token).
    pub invited_by: Option<UserId>,
    /// The token that invited, when a token did (its authority is checked at acceptance).
    pub invited_by_token: Option<crate::core::ids::TokenId>,
    pub invited_by_name: String,
    pub now: i64,
    pub expires_at: i64,
}

/// A new link for an open invitation (resend).
#[derive(Debug, Clone)]
pub struct NewLink {
    pub token_hash: String,
    /// Whoever resends it becomes its sender, whose authority acceptance checks.
    pub sent_by: Option<UserId>,
    pub sent_by_token: Option<crate::core::ids::TokenId>,
    pub sent_by_name: String,
    pub now: i64,
    pub expires_at: i64,
}

/// Which invitations to list: one status (or all, or the open ones), newest first, after a
/// cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationFilter {
    pub status: Option<InvitationStatus>,
    /// Without a status: only those not accepted or withdrawn (pending and expired), as the
    /// members page's Invited tab shows them.
    pub open: bool,
    pub after: Option<InvitationId>,
    pub limit: u32,
}

/// An invitation found by its link.
#[derive(Debug, Clone)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub org: OrgSummary,
    pub email: String,
    pub status: InvitationStatus,
    pub invited_by: String,
    /// The sender whose authority the invitation carries: a person, or a token (then also its
    /// owner for a user token).
    pub sender: Option<UserId>,
    pub sender_token: Option<crate::core::ids::TokenId>,
    /// Why it was closed, when nobody withdrew it by hand.
    pub closed_reason: Option<String>,
    pub expires_at: i64,
    /// Whether a user with the invited address exists.
    pub account_exists: bool,
}

/// Who accepts an invitation: a new account, or the signed-in user with the invited address.
#[derive(Debug, Clone)]
pub enum Acceptor {
    New(NewUser),
    Existing(UserId),
}

/// Sending, listing, resending and withdrawing invitations.
#[async_trait]
pub trait InvitationStore: Send + Sync + 'static {
    /// Stores the invitation and its message. Refused (`Conflict`) when the address is a
    /// member (`already_member`), has an open invitation (`already_invited`), or the
    /// organization has as many pending invitations as it allows (`invitation_cap`) — decided
    /// inside the write, so racing invites cannot pass the limit.
    async fn create_invitation(
        &self,
        invitation: NewInvitation,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    async fn list_invitations(
        &self,
        org: OrgId,
        filter: &InvitationFilter,
        now: i64,
    ) -> StoreResult<InvitationListing>;

    async fn invitation(
        &self,
        org: OrgId,
        id: InvitationId,
        now: i64,
    ) -> StoreResult<Option<Invitation>>;

    /// The open invitation to `email`, if any.
    async fn open_invitation_for(&self, org: OrgId, email: &str)
    -> StoreResult<Option<Invitation>>;

    /// Replaces an open invitation's link (the old one stops working) and restarts its
    /// lifetime, with the new message. An expired invitation counts against the cap again.
    async fn resend_invitation(
        &self,
        auth: &Authorized,
        id: InvitationId,
        link: NewLink,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    async fn withdraw_invitation(
        &self,
        auth: &Authorized,
        id: InvitationId,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Closes an open invitation that can no longer be accepted (`reason` says why, for the
    /// list); `Ok(false)` when it was not open any more.
    async fn void_invitation(
        &self,
        org: OrgId,
        id: InvitationId,
        reason: &str,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<bool>;
    /// What an open invitation will give: its bindings and groups (`None` if unknown).
    async fn invitation_grants(
        &self,
        org: OrgId,
        id: InvitationId,
    ) -> StoreResult<Option<(Vec<Binding>, Vec<GroupId>)>>;
}

/// Accepting an invitation by its link.
#[async_trait]
pub trait AcceptanceStore: Send + Sync + 'static {
    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Option<InvitationRecord>>;

    /// Accepts the invitation exactly once (racing requests: one wins, the rest see
    /// `invitation_used`): the acceptor becomes an active member with what it grants.
    /// Other outcomes: `NotFound` (no such link), `invitation_withdrawn`, `invitation_expired`,
    /// `invitation_other_account` (an existing user whose address is not the invited one),
    /// `email_taken` (a new account for an address that has one).
    async fn accept_invitation(
        &self,
        token_hash: &str,
        acceptor: Acceptor,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<(OrgSummary, UserId)>;
}
