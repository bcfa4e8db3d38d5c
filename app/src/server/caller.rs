//! Who is acting in a request: the principal the policy judges, and the label its audit events
//! carry. Every area's services take one.

use crate::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    core::ids::OrgId,
    error::AppError,
    policy::{self, Authorized, Permission, Principal, Scope},
    server::{AppState, RequestCtx},
};

/// Who is acting, with the label their audit events carry (an email, a token's name).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub label: String,
}

impl Caller {
    pub(crate) fn actor(&self) -> AuditActor {
        AuditActor::from_actor(self.principal.actor(), &self.label)
    }

    pub(crate) fn require(&self, permission: Permission) -> Result<Authorized, AppError> {
        policy::require(&self.principal, permission, Scope::Organization)
    }
}

/// The audit event of a change `caller` makes in `org` now.
pub(crate) fn event(
    state: &AppState,
    ctx: &RequestCtx,
    caller: &Caller,
    org: OrgId,
    action: &str,
    target: AuditTarget,
) -> AuditEvent {
    AuditEvent::new(Some(org), caller.actor(), action, target, ctx, state.now())
}
