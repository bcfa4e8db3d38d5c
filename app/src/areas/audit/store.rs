//! What the store keeps for the audit log: reading it (it is written only with the changes it records).

use crate::{areas::audit::event::AuditEvent, core::ids::OrgId, error::StoreResult};
use async_trait::async_trait;

/// Where an audit listing continues: after the event at (`at`, `id`), going back in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditKey {
    pub at: i64,
    pub id: crate::core::ids::AuditEventId,
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
