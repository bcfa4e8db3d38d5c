//! Accepting an invitation by its link: what the link page shows, and accepting it as a new
//! account or as a signed-in user.

use crate::{
    areas::{
        accounts::service::SignedIn,
        audit::event::{AuditActor, AuditEvent, AuditTarget},
        invitations::{
            sender::*,
            service::*,
            types::{InvitationStatus, InviteLink},
        },
    },
    core::{
        ids::UserId,
        validate::{DisplayName, Password},
    },
    error::{AppError, Wording},
    server::{
        AppState, RequestCtx, secrets as random,
        store::{Acceptor, InvitationRecord, NewUser},
    },
};
use serde_json::json;

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

pub(crate) fn shown(rec: &InvitationRecord, now: i64) -> InvitationStatus {
    match rec.status {
        InvitationStatus::Pending if rec.expires_at <= now => InvitationStatus::Expired,
        s => s,
    }
}

/// The error for a link that cannot be accepted, without touching anything.
pub(crate) fn link_error(status: InvitationStatus) -> AppError {
    AppError::coded(status.closed_reason().unwrap_or("invitation_open"))
}

/// Looks up an open invitation by link, throttled per client address and link.
pub(crate) async fn open_record(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
) -> Result<(InvitationRecord, String), AppError> {
    let hash = random::sha256_hex(token);
    let client = ctx.client_addr.as_deref().unwrap_or("unknown");
    if let Err(wait) = state.throttle.check(client, &format!("invitation:{hash}")) {
        return Err(AppError::rate_limited(
            Wording::new("rate_attempts").with("count", wait),
            wait,
        ));
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

pub(crate) fn accepted_event(
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
pub(crate) async fn expired_use(
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
            Wording::new("email_taken_invitation").with("email", &rec.email),
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
        return Err(AppError::field_worded(
            "form",
            Wording::new("field_form_unreadable"),
        ));
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
        .ok_or_else(|| AppError::unauthorized(Wording::new("unauthorized_accept")))?;
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
