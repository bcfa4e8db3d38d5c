//! The sender's authority: an invitation carries it, and it is checked again when the
//! invitation is accepted (a sender who lost it by then grants nothing).

use crate::{
    areas::{
        accounts::types::Language,
        audit::event::{AuditActor, AuditEvent, AuditTarget},
        organizations::types::OrgSettings,
        shared::{check_grantable, group_grants, role_permissions},
        tokens::types::TokenStatus,
    },
    core::{
        ids::{InvitationId, TokenId, UserId},
        kinds::{MembershipStatus, TokenKind},
    },
    error::AppError,
    policy::{Actor, Binding, PermissionSet, Principal},
    server::{
        AppState, RequestCtx,
        caller::Caller,
        mail::{InvitationKind, invitation_language},
        store::InvitationRecord,
    },
};
use serde_json::json;

/// The name an invitation shows as its sender.
pub(crate) async fn sender_name(state: &AppState, caller: &Caller) -> Result<String, AppError> {
    Ok(match caller.principal.actor() {
        Actor::User(id) | Actor::UserToken { owner: id, .. } => state
            .store
            .session_view(*id)
            .await?
            .map(|v| v.name)
            .unwrap_or_else(|| caller.label.clone()),
        // The token's own name ("Provisioning"), as a person's name is shown: the label
        // (`token “…” …abcd`) is English and belongs in the audit log.
        Actor::OrganizationToken { token } => state
            .store
            .token(caller.principal.org(), *token, state.now())
            .await?
            .map(|t| t.name)
            .unwrap_or_else(|| caller.label.clone()),
    })
}

pub(crate) fn sender_id(caller: &Caller) -> Option<UserId> {
    caller.principal.acting_user()
}

/// The token a caller acts through, if any: an invitation it sends carries that token's
/// authority (for a user token: its role within what its owner may do then).
pub(crate) fn sender_token(caller: &Caller) -> Option<TokenId> {
    match caller.principal.actor() {
        Actor::User(_) => None,
        Actor::UserToken { token, .. } | Actor::OrganizationToken { token } => Some(*token),
    }
}

/// Why an invitation closes when its sender can no longer grant what it offers.
pub(crate) const SENDER_LACKS_AUTHORITY: &str =
    "Its sender can no longer grant this access; invite the person again";

pub(crate) fn no_longer_valid(org_name: &str) -> AppError {
    AppError::conflict(
        "invitation_no_longer_valid",
        crate::error::Wording::new("invitation_no_longer_valid").with("org", org_name),
    )
}

/// What an invitation gives, as rule 3 sees it: its bindings, and the roles its groups carry
/// now (a group's roles may have changed since it was sent).
pub(crate) async fn grants_of(
    state: &AppState,
    org: crate::core::ids::OrgId,
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
pub(crate) async fn sender_now(
    state: &AppState,
    rec: &InvitationRecord,
) -> Result<Option<Caller>, AppError> {
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
pub(crate) async fn sender_may_still_grant(
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
pub(crate) async fn require_sender_authority(
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

/// Which invitation message `email` gets, and in which language: theirs when they have an
/// account and chose one, else the organization's default, else English.
pub(crate) async fn recipient(
    state: &AppState,
    email: &str,
    settings: &OrgSettings,
) -> Result<(InvitationKind, Language), AppError> {
    Ok(match state.store.user_credentials(email).await? {
        Some(account) => (
            InvitationKind::ExistingAccount,
            invitation_language(account.language, settings.default_language),
        ),
        None => (
            InvitationKind::NewAccount,
            invitation_language(None, settings.default_language),
        ),
    })
}
