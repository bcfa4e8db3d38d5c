//! Every permission rule of SPEC §1, as pure functions. Nothing else decides who may do what:
//! services ask [`require`], the UI asks [`Principal::can`] only to hide what would be refused.

mod permission;
mod role;
mod tokens;

use crate::error::Wording;
pub use crate::policy::{
    permission::{Permission, PermissionSet},
    role::{Binding, BuiltinRole, RoleId},
    tokens::{TokenAction, TokenFacts, may_see_token, owns_token, require_token_action},
};
use crate::{
    core::{
        ids::{OrgId, ProjectId, TokenId, UserId},
        kinds::MembershipStatus,
    },
    error::AppError,
};
use serde::{Deserialize, Serialize};

/// Where a permission is asked for: the whole organization or one project in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    Organization,
    Project(ProjectId),
}

/// A role binding with its role already resolved to permissions. The binding may come
/// straight from the member or through one of their groups; for rule 1 that makes no difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedBinding {
    pub permissions: PermissionSet,
    /// `None`: bound at organization scope.
    pub project: Option<ProjectId>,
}

impl ResolvedBinding {
    fn applies_at(&self, scope: Scope) -> bool {
        match (self.project, scope) {
            (None, _) => true,
            (Some(bound), Scope::Project(asked)) => bound == asked,
            (Some(_), Scope::Organization) => false,
        }
    }
}

/// Rule 1: the union of every role bound to the user or their groups at organization scope,
/// plus, at a project scope, those bound at that project. Only an active membership counts.
pub fn effective_permissions(
    status: MembershipStatus,
    bindings: &[ResolvedBinding],
    scope: Scope,
) -> PermissionSet {
    if status != MembershipStatus::Active {
        return PermissionSet::EMPTY;
    }
    bindings
        .iter()
        .filter(|b| b.applies_at(scope))
        .fold(PermissionSet::EMPTY, |acc, b| acc.union(b.permissions))
}

/// Rule 2 for a user token: its role's permissions intersected with what its owner may do now.
pub fn user_token_permissions(role: PermissionSet, owner_now: PermissionSet) -> PermissionSet {
    role.intersection(owner_now)
}

/// Rule 2 for an organization token: exactly its role's permissions.
pub fn organization_token_permissions(role: PermissionSet) -> PermissionSet {
    role
}

/// Rule 3: nobody grants a permission they do not hold themselves at that scope.
pub fn check_grant(
    granter_at_scope: PermissionSet,
    granted: PermissionSet,
) -> Result<(), AppError> {
    let missing = granted.missing_from(granter_at_scope);
    if missing.is_empty() {
        Ok(())
    } else {
        let names: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
        Err(AppError::forbidden(
            Wording::new("forbidden_grant").with("permissions", names.join(", ")),
        ))
    }
}

/// Rule 4's notion of an Admin: a member who holds every permission.
pub fn is_full_admin(perms: PermissionSet) -> bool {
    perms.is_everything()
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A person, signed in to the console.
    User(UserId),
    /// A user token, acting for its owner.
    UserToken { token: TokenId, owner: UserId },
    /// An organization token: a service principal.
    OrganizationToken { token: TokenId },
}

/// What the principal's permissions are made of, resolved from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grants {
    Member {
        status: MembershipStatus,
        bindings: Vec<ResolvedBinding>,
    },
    UserToken {
        role: PermissionSet,
        owner_status: MembershipStatus,
        owner_bindings: Vec<ResolvedBinding>,
    },
    OrganizationToken {
        role: PermissionSet,
    },
}

/// An authenticated caller inside one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    actor: Actor,
    org: OrgId,
    grants: Grants,
}

impl Principal {
    pub fn member(
        user: UserId,
        org: OrgId,
        status: MembershipStatus,
        bindings: Vec<ResolvedBinding>,
    ) -> Self {
        Principal {
            actor: Actor::User(user),
            org,
            grants: Grants::Member { status, bindings },
        }
    }

    pub fn user_token(
        token: TokenId,
        owner: UserId,
        org: OrgId,
        role: PermissionSet,
        owner_status: MembershipStatus,
        owner_bindings: Vec<ResolvedBinding>,
    ) -> Self {
        Principal {
            actor: Actor::UserToken { token, owner },
            org,
            grants: Grants::UserToken {
                role,
                owner_status,
                owner_bindings,
            },
        }
    }

    pub fn organization_token(token: TokenId, org: OrgId, role: PermissionSet) -> Self {
        Principal {
            actor: Actor::OrganizationToken { token },
            org,
            grants: Grants::OrganizationToken { role },
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The person this principal acts for: the signed-in user, or a user token's owner. An
    /// organization token acts for nobody.
    pub fn acting_user(&self) -> Option<UserId> {
        match self.actor {
            Actor::User(u) | Actor::UserToken { owner: u, .. } => Some(u),
            Actor::OrganizationToken { .. } => None,
        }
    }

    /// What this principal may do at `scope` (rules 1 and 2).
    pub fn permissions_at(&self, scope: Scope) -> PermissionSet {
        match &self.grants {
            Grants::Member { status, bindings } => effective_permissions(*status, bindings, scope),
            Grants::UserToken {
                role,
                owner_status,
                owner_bindings,
            } => user_token_permissions(
                *role,
                effective_permissions(*owner_status, owner_bindings, scope),
            ),
            Grants::OrganizationToken { role } => organization_token_permissions(*role),
        }
    }

    pub fn can(&self, permission: Permission, scope: Scope) -> bool {
        self.permissions_at(scope).contains(permission)
    }
}

/// Proof that a permission check passed. Services obtain the organization id they hand to the
/// store only through this value, so an unchecked path does not type-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    org: OrgId,
    /// `None` for an authorization nobody checked ([`unchecked_authorized`]).
    actor: Option<Actor>,
    scope: Scope,
}

impl Authorized {
    pub fn org(&self) -> OrgId {
        self.org
    }
    pub fn actor(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

/// The one gate: `Ok` only when `principal` holds `permission` at `scope`.
pub fn require(
    principal: &Principal,
    permission: Permission,
    scope: Scope,
) -> Result<Authorized, AppError> {
    if principal.can(permission, scope) {
        Ok(Authorized {
            org: principal.org,
            actor: Some(principal.actor.clone()),
            scope,
        })
    } else {
        Err(AppError::forbidden(
            Wording::new("forbidden_permission").with("permission", permission),
        ))
    }
}

/// Leaving an organization needs no permission, only a signed-in person to leave (a token
/// cannot make its owner leave). Rule 4 is the store's to check.
pub fn may_leave(principal: &Principal) -> Result<(Authorized, UserId), AppError> {
    match principal.actor {
        Actor::User(user) => Ok((
            Authorized {
                org: principal.org,
                actor: Some(principal.actor.clone()),
                scope: Scope::Organization,
            },
            user,
        )),
        Actor::UserToken { .. } | Actor::OrganizationToken { .. } => {
            Err(AppError::forbidden(Wording::new("forbidden_leave")))
        }
    }
}

/// An authorization nobody checked, for what acts for no caller: the command line's operator
/// bootstrap, seeding, and tests of the store itself. Named so that every use stands out.
pub fn unchecked_authorized(org: OrgId) -> Authorized {
    Authorized {
        org,
        actor: None,
        scope: Scope::Organization,
    }
}

#[cfg(test)]
mod tests;
