//! The audit vocabulary: who acted, on what, what changed, from where. Events are written by
//! the store in the same transaction as the change they record, never updated or deleted.

use crate::{
    core::ids::{AuditEventId, OrgId, UserId},
    policy::Actor,
    server::RequestCtx,
};
use serde::{Deserialize, Serialize};

/// Who acted, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditActor {
    /// `user`, `token`, `system` or `anonymous`.
    pub kind: String,
    pub id: Option<String>,
    pub label: String,
}

impl AuditActor {
    pub fn user(id: UserId, label: &str) -> Self {
        AuditActor {
            kind: "user".into(),
            id: Some(id.to_string()),
            label: label.into(),
        }
    }

    pub fn anonymous() -> Self {
        AuditActor {
            kind: "anonymous".into(),
            id: None,
            label: "anonymous".into(),
        }
    }

    pub fn system() -> Self {
        AuditActor {
            kind: "system".into(),
            id: None,
            label: "system".into(),
        }
    }

    pub fn from_actor(actor: &Actor, label: &str) -> Self {
        match actor {
            Actor::User(id) => AuditActor::user(*id, label),
            Actor::UserToken { token, .. } | Actor::OrganizationToken { token } => AuditActor {
                kind: "token".into(),
                id: Some(token.to_string()),
                label: label.into(),
            },
        }
    }
}

/// The thing acted upon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditTarget {
    /// `organization`, `user`, `session`, …
    pub kind: String,
    pub id: Option<String>,
    pub label: String,
}

impl AuditTarget {
    pub fn new(kind: &str, id: Option<String>, label: &str) -> Self {
        AuditTarget {
            kind: kind.into(),
            id,
            label: label.into(),
        }
    }
}

/// One event, as written and as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: AuditEventId,
    /// `None` for installation-wide events such as sign-in.
    pub org: Option<OrgId>,
    pub actor: AuditActor,
    /// Dotted verb, e.g. `organization.created`, `user.signed_in`.
    pub action: String,
    pub target: AuditTarget,
    /// A summary of the target before the change.
    pub before: Option<serde_json::Value>,
    /// A summary of the target after the change.
    pub after: Option<serde_json::Value>,
    pub client_addr: Option<String>,
    /// Milliseconds since the Unix epoch, UTC.
    pub at: i64,
}

impl AuditEvent {
    pub fn new(
        org: Option<OrgId>,
        actor: AuditActor,
        action: &str,
        target: AuditTarget,
        ctx: &RequestCtx,
        at: i64,
    ) -> Self {
        AuditEvent {
            id: AuditEventId::new(),
            org,
            actor,
            action: action.into(),
            target,
            before: None,
            after: None,
            client_addr: ctx.client_addr.clone(),
            at,
        }
    }

    pub fn with_after(mut self, after: serde_json::Value) -> Self {
        self.after = Some(after);
        self
    }

    pub fn with_before(mut self, before: serde_json::Value) -> Self {
        self.before = Some(before);
        self
    }
}
