//! What the store keeps for an organization itself: its settings.

use crate::policy::Authorized;
use crate::{areas::audit::event::AuditEvent, error::StoreResult};
use async_trait::async_trait;

use crate::model::{OrgId, OrgSettings};

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
