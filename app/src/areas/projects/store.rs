//! What the store keeps for projects.

use crate::{
    areas::{audit::event::AuditEvent, projects::types::Project},
    core::ids::{OrgId, ProjectId, UserId},
    error::StoreResult,
    policy::Authorized,
};
use async_trait::async_trait;

/// Projects: the scopes that roles can be bound at.
#[async_trait]
pub trait ProjectStore: Send + Sync + 'static {
    async fn projects(&self, org: OrgId) -> StoreResult<Vec<Project>>;
    async fn create_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        name: &str,
        owner: UserId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn rename_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        name: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_project(auth, id, Some(name), None, &[audit])
            .await
    }
    /// Renames a project, hands it to another active member, or both: one transaction with
    /// every one of `audit`'s events, or nothing at all.
    async fn change_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        name: Option<&str>,
        owner: Option<UserId>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    /// Deletes the project and the bindings at its scope.
    async fn delete_project(
        &self,
        auth: &Authorized,
        id: ProjectId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn change_project_owner(
        &self,
        auth: &Authorized,
        id: ProjectId,
        owner: UserId,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_project(auth, id, None, Some(owner), &[audit])
            .await
    }
}
