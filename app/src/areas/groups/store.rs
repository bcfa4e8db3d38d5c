//! What the store keeps for groups.

use crate::{
    areas::{audit::event::AuditEvent, groups::types::Group},
    core::ids::{GroupId, OrgId, UserId},
    error::StoreResult,
    policy::{Authorized, Binding},
};
use async_trait::async_trait;

/// Members, roles, groups and projects of one organization. Every write runs in one transaction
/// with its audit event; writes that can change who holds every permission are refused with
/// `last_admin` when no active Admin would remain (rule 4), decided inside that transaction.
/// One request's write to a group.
#[derive(Debug, Clone, Copy)]
pub enum GroupWrite<'a> {
    /// A new group with its role bindings.
    Create {
        name: &'a str,
        bindings: &'a [Binding],
    },
    /// What changes about an existing group; `None` keeps it.
    Change {
        name: Option<&'a str>,
        bindings: Option<&'a [Binding]>,
    },
}

/// Groups, their members and the roles they carry.
#[async_trait]
pub trait GroupStore: Send + Sync + 'static {
    async fn groups(&self, org: OrgId) -> StoreResult<Vec<Group>>;
    async fn create_group(
        &self,
        auth: &Authorized,
        id: GroupId,
        name: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.write_group(
            auth,
            id,
            GroupWrite::Create {
                name,
                bindings: &[],
            },
            &[audit],
        )
        .await
    }
    async fn rename_group(
        &self,
        auth: &Authorized,
        id: GroupId,
        name: &str,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let change = GroupWrite::Change {
            name: Some(name),
            bindings: None,
        };
        self.write_group(auth, id, change, &[audit]).await
    }
    /// Creates a group with its bindings, or changes its name, bindings or both: one
    /// transaction with every one of `audit`'s events, or nothing at all.
    async fn write_group(
        &self,
        auth: &Authorized,
        id: GroupId,
        write: GroupWrite<'_>,
        audit: &[AuditEvent],
    ) -> StoreResult<()>;
    async fn delete_group(
        &self,
        auth: &Authorized,
        id: GroupId,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn set_group_members(
        &self,
        auth: &Authorized,
        id: GroupId,
        members: &[UserId],
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Adds one member; `Ok(false)` when they were in the group already (nothing written).
    async fn add_group_member(
        &self,
        auth: &Authorized,
        id: GroupId,
        user: UserId,
        audit: AuditEvent,
    ) -> StoreResult<bool>;
    /// Removes one member; `Ok(false)` when they were not in the group (nothing written).
    async fn remove_group_member(
        &self,
        auth: &Authorized,
        id: GroupId,
        user: UserId,
        audit: AuditEvent,
    ) -> StoreResult<bool>;
    async fn set_group_bindings(
        &self,
        auth: &Authorized,
        id: GroupId,
        bindings: &[Binding],
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let change = GroupWrite::Change {
            name: None,
            bindings: Some(bindings),
        };
        self.write_group(auth, id, change, &[audit]).await
    }
}
