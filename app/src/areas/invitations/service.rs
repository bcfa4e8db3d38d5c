//! Invitations: invite (one or many), resend, withdraw, list, and accept by link; and the
//! organization settings that govern them.

use serde_json::json;

use crate::areas::accounts::service::SignedIn;
use crate::areas::audit::event::AuditActor;
use crate::areas::audit::event::AuditEvent;
use crate::areas::audit::event::AuditTarget;
use crate::areas::groups::service::group_grants;
use crate::areas::shared::bounded_access;
use crate::areas::shared::check_grantable;
use crate::areas::shared::role_permissions;
use crate::error::AppError;
use crate::model::Binding;
use crate::model::BulkLine;
use crate::model::BulkOutcome;
use crate::model::BulkReport;
use crate::model::CustomRole;
use crate::model::DisplayName;
use crate::model::Email;
use crate::model::Group;
use crate::model::GroupId;
use crate::model::InvitationId;
use crate::model::InvitationListing;
use crate::model::InvitationStatus;
use crate::model::InviteLink;
use crate::model::InviteRequest;
use crate::model::MembershipStatus;
use crate::model::OrgName;
use crate::model::OrgSettings;
use crate::model::Password;
use crate::model::Project;
use crate::model::TokenId;
use crate::model::TokenKind;
use crate::model::TokenStatus;
use crate::model::UserId;
use crate::policy::Actor;
use crate::policy::BuiltinRole;
use crate::policy::Permission;
use crate::policy::PermissionSet;
use crate::policy::Principal;
use crate::policy::RoleId;
use crate::server::AppState;
use crate::server::RequestCtx;
use crate::server::caller::Caller;
use crate::server::caller::event;
use crate::server::mail;
use crate::server::mail::InvitationKind;
use crate::server::mail::InvitationMail;
use crate::server::secrets as random;
use crate::server::store::Acceptor;
use crate::server::store::InvitationFilter;
use crate::server::store::InvitationRecord;
use crate::server::store::NewInvitation;
use crate::server::store::NewLink;
use crate::server::store::NewUser;

const HOUR_MS: i64 = 60 * 60 * 1000;

/// The link's secret: 256 random bits, URL-safe base64 (43 characters).
fn is_well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn link(state: &AppState, token: &str) -> String {
    format!("{}/invite/{token}", state.config.public_origin)
}

/// The name an invitation shows as its sender.
async fn sender_name(state: &AppState, caller: &Caller) -> Result<String, AppError> {
    Ok(match caller.principal.actor() {
        Actor::User(id) | Actor::UserToken { owner: id, .. } => state
            .store
            .session_view(*id)
            .await?
            .map(|v| v.name)
            .unwrap_or_else(|| caller.label.clone()),
        Actor::OrganizationToken { .. } => caller.label.clone(),
    })
}

fn sender_id(caller: &Caller) -> Option<UserId> {
    caller.principal.acting_user()
}

/// The token a caller acts through, if any: an invitation it sends carries that token's
/// authority (for a user token: its role within what its owner may do then).
fn sender_token(caller: &Caller) -> Option<TokenId> {
    match caller.principal.actor() {
        Actor::User(_) => None,
        Actor::UserToken { token, .. } | Actor::OrganizationToken { token } => Some(*token),
    }
}

/// Why an invitation closes when its sender can no longer grant what it offers.
const SENDER_LACKS_AUTHORITY: &str =
    "Its sender can no longer grant this access; invite the person again";

fn no_longer_valid(org_name: &str) -> AppError {
    AppError::conflict(
        "invitation_no_longer_valid",
        format!(
            "This invitation is no longer valid: whoever sent it can no longer grant this access. \
             Ask an administrator of {org_name} to invite you again."
        ),
    )
}

