use crate::server::caller::Caller;
use crate::server::caller::event;
use crate::{
    areas::{
        accounts::{
            service::{authenticate, languages, person},
            types::{OrgSummary, SessionView},
        },
        audit::event::{AuditActor, AuditEvent, AuditTarget},
    },
    core::{
        ids::{OrgId, UserId},
        kinds::MembershipStatus,
        validate::OrgSlug,
    },
    error::{AppError, Wording},
    policy::{self, Principal, Scope},
    server::{
        AppState, RequestCtx,
        auth::cache::{AuthCache, CachedMembership},
        serverfns::request,
    },
};
use serde_json::json;

/// A signed-in member inside one organization: who they are (for the header), the
/// organization, and what they may do there.
#[derive(Debug, Clone)]
pub struct OrgContext {
    pub session: SessionView,
    pub org: OrgSummary,
    pub caller: Caller,
    /// When the request was served (pages show times relative to it).
    pub now: i64,
    /// Their own language, else the organization's default (`None`: the browser's).
    pub language: Option<crate::areas::accounts::types::Language>,
}

/// The signed-in user inside the organization `slug`. An organization they do not belong to
/// answers as one that does not exist (rule 5).
pub async fn org_context(
    state: &AppState,
    ctx: &RequestCtx,
    slug: &str,
) -> Result<OrgContext, AppError> {
    let signed_out = || AppError::unauthorized(Wording::new("unauthorized_sign_in"));
    let user = authenticate(state, ctx).await?.ok_or_else(signed_out)?;
    let session = person(state, user).await?.ok_or_else(signed_out)?;
    let key = AuthCache::member_key(user, Some(slug));
    let CachedMembership { org, access } = state
        .auth_cache
        .memberships
        .through(&*state.store, &key, || async {
            let Some(org) = state.store.organization_by_slug(slug).await? else {
                return Ok(None);
            };
            let access = state.store.member_access(org.id, user).await?;
            Ok(access.map(|access| CachedMembership { org, access }))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    match access.status {
        MembershipStatus::Active => {}
        MembershipStatus::Deactivated => {
            return Err(AppError::forbidden(
                Wording::new("forbidden_deactivated").with("org", &org.name),
            ));
        }
        MembershipStatus::Archived => return Err(AppError::NotFound),
    }
    let (own, default) = languages(state, user, Some(slug)).await?;
    let principal = Principal::member(user, org.id, access.status, access.bindings);
    let caller = Caller {
        principal,
        label: session.email.clone(),
    };
    Ok(OrgContext {
        now: state.clock.now_ms(),
        language: own.or(default),
        session,
        org,
        caller,
    })
}

/// The caller leaves the organization (rule 4 still holds). Needs no permission.
pub async fn leave(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    new_owner: Option<UserId>,
) -> Result<(), AppError> {
    let (auth, user) = policy::may_leave(&caller.principal)?;
    let org = auth.org();
    let audit = event(
        state,
        ctx,
        caller,
        org,
        "member.left",
        AuditTarget::new("user", Some(user.to_string()), &caller.label),
    )
    .with_after(json!({ "status": MembershipStatus::Archived, "projects_to": new_owner }));
    state
        .store
        .remove_member(&auth, user, new_owner, true, audit)
        .await?;
    Ok(())
}

/// A signed-in person founds another organization and becomes its Admin. Allowed to anyone
/// with open sign-up; otherwise to Admins of an organization (operators of this installation).
pub async fn create_organization(
    state: &AppState,
    ctx: &RequestCtx,
    user: UserId,
    label: &str,
    name: &str,
) -> Result<OrgSummary, AppError> {
    let name = crate::core::validate::OrgName::parse(name)
        .map_err(|w| AppError::field_worded("name", w))?;
    if !state.config.open_signup {
        let view = state
            .store
            .session_view(user)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut is_admin = false;
        for o in &view.organizations {
            if let Some(a) = state.store.member_access(o.id, user).await? {
                is_admin |= policy::is_full_admin(policy::effective_permissions(
                    a.status,
                    &a.bindings,
                    Scope::Organization,
                ));
            }
        }
        if !is_admin {
            return Err(AppError::forbidden(Wording::new("forbidden_create_org")));
        }
    }
    let slug = OrgSlug::from_name(name.as_str())
        .ok_or_else(|| AppError::field_worded("name", Wording::new("field_org_name_letter")))?;
    let id = OrgId::new();
    let audit = AuditEvent::new(
        Some(id),
        AuditActor::user(user, label),
        "organization.created",
        AuditTarget::new("organization", Some(id.to_string()), name.as_str()),
        ctx,
        state.now(),
    )
    .with_after(json!({ "name": name.as_str(), "admin": label }));
    Ok(state
        .store
        .create_organization_for(id, name.as_str(), &slug, user, state.now(), audit)
        .await?)
}

use crate::areas::organizations::types::OrgFrame;

/// The request, and the signed-in caller inside organization `org`.
pub async fn caller(org: &str) -> Result<(AppState, RequestCtx, OrgContext), AppError> {
    let (state, ctx) = request()?;
    let oc = crate::areas::organizations::service::org_context(&state, &ctx, org).await?;
    Ok((state, ctx, oc))
}

pub fn frame(oc: &OrgContext) -> OrgFrame {
    OrgFrame {
        session: oc.session.clone(),
        org: oc.org.clone(),
        permissions: oc.caller.principal.permissions_at(Scope::Organization),
        language: oc.language,
    }
}

use crate::{
    areas::organizations::types::OrgSettings, core::validate::OrgName, policy::Permission,
};

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
        .update_org_settings(&auth, &after, audit)
        .await?;
    Ok(after)
}
