//! The storage boundary. One implementation per backend lives in the entry crate; every method
//! is a domain operation scoped to one organization where the data belongs to one.

use async_trait::async_trait;

use crate::{
    model::{
        AccessToken, Binding, CustomRole, CustomRoleId, Group, GroupId, Invitation, InvitationId,
        InvitationListing, InvitationStatus, MemberRow, MembershipStatus, OrgId, OrgSettings,
        OrgSummary, Project, ProjectId, SessionView, TokenId, TokenKind, UserId,
    },
    policy::ResolvedBinding,
};

use super::audit_event::AuditEvent;

/// What can go wrong in a store. Backend failures carry their source for the log only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// Input that refers to something the organization does not have.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
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
            StoreError::Invalid { field, message } => crate::error::AppError::field(field, message),
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
    pub group: Option<crate::model::GroupId>,
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

/// The end of the range of strings that start with `prefix` (in byte order), so that a prefix
/// search is `col >= prefix AND col < prefix_end(prefix)` and can use an index.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Members, roles, groups and projects of one organization. Every write runs in one transaction
/// with its audit event; writes that can change who holds every permission are refused with
/// `last_admin` when no active Admin would remain (rule 4), decided inside that transaction.
/// One request's write to a group.
#[derive(Debug, Clone, Copy)]
pub enum GroupWrite<'a> {
    /// A new group with its role bindings.
    Create {
        name: &'a str,
        bindings: &'a [Binding],
    },
    /// What changes about an existing group; `None` keeps it.
    Change {
        name: Option<&'a str>,
        bindings: Option<&'a [Binding]>,
    },
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
        org: OrgId,
        user: UserId,
        bindings: &[Binding],
        groups: &[GroupId],
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_member_access(org, user, Some(bindings), Some(groups), audit)
            .await
    }

    /// Replaces the member's own bindings, groups, or both (`None` keeps what is there), in one
    /// transaction.
    async fn change_member_access(
        &self,
        org: OrgId,
        user: UserId,
        bindings: Option<&[Binding]>,
        groups: Option<&[GroupId]>,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// `Active` ↔ `Deactivated`. The person's sessions stay: they may serve other organizations.
    async fn set_member_status(
        &self,
        org: OrgId,
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
        org: OrgId,
        user: UserId,
        new_owner: Option<UserId>,
        revoke_tokens: bool,
        audit: AuditEvent,
    ) -> StoreResult<()>;
}