/// What an invitation gives, as rule 3 sees it: its bindings, and the roles its groups carry
/// now (a group's roles may have changed since it was sent).
async fn grants_of(
    state: &AppState,
    org: crate::model::OrgId,
    id: InvitationId,
) -> Result<Vec<Binding>, AppError> {
    let (mut grants, groups) = state
        .store
        .invitation_grants(org, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !groups.is_empty() {
        for g in state.store.groups(org).await? {
            if groups.contains(&g.id) {
                grants.extend(group_grants(&g));
            }
        }
    }
    Ok(grants)
}

/// The invitation's sender as it stands now: an active member, or a token that still works
/// (a user token within what its owner may do now). `None` when the sender is gone or
/// inactive.
async fn sender_now(state: &AppState, rec: &InvitationRecord) -> Result<Option<Caller>, AppError> {
    let org = rec.org.id;
    let label = rec.invited_by.clone();
    if let Some(token) = rec.sender_token {
        let Some(t) = state.store.token(org, token, state.now()).await? else {
            return Ok(None);
        };
        if t.status != TokenStatus::Active {
            return Ok(None);
        }
        let custom = state.store.custom_roles(org).await?;
        // A role that no longer exists grants nothing.
        let role = role_permissions(t.role, &custom).unwrap_or(PermissionSet::EMPTY);
        let principal = match (t.kind, t.owner) {
            (TokenKind::Organization, _) => Principal::organization_token(token, org, role),
            (TokenKind::User, Some(owner)) => {
                let Some(a) = state.store.member_access(org, owner.id).await? else {
                    return Ok(None);
                };
                Principal::user_token(token, owner.id, org, role, a.status, a.bindings)
            }
            (TokenKind::User, None) => return Ok(None),
        };
        return Ok(Some(Caller { principal, label }));
    }
    let Some(user) = rec.sender else {
        return Ok(None);
    };
    match state.store.member_access(org, user).await? {
        Some(a) if a.status == MembershipStatus::Active => Ok(Some(Caller {
            principal: Principal::member(user, org, a.status, a.bindings),
            label,
        })),
        _ => Ok(None),
    }
}

/// Rules 1 and 3 at the moment of acceptance: the sender is still active and still holds
/// every permission the invitation grants, at its scope.
async fn sender_may_still_grant(
    state: &AppState,
    rec: &InvitationRecord,
) -> Result<bool, AppError> {
    let Some(sender) = sender_now(state, rec).await? else {
        return Ok(false);
    };
    let grants = grants_of(state, rec.org.id, rec.id).await?;
    let custom = state.store.custom_roles(rec.org.id).await?;
    Ok(check_grantable(&sender, &grants, &custom).is_ok())
}

/// Refuses an open invitation whose sender can no longer grant it, and closes it with that
/// reason so the list says why; nothing is granted.
async fn require_sender_authority(
    state: &AppState,
    ctx: &RequestCtx,
    rec: &InvitationRecord,
) -> Result<(), AppError> {
    if sender_may_still_grant(state, rec).await? {
        return Ok(());
    }
    let audit = AuditEvent::new(
        Some(rec.org.id),
        AuditActor::system(),
        "invitation.invalidated",
        AuditTarget::new("invitation", Some(rec.id.to_string()), &rec.email),
        ctx,
        state.now(),
    )
    .with_after(json!({ "reason": SENDER_LACKS_AUTHORITY }));
    state
        .store
        .void_invitation(
            rec.org.id,
            rec.id,
            SENDER_LACKS_AUTHORITY,
            state.now(),
            audit,
        )
        .await?;
    Err(no_longer_valid(&rec.org.name))
}

/// The organization's roles, projects and groups, to check and name what an invitation grants.
struct Catalogue {
    roles: Vec<CustomRole>,
    projects: Vec<Project>,
    groups: Vec<Group>,
}

impl Catalogue {
    async fn load(state: &AppState, org: crate::model::OrgId) -> Result<Catalogue, AppError> {
        Ok(Catalogue {
            roles: state.store.custom_roles(org).await?,
            projects: state.store.projects(org).await?,
            groups: state.store.groups(org).await?,
        })
    }

    fn role_name(&self, role: RoleId) -> Option<String> {
        match role {
            RoleId::Builtin(b) => Some(b.name().to_string()),
            RoleId::Custom(id) => self
                .roles
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone()),
        }
    }

    /// A role by id or by name (case-insensitive), for bulk lines.
    fn find_role(&self, text: &str) -> Option<RoleId> {
        let t = text.trim();
        if let Ok(id) = t.parse::<RoleId>()
            && self.role_name(id).is_some()
        {
            return Some(id);
        }
        BuiltinRole::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(t))
            .map(RoleId::Builtin)
            .or_else(|| {
                self.roles
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(t))
                    .map(|r| RoleId::Custom(r.id))
            })
    }

    fn find_group(&self, text: &str) -> Option<GroupId> {
        let t = text.trim();
        self.groups
            .iter()
            .find(|g| g.id.to_string() == t || g.name.eq_ignore_ascii_case(t))
            .map(|g| g.id)
    }

    /// "Editor; Viewer on Apollo; groups: Ops" — what the list shows.
    fn describe(&self, bindings: &[Binding], groups: &[GroupId]) -> String {
        let mut parts: Vec<String> = bindings
            .iter()
            .map(|b| {
                let role = self.role_name(b.role).unwrap_or_else(|| b.role.to_string());
                match b.project {
                    None => role,
                    Some(p) => {
                        let project = self
                            .projects
                            .iter()
                            .find(|x| x.id == p)
                            .map_or_else(|| p.to_string(), |x| x.name.clone());
                        format!("{role} on {project}")
                    }
                }
            })
            .collect();
        let names: Vec<String> = groups
            .iter()
            .map(|g| {
                self.groups
                    .iter()
                    .find(|x| x.id == *g)
                    .map_or_else(|| g.to_string(), |x| x.name.clone())
            })
            .collect();
        if !names.is_empty() {
            parts.push(format!("groups: {}", names.join(", ")));
        }
        if parts.is_empty() {
            "no roles".into()
        } else {
            parts.join("; ")
        }
    }
}

