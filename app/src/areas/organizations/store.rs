//! What the store keeps for an organization itself: its settings.

use crate::{
    areas::{audit::event::AuditEvent, organizations::types::OrgSettings},
    core::ids::OrgId,
    error::StoreResult,
    policy::Authorized,
};
use async_trait::async_trait;

/// An organization's settings (limits, invitation lifetime, …).
#[async_trait]
pub trait SettingsStore: Send + Sync + 'static {
    async fn org_settings(&self, org: OrgId) -> StoreResult<OrgSettings>;
    async fn update_org_settings(
        &self,
        auth: &Authorized,
        settings: &OrgSettings,
        audit: AuditEvent,
    ) -> StoreResult<()>;
}