/// An organization's custom roles.
#[async_trait]
pub trait RoleStore: Send + Sync + 'static {
    async fn custom_roles(&self, org: OrgId) -> StoreResult<Vec<CustomRole>>;
    async fn create_custom_role(
        &self,
        org: OrgId,
        role: &CustomRole,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn update_custom_role(
        &self,
        org: OrgId,
        role: &CustomRole,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Refused with `role_in_use` (saying where) while anything is bound to it.
    async fn delete_custom_role(
        &self,
        org: OrgId,
        role: CustomRoleId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
}

/// Groups, their members and the roles they carry.
#[async_trait]
pub trait GroupStore: Send + Sync + 'static {
    async fn groups(&self, org: OrgId) -> StoreResult<Vec<Group>>;
    async fn create_group(
        &self,
        org: OrgId,
        id: GroupId,
        name: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.write_group(
            org,
            id,
            GroupWrite::Create {
                name,
                bindings: &[],
            },
            &[audit],
        )
        .await
    }
    async fn rename_group(
        &self,
        org: OrgId,
        id: GroupId,
        name: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let change = GroupWrite::Change {
            name: Some(name),
            bindings: None,
        };
        self.write_group(org, id, change, &[audit]).await
    }
    /// Creates a group with its bindings, or changes its name, bindings or both: one
    /// transaction with every one of `audit`'s events, or nothing at all.
    async fn write_group(
        &self,
        org: OrgId,
        id: GroupId,
        write: GroupWrite<'_>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn delete_group(&self, org: OrgId, id: GroupId, audit: AuditEvent) -> StoreResult<()>;
    async fn set_group_members(
        &self,
        org: OrgId,
        id: GroupId,
        members: &[UserId],
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Adds one member; `Ok(false)` when they were in the group already (nothing written).
    async fn add_group_member(
        &self,
        org: OrgId,
        id: GroupId,
        user: UserId,
        audit: AuditEvent,
    ) -> StoreResult<bool>;
    /// Removes one member; `Ok(false)` when they were not in the group (nothing written).
    async fn remove_group_member(
        &self,
        org: OrgId,
        id: GroupId,
        user: UserId,
        audit: AuditEvent,
    ) -> StoreResult<bool>;
    async fn set_group_bindings(
        &self,
        org: OrgId,
        id: GroupId,
        bindings: &[Binding],
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let change = GroupWrite::Change {
            name: None,
            bindings: Some(bindings),
        };
        self.write_group(org, id, change, &[audit]).await
    }
}

/// Projects: the scopes that roles can be bound at.
#[async_trait]
pub trait ProjectStore: Send + Sync + 'static {
    async fn projects(&self, org: OrgId) -> StoreResult<Vec<Project>>;
    async fn create_project(
        &self,
        org: OrgId,
        id: ProjectId,
        name: &str,
        owner: UserId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn rename_project(
        &self,
        org: OrgId,
        id: ProjectId,
        name: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_project(org, id, Some(name), None, &[audit])
            .await
    }
    /// Renames a project, hands it to another active member, or both: one transaction with
    /// every one of `audit`'s events, or nothing at all.
    async fn change_project(
        &self,
        org: OrgId,
        id: ProjectId,
        name: Option<&str>,
        owner: Option<UserId>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Deletes the project and the bindings at its scope.
    async fn delete_project(&self, org: OrgId, id: ProjectId, audit: AuditEvent)
    -> StoreResult<()>;
    async fn change_project_owner(
        &self,
        org: OrgId,
        id: ProjectId,
        owner: UserId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_project(org, id, None, Some(owner), &[audit])
            .await
    }
}

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
    /// What it grants, in words, for the list.
    pub grants: String,
    /// The person who invited (none for an organization token).
    pub invited_by: Option<UserId>,
    /// The token that invited, when a token did (its authority is checked at acceptance).
    pub invited_by_token: Option<crate::model::TokenId>,
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
    pub sent_by_token: Option<crate::model::TokenId>,
    pub sent_by_name: String,
    pub now: i64,
    pub expires_at: i64,
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

/// Which invitations to list: one status (or all), newest first, after a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationFilter {
    pub status: Option<InvitationStatus>,
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
    pub sender_token: Option<crate::model::TokenId>,
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

/// Invitations, organization settings and the mail outbox.
#[async_trait]
pub trait InvitationStore: Send + Sync + 'static {
    async fn org_settings(&self, org: OrgId) -> StoreResult<OrgSettings>;
    async fn update_org_settings(
        &self,
        org: OrgId,
        settings: &OrgSettings,
        audit: AuditEvent,
    ) -> StoreResult<()>;

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
        org: OrgId,
        id: InvitationId,
        link: NewLink,
        mail: OutgoingMail,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    async fn withdraw_invitation(
        &self,
        org: OrgId,
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

/// A new access token: its settings and the fingerprint of its secret.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: TokenId,
    pub org: OrgId,
    pub kind: TokenKind,
    pub name: String,
    pub role: crate::policy::RoleId,
    /// The user a user token acts for.
    pub owner: Option<UserId>,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub hash: String,
    pub last_four: String,
    pub now: i64,
    pub expires_at: Option<i64>,
}

/// A token found by its secret's hash: what authentication needs.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: TokenId,
    pub org: OrgSummary,
    pub kind: TokenKind,
    pub name: String,
    /// `None` when the token's role no longer exists.
    pub role_id: Option<crate::policy::RoleId>,
    pub owner: Option<UserId>,
    /// The owner's name and email address.
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    /// The permissions of the token's role (a role that no longer exists grants nothing).
    pub role: crate::policy::PermissionSet,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// Access tokens. The role of a token is its binding (principal type `token`).
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// Refused with `Invalid` when the role or the owner is not the organization's.
    async fn create_token(&self, token: NewToken, audit: AuditEvent) -> StoreResult<()>;
    /// The organization's tokens (only `owner`'s user tokens when given), newest first.
    async fn tokens(
        &self,
        org: OrgId,
        owner: Option<UserId>,
        now: i64,
    ) -> StoreResult<Vec<AccessToken>>;
    /// A user's own user tokens in every organization, by organization name, newest first.
    async fn user_tokens(
        &self,
        user: UserId,
        now: i64,
    ) -> StoreResult<Vec<(OrgSummary, AccessToken)>>;
    async fn token(&self, org: OrgId, id: TokenId, now: i64) -> StoreResult<Option<AccessToken>>;
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;
    /// A new secret for the same settings; the old one stops working at once.
    async fn regenerate_token(
        &self,
        org: OrgId,
        id: TokenId,
        hash: &str,
        last_four: &str,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn delete_token(&self, org: OrgId, id: TokenId, audit: AuditEvent) -> StoreResult<()>;
    /// Records a use (time and client address).
    async fn token_used(&self, id: TokenId, now: i64, addr: Option<&str>) -> StoreResult<()>;
}

/// Where an audit listing continues: after the event at (`at`, `id`), going back in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditKey {
    pub at: i64,
    pub id: crate::model::AuditEventId,
}

/// Which audit events to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor's id, or their label (an email, a token's name), case-insensitively.
    pub actor: Option<String>,
    /// An exact action (`member.invited`), or every action starting with `prefix`.
    pub action: Option<AuditAction>,
    /// The target's id, or its label, case-insensitively.
    pub target: Option<String>,
    /// From this time on (milliseconds, inclusive).
    pub since: Option<i64>,
    /// Before this time (milliseconds, exclusive).
    pub until: Option<i64>,
    pub after: Option<AuditKey>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditAction {
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// The key of the last event, when more follow.
    pub next: Option<AuditKey>,
    /// How many events match the filter, on all pages.
    pub total: i64,
}

/// Reading the audit log (it is written only together with the changes it records).
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    /// One page of `org`'s events matching `filter`, newest first; the total only when
    /// `with_total` (an export does not need it on every page).
    async fn audit_page(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        with_total: bool,
    ) -> StoreResult<AuditPage>;

    /// Audit events of `org` (or installation-wide ones when `None`), newest first.
    async fn audit_events(&self, org: Option<OrgId>, limit: i64) -> StoreResult<Vec<AuditEvent>>;

    /// Records an event that accompanies no other change (a failed sign-in).
    async fn record_audit(&self, event: AuditEvent) -> StoreResult<()>;
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

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<OrgSummary>>;

    async fn organization(&self, id: OrgId) -> StoreResult<Option<OrgSummary>>;

    /// Creates an organization whose first Admin is an existing user.
    async fn create_organization_for(
        &self,
        id: OrgId,
        name: &str,
        slug: &crate::model::OrgSlug,
        admin: UserId,
        now: i64,
        audit: AuditEvent,
    ) -> StoreResult<OrgSummary>;
}

/// Everything Gatehouse keeps, one trait per area.
pub trait Store:
    AccountStore
    + MemberStore
    + RoleStore
    + GroupStore
    + ProjectStore
    + InvitationStore
    + SignUpStore
    + TokenStore
    + AuditStore
{
    /// A number that changes whenever a committed write may have changed what authentication
    /// reads (tokens, memberships, role bindings, roles, users, organizations). Read before a
    /// lookup, it lets the lookup's result be reused for as long as it stays the same. `None`:
    /// this store cannot know about every write (another node may make it), so nothing may be
    /// reused. Recording a token's or a session's last use does not change it.
    fn generation(&self) -> Option<u64> {
        None
    }
}