/// Invites one address (`members.invite`; rule 3 for every role it grants, including those of
/// the groups it adds). The message is queued in the same transaction.
pub async fn invite(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    req: InviteRequest,
) -> Result<InvitationId, AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    let catalogue = Catalogue::load(state, auth.org()).await?;
    invite_with(state, ctx, caller, &catalogue, req).await
}

async fn invite_with(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    catalogue: &Catalogue,
    req: InviteRequest,
) -> Result<InvitationId, AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    let email = Email::parse(&req.email).map_err(|m| AppError::field("email", m))?;
    let (bindings, groups) = bounded_access(Some(req.bindings), Some(req.groups))?;
    let req = InviteRequest {
        bindings: bindings.unwrap_or_default(),
        groups: groups.unwrap_or_default(),
        ..req
    };
    check_grantable(caller, &req.bindings, &catalogue.roles)?;
    for g in &req.groups {
        match catalogue.groups.iter().find(|x| x.id == *g) {
            Some(group) => check_grantable(caller, &group_grants(group), &catalogue.roles)?,
            None => {
                return Err(AppError::field(
                    "groups",
                    format!("There is no group {g} in this organization"),
                ));
            }
        }
    }
    let settings = state.store.org_settings(auth.org()).await?;
    let now = state.now();
    let expires_at = now + i64::from(settings.invitation_lifetime_hours) * HOUR_MS;
    let token = random::secret_256();
    let url = link(state, &token);
    let inviter = sender_name(state, caller).await?;
    let kind = if state
        .store
        .user_credentials(email.as_str())
        .await?
        .is_some()
    {
        InvitationKind::ExistingAccount
    } else {
        InvitationKind::NewAccount
    };
    let id = InvitationId::new();
    let grants = catalogue.describe(&req.bindings, &req.groups);
    let message = mail::invitation(&InvitationMail {
        kind,
        to: email.as_str(),
        org: auth.org(),
        org_name: &settings.name,
        inviter: &inviter,
        link: &url,
        expires_at,
        lifetime_hours: settings.invitation_lifetime_hours,
    });
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "member.invited",
        AuditTarget::new("invitation", Some(id.to_string()), email.as_str()),
    )
    .with_after(json!({
        "email": email.as_str(),
        "bindings": req.bindings,
        "groups": req.groups,
        "expires_at": expires_at,
    }));
    state
        .store
        .create_invitation(
            NewInvitation {
                id,
                org: auth.org(),
                email: email.as_str().to_string(),
                token_hash: random::sha256_hex(&token),
                bindings: req.bindings,
                groups: req.groups,
                grants,
                invited_by: sender_id(caller),
                invited_by_token: sender_token(caller),
                invited_by_name: inviter,
                now,
                expires_at,
            },
            message,
            audit,
        )
        .await?;
    Ok(id)
}

