//! What the store keeps for custom roles.

use crate::{
    areas::{audit::event::AuditEvent, roles::types::CustomRole},
    core::ids::{CustomRoleId, OrgId},
    error::StoreResult,
    policy::Authorized,
};
use async_trait::async_trait;

/// An organization's custom roles.
#[async_trait]
pub trait RoleStore: Send + Sync + 'static {
    async fn custom_roles(&self, org: OrgId) -> StoreResult<Vec<CustomRole>>;
    async fn create_custom_role(
        &self,
        auth: &Authorized,
        role: &CustomRole,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn update_custom_role(
        &self,
        auth: &Authorized,
        role: &CustomRole,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Refused with `role_in_use` (saying where) while anything is bound to it.
    async fn delete_custom_role(
        &self,
        auth: &Authorized,
        role: CustomRoleId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
}
