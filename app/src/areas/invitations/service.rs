//! Invitations: invite (one or many), resend, withdraw, list, and accept by link; and the
//! organization settings that govern them.

use crate::{
    areas::{
        audit::event::AuditTarget,
        invitations::{
            sender::*,
            types::{
                BulkLine, BulkOutcome, BulkReport, InvitationListing, InvitationStatus,
                InviteRequest,
            },
        },
        shared::{bounded_access, check_grantable, group_grants},
    },
    core::{ids::InvitationId, language::Language, validate::Email},
    error::{AppError, Wording},
    policy::{Binding, Permission, RoleId},
    server::{
        AppState, RequestCtx,
        caller::{Caller, event},
        mail::{self, InvitationMail},
        secrets as random,
        store::{InvitationFilter, NewInvitation, NewLink},
    },
};
use serde_json::json;

use super::catalogue::Catalogue;

pub(crate) const HOUR_MS: i64 = 60 * 60 * 1000;

/// The link's secret: 256 random bits, URL-safe base64 (43 characters).
pub(crate) fn is_well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn link(state: &AppState, token: &str) -> String {
    format!("{}/invite/{token}", state.config.public_origin)
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
    let email = Email::parse(&req.email).map_err(|w| AppError::field_worded("email", w))?;
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
                return Err(AppError::field_worded(
                    "groups",
                    Wording::new("field_unknown_group").with("group", g),
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
    let (kind, language) = recipient(state, email.as_str(), &settings).await?;
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
        language,
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

/// Invites many addresses, one transaction each, and says what happened to every line, in
/// `language`. `default_role` applies to lines that name none.
pub async fn bulk_invite(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    default_role: RoleId,
    lines: Vec<BulkLine>,
    language: Language,
) -> Result<Vec<BulkReport>, AppError> {
    let auth = caller.require(Permission::MembersInvite)?;
    if lines.len() > crate::areas::invitations::types::BULK_CHUNK * 4 {
        return Err(AppError::field_worded(
            "lines",
            Wording::new("field_lines_many")
                .with("max", crate::areas::invitations::types::BULK_CHUNK * 4),
        ));
    }
    let catalogue = Catalogue::load(state, auth.org()).await?;
    let mut reports = Vec::with_capacity(lines.len());
    for line in lines {
        let say = |w: Wording| {
            AppError::field_worded("lines", w)
                .localized(language)
                .to_string()
        };
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
                say(Wording::new("field_unknown_role").with("role", &line.role)),
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
                say(Wording::new("field_unknown_group").with("group", &g)),
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
            // The outcome says it all.
            Ok(_) => report(BulkOutcome::Invited, String::new()),
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
                report(outcome, e.localized(language).to_string())
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
    let filter = InvitationFilter {
        status,
        open: false,
        after,
        limit,
    };
    list_by(state, caller, &filter).await
}

/// One page of the invitations still open (pending or expired: those an Admin may resend or
/// withdraw), newest first (`members.read`): the members page's Invited tab.
pub async fn list_open(
    state: &AppState,
    caller: &Caller,
    after: Option<InvitationId>,
    limit: u32,
) -> Result<InvitationListing, AppError> {
    let filter = InvitationFilter {
        status: None,
        open: true,
        after,
        limit,
    };
    list_by(state, caller, &filter).await
}

async fn list_by(
    state: &AppState,
    caller: &Caller,
    filter: &InvitationFilter,
) -> Result<InvitationListing, AppError> {
    let auth = caller.require(Permission::MembersRead)?;
    if !(1..=100).contains(&filter.limit) {
        return Err(AppError::field_worded(
            "limit",
            Wording::new("field_limit_range"),
        ));
    }
    Ok(state
        .store
        .list_invitations(auth.org(), filter, state.now())
        .await?)
}

/// One invitation (`members.read`).
pub async fn invitation(
    state: &AppState,
    caller: &Caller,
    id: InvitationId,
) -> Result<crate::areas::invitations::types::Invitation, AppError> {
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
    // Decided again: the person may have an account, or chosen a language, since.
    let (kind, language) = recipient(state, &before.email, &settings).await?;
    let message = mail::invitation(&InvitationMail {
        kind,
        to: &before.email,
        org: auth.org(),
        org_name: &settings.name,
        inviter: &sender,
        link: &url,
        expires_at,
        lifetime_hours: settings.invitation_lifetime_hours,
        language,
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
            &auth,
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
    let email = Email::parse(email).map_err(|w| AppError::field_worded("email", w))?;
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
        .withdraw_invitation(&auth, id, now, audit)
        .await?;
    Ok(())
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