/// Invites many addresses, one transaction each, and says what happened to every line.
/// `default_role` applies to lines that name none.
pub async fn bulk_invite(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    default_role: RoleId,
    lines: Vec<BulkLine>,
) -> Result<Vec<BulkReport>, AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    if lines.len() > crate::model::BULK_CHUNK * 4 {
        return Err(AppError::field(
            "lines",
            format!(
                "Send at most {} lines per request",
                crate::model::BULK_CHUNK * 4
            ),
        ));
    }
    let catalogue = Catalogue::load(state, auth.org()).await?;
    let mut reports = Vec::with_capacity(lines.len());
    for line in lines {
        let report = |outcome: BulkOutcome, message: String| BulkReport {
            line: line.line,
            email: line.email.clone(),
            outcome,
            message,
        };
        let role = if line.role.is_empty() {
            Some(default_role)
        } else {
            catalogue.find_role(&line.role)
        };
        let Some(role) = role else {
            reports.push(report(
                BulkOutcome::Invalid,
                format!("There is no role called “{}”", line.role),
            ));
            continue;
        };
        let mut groups = Vec::new();
        let mut unknown = None;
        for g in &line.groups {
            match catalogue.find_group(g) {
                Some(id) => groups.push(id),
                None => unknown = Some(g.clone()),
            }
        }
        if let Some(g) = unknown {
            reports.push(report(
                BulkOutcome::Invalid,
                format!("There is no group called “{g}”"),
            ));
            continue;
        }
        let req = InviteRequest {
            email: line.email.clone(),
            bindings: vec![Binding {
                role,
                project: None,
            }],
            groups,
        };
        let r = match invite_with(state, ctx, caller, &catalogue, req).await {
            Ok(_) => report(BulkOutcome::Invited, "Invitation sent".into()),
            Err(e) => {
                let outcome = match &e {
                    AppError::Conflict { code, .. } if code == "already_member" => {
                        BulkOutcome::AlreadyMember
                    }
                    AppError::Conflict { code, .. } if code == "already_invited" => {
                        BulkOutcome::AlreadyInvited
                    }
                    AppError::Conflict { code, .. } if code == "invitation_cap" => {
                        BulkOutcome::OverCap
                    }
                    AppError::Validation { .. } => BulkOutcome::Invalid,
                    AppError::Forbidden(_) => BulkOutcome::NotAllowed,
                    _ => return Err(e),
                };
                report(outcome, e.to_string())
            }
        };
        reports.push(r);
    }
    Ok(reports)
}

/// One page of invitations, newest first (`members.read`).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<InvitationStatus>,
    after: Option<InvitationId>,
    limit: u32,
) -> Result<InvitationListing, AppError> {
    let auth = caller.require(Permission::MembersRead)?;
    if !(1..=100).contains(&limit) {
        return Err(AppError::field("limit", "`limit` is between 1 and 100"));
    }
    let filter = InvitationFilter {
        status,
        after,
        limit,
    };
    Ok(state
        .store
        .list_invitations(auth.org(), &filter, state.now())
        .await?)
}

/// One invitation (`members.read`).
pub async fn invitation(
    state: &AppState,
    caller: &Caller,
    id: InvitationId,
) -> Result<crate::model::Invitation, AppError> {
    let auth = caller.require(Permission::MembersRead)?;
    state
        .store
        .invitation(auth.org(), id, state.now())
        .await?
        .ok_or(AppError::NotFound)
}

/// Sends a new link for an open invitation: the old link stops working and the lifetime
/// starts again (`members.invite`).
pub async fn resend(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: InvitationId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    let now = state.now();
    let before = state
        .store
        .invitation(auth.org(), id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    // Resending makes the caller its sender: rule 3 for everything it grants.
    let grants = grants_of(state, auth.org(), id).await?;
    let custom = state.store.custom_roles(auth.org()).await?;
    check_grantable(caller, &grants, &custom)?;
    let settings = state.store.org_settings(auth.org()).await?;
    let expires_at = now + i64::from(settings.invitation_lifetime_hours) * HOUR_MS;
    let token = random::secret_256();
    let url = link(state, &token);
    let sender = sender_name(state, caller).await?;
    let kind = if state.store.user_credentials(&before.email).await?.is_some() {
        InvitationKind::ExistingAccount
    } else {
        InvitationKind::NewAccount
    };
    let message = mail::invitation(&InvitationMail {
        kind,
        to: &before.email,
        org: auth.org(),
        org_name: &settings.name,
        inviter: &sender,
        link: &url,
        expires_at,
        lifetime_hours: settings.invitation_lifetime_hours,
    });
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "invitation.resent",
        AuditTarget::new("invitation", Some(id.to_string()), &before.email),
    )
    .with_before(json!({ "status": before.status, "expires_at": before.expires_at }))
    .with_after(json!({ "expires_at": expires_at }));
    state
        .store
        .resend_invitation(
            auth.org(),
            id,
            NewLink {
                token_hash: random::sha256_hex(&token),
                sent_by: sender_id(caller),
                sent_by_token: sender_token(caller),
                sent_by_name: sender,
                now,
                expires_at,
            },
            message,
            audit,
        )
        .await?;
    Ok(())
}

