//! What the store keeps for members: their access, the listing and its filters.

use crate::{
    areas::{accounts::store::MemberUser, audit::event::AuditEvent, members::types::MemberRow},
    core::{
        ids::{GroupId, OrgId, UserId},
        kinds::MembershipStatus,
    },
    error::StoreResult,
    policy::{Authorized, Binding, ResolvedBinding},
};
use async_trait::async_trait;

/// A member's standing in one organization, with bindings resolved to permissions
/// (directly bound and through groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccess {
    pub status: MembershipStatus,
    pub bindings: Vec<ResolvedBinding>,
}

/// Where a member sorts: lower-cased name, then id. Keyset pagination continues after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberKey {
    pub name_key: String,
    pub user_id: UserId,
}

/// What a member search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberSearch {
    /// Lower-cased; the start of the email address.
    EmailPrefix(String),
    /// Lower-cased; the start of the name, of a word in the name, or of the email address.
    Text(String),
    UserId(UserId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFilter {
    pub status: MembershipStatus,
    pub search: Option<MemberSearch>,
    pub role: Option<crate::policy::RoleId>,
    pub group: Option<crate::core::ids::GroupId>,
    pub two_factor: Option<bool>,
    pub after: Option<MemberKey>,
    pub limit: u32,
}

impl MemberFilter {
    /// No search and no filter besides the status (and the page position).
    pub fn is_unfiltered(&self) -> bool {
        self.search.is_none()
            && self.role.is_none()
            && self.group.is_none()
            && self.two_factor.is_none()
    }

    /// Filtered by a role and nothing else (its total is a kept counter).
    pub fn is_role_only(&self) -> bool {
        self.role.is_some()
            && self.search.is_none()
            && self.group.is_none()
            && self.two_factor.is_none()
    }

    pub fn all(status: MembershipStatus) -> Self {
        MemberFilter {
            status,
            search: None,
            role: None,
            group: None,
            two_factor: None,
            after: None,
            limit: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// The key of the last row, when more rows follow.
    pub next: Option<MemberKey>,
    /// How many members match the filter, on all pages.
    pub total: i64,
}

/// Members of an organization: their access, listing and lifecycle. References in the input
/// (roles, projects, groups, users) that are not the organization's answer `Invalid`, exactly as
/// ones that do not exist.
#[async_trait]
pub trait MemberStore: Send + Sync + 'static {
    /// `None` when the user has never been a member of `org`.
    async fn member_access(&self, org: OrgId, user: UserId) -> StoreResult<Option<MemberAccess>>;

    /// One page of `org`'s members matching `filter`, alphabetically by name, with the total.
    async fn list_members(&self, org: OrgId, filter: &MemberFilter) -> StoreResult<MemberPage>;

    async fn member_status(
        &self,
        org: OrgId,
        user: UserId,
    ) -> StoreResult<Option<MembershipStatus>>;

    /// Makes a person an active member with the given bindings and groups: a new account, or an
    /// existing user (whose archived membership, if any, starts afresh). Conflicts:
    /// `email_taken`, `already_member`.
    async fn add_member(
        &self,
        org: OrgId,
        user: MemberUser,
        bindings: &[Binding],
        groups: &[GroupId],
        audit: AuditEvent,
    ) -> StoreResult<UserId>;

    /// Replaces the member's own bindings and groups.
    async fn set_member_access(
        &self,
        auth: &Authorized,
        user: UserId,
        bindings: &[Binding],
        groups: &[GroupId],
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_member_access(auth, user, Some(bindings), Some(groups), audit)
            .await
    }

    /// Replaces the member's own bindings, groups, or both (`None` keeps what is there), in one
    /// transaction.
    async fn change_member_access(
        &self,
        auth: &Authorized,
        user: UserId,
        bindings: Option<&[Binding]>,
        groups: Option<&[GroupId]>,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// `Active` ↔ `Deactivated`. The person's sessions stay: they may serve other organizations.
    async fn set_member_status(
        &self,
        auth: &Authorized,
        user: UserId,
        status: MembershipStatus,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// Archives the membership, drops its bindings and groups, and hands the member's projects
    /// to `new_owner` (required when there are any). Refused with `has_tokens` while the member
    /// holds unexpired user tokens in the organization, unless `revoke_tokens`. The member's user
    /// tokens are kept, revoked for good, in the same transaction.
    async fn remove_member(
        &self,
        auth: &Authorized,
        user: UserId,
        new_owner: Option<UserId>,
        revoke_tokens: bool,
        audit: AuditEvent,
    ) -> StoreResult<()>;
}