/// Resends the open invitation to `email` (the offer made when inviting it again).
pub async fn resend_to(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    email: &str,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    let open = state
        .store
        .open_invitation_for(auth.org(), email.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    resend(state, ctx, caller, open.id).await
}

/// Withdraws an open invitation: its link stops working (`members.invite`).
pub async fn withdraw(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    id: InvitationId,
) -> Result<(), AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    let now = state.now();
    let before = state
        .store
        .invitation(auth.org(), id, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "invitation.withdrawn",
        AuditTarget::new("invitation", Some(id.to_string()), &before.email),
    )
    .with_before(json!({ "status": before.status }));
    state
        .store
        .withdraw_invitation(auth.org(), id, now, audit)
        .await?;
    Ok(())
}

/// What the link `token` leads to, for `/invite/{token}`.
pub async fn link_state(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
) -> Result<InviteLink, AppError> {
    if !is_well_formed(token) {
        return Ok(InviteLink::Malformed);
    }
    let Some(rec) = state
        .store
        .invitation_by_token(&random::sha256_hex(token))
        .await?
    else {
        return Ok(InviteLink::Unknown);
    };
    Ok(match shown(&rec, state.now()) {
        InvitationStatus::Accepted => InviteLink::Used,
        InvitationStatus::Withdrawn if rec.closed_reason.is_some() => InviteLink::NoLongerValid {
            org_name: rec.org.name,
        },
        InvitationStatus::Withdrawn => InviteLink::Withdrawn,
        InvitationStatus::Pending if !sender_may_still_grant(state, &rec).await? => {
            InviteLink::NoLongerValid {
                org_name: rec.org.name,
            }
        }
        InvitationStatus::Expired => InviteLink::Expired {
            org_name: rec.org.name,
        },
        InvitationStatus::Pending => InviteLink::Open {
            org_name: rec.org.name,
            email: rec.email,
            invited_by: rec.invited_by,
            expires_at: rec.expires_at,
            account_exists: rec.account_exists,
            signed_in_as: crate::areas::accounts::service::session_view(state, ctx)
                .await?
                .map(|v| v.email),
        },
    })
}

fn shown(rec: &InvitationRecord, now: i64) -> InvitationStatus {
    match rec.status {
        InvitationStatus::Pending if rec.expires_at <= now => InvitationStatus::Expired,
        s => s,
    }
}

/// The error for a link that cannot be accepted, without touching anything.
fn link_error(status: InvitationStatus) -> AppError {
    let (code, message) = status
        .closed_reason()
        .unwrap_or(("invitation_open", "This invitation is still open"));
    AppError::conflict(code, message)
}

/// Looks up an open invitation by link, throttled per client address and link.
async fn open_record(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
) -> Result<(InvitationRecord, String), AppError> {
    let hash = random::sha256_hex(token);
    let client = ctx.client_addr.as_deref().unwrap_or("unknown");
    if let Err(wait) = state.throttle.check(client, &format!("invitation:{hash}")) {
        return Err(AppError::RateLimited {
            message: format!("Too many attempts. Wait {wait} seconds and try again."),
            retry_after_secs: wait,
        });
    }
    if !is_well_formed(token) {
        return Err(AppError::NotFound);
    }
    let rec = state
        .store
        .invitation_by_token(&hash)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((rec, hash))
}

fn accepted_event(
    state: &AppState,
    ctx: &RequestCtx,
    rec: &InvitationRecord,
    user: UserId,
    label: &str,
) -> AuditEvent {
    AuditEvent::new(
        Some(rec.org.id),
        AuditActor::user(user, label),
        "invitation.accepted",
        AuditTarget::new("invitation", Some(rec.id.to_string()), &rec.email),
        ctx,
        state.now(),
    )
    .with_after(json!({ "user": user, "email": rec.email }))
}

/// Records a try at an expired link (nothing else changes), then says it expired.
async fn expired_use(
    state: &AppState,
    ctx: &RequestCtx,
    rec: &InvitationRecord,
    e: AppError,
) -> AppError {
    if matches!(&e, AppError::Conflict { code, .. } if code == "invitation_expired") {
        let audit = AuditEvent::new(
            Some(rec.org.id),
            AuditActor::anonymous(),
            "invitation.expired_link_used",
            AuditTarget::new("invitation", Some(rec.id.to_string()), &rec.email),
            ctx,
            state.now(),
        )
        .with_before(json!({ "expires_at": rec.expires_at }));
        if let Err(err) = state.store.record_audit(audit).await {
            return err.into();
        }
    }
    e
}

/// Accepts an invitation by creating the account it was sent to (name and password), signs
/// the new member in and lands them in the organization.
pub async fn accept_new(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
    name: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    let (rec, hash) = open_record(state, ctx, token).await?;
    let status = shown(&rec, state.now());
    if status != InvitationStatus::Pending {
        return Err(expired_use(state, ctx, &rec, link_error(status)).await);
    }
    require_sender_authority(state, ctx, &rec).await?;
    if rec.account_exists {
        return Err(AppError::conflict(
            "email_taken",
            format!(
                "{} already has an account. Sign in to accept the invitation.",
                rec.email
            ),
        ));
    }
    let name = DisplayName::parse(name);
    let password = Password::parse_new(password);
    AppError::fields(
        [
            ("name", name.as_ref().err()),
            ("password", password.as_ref().err()),
        ]
        .into_iter()
        .filter_map(|(f, e)| e.map(|m| (f, m.clone())))
        .collect(),
    )?;
    let (Ok(name), Ok(password)) = (name, password) else {
        return Err(AppError::field("form", "The form could not be read"));
    };
    let password_hash = state.passwords.hash(password).await?;
    let user = UserId::new();
    let audit = accepted_event(state, ctx, &rec, user, &rec.email);
    let accepted = state
        .store
        .accept_invitation(
            &hash,
            Acceptor::New(NewUser {
                id: user,
                email: rec.email.clone(),
                name: name.as_str().to_string(),
                password_hash,
            }),
            state.now(),
            audit,
        )
        .await;
    let (org, user) = match accepted {
        Ok(done) => done,
        Err(e) => return Err(expired_use(state, ctx, &rec, e.into()).await),
    };
    let session_secret =
        crate::areas::accounts::service::start_session(state, ctx, user, &rec.email).await?;
    Ok(SignedIn {
        session_secret,
        landing: crate::areas::accounts::service::members_path(&org.slug),
    })
}

/// Accepts an invitation as the signed-in user, whose address must be the invited one.
/// Returns where to land.
pub async fn accept_existing(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
) -> Result<String, AppError> {
    let view = crate::areas::accounts::service::session_view(state, ctx)
        .await?
        .ok_or_else(|| AppError::Unauthorized("Sign in to accept the invitation".into()))?;
    let (rec, hash) = open_record(state, ctx, token).await?;
    let status = shown(&rec, state.now());
    if status != InvitationStatus::Pending {
        return Err(expired_use(state, ctx, &rec, link_error(status)).await);
    }
    require_sender_authority(state, ctx, &rec).await?;
    let audit = accepted_event(state, ctx, &rec, view.user_id, &view.email);
    let accepted = state
        .store
        .accept_invitation(&hash, Acceptor::Existing(view.user_id), state.now(), audit)
        .await;
    match accepted {
        Ok((org, _)) => Ok(crate::areas::accounts::service::members_path(&org.slug)),
        Err(e) => Err(expired_use(state, ctx, &rec, e.into()).await),
    }
}

/// The organization's settings (`org.manage`).
pub async fn settings(state: &AppState, caller: &Caller) -> Result<OrgSettings, AppError> {
    let auth = caller.require(Permission::OrgManage)?;
    Ok(state.store.org_settings(auth.org()).await?)
}

/// Changes the organization's name, invitation lifetime and limits (`org.manage`).
pub async fn update_settings(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    input: OrgSettings,
) -> Result<OrgSettings, AppError> {
    let auth = caller.require(Permission::OrgManage)?;
    let name = OrgName::parse(&input.name);
    let mut errors = input.check_limits();
    if let Err(m) = &name {
        errors.insert(0, ("name", m.clone()));
    }
    AppError::fields(errors)?;
    let before = state.store.org_settings(auth.org()).await?;
    let after = OrgSettings {
        name: name.map(|n| n.as_str().to_string()).unwrap_or_default(),
        ..input
    };
    let audit = event(
        state,
        ctx,
        caller,
        auth.org(),
        "organization.settings_changed",
        AuditTarget::new("organization", Some(auth.org().to_string()), &after.name),
    )
    .with_before(json!(before))
    .with_after(json!(after));
    state
        .store
        .update_org_settings(auth.org(), &after, audit)
        .await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_secrets_are_checked_before_any_lookup() {
        assert!(is_well_formed(&random::secret_256()));
        assert!(!is_well_formed("short"));
        assert!(!is_well_formed(&"a".repeat(44)));
        assert!(!is_well_formed(&format!("{}!", "a".repeat(42))));
    }
}
