use crate::core::ids::*;
use serde::{Deserialize, Serialize};

/// A binding as shown: with the role's and project's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BindingView {
    pub role: crate::policy::RoleId,
    pub role_name: String,
    pub project: Option<NamedRef<ProjectId>>,
}

/// An organization's own role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomRole {
    pub id: CustomRoleId,
    pub name: String,
    pub description: String,
    pub permissions: crate::policy::PermissionSet,
}

/// A role as listed: built-in or custom, with its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleView {
    pub id: crate::policy::RoleId,
    pub name: String,
    pub description: String,
    pub permissions: crate::policy::PermissionSet,
    /// Built-in roles cannot be edited or deleted.
    pub builtin: bool,
}

impl RoleView {
    pub fn builtin(role: crate::policy::BuiltinRole) -> Self {
        use crate::policy::BuiltinRole;
        use crate::policy::RoleId;
        RoleView {
            id: RoleId::Builtin(role),
            name: role.name().to_string(),
            description: match role {
                BuiltinRole::Viewer => "Sees the organization, its members and its resources",
                BuiltinRole::Editor => {
                    "A Viewer who also edits resources and creates access tokens"
                }
                BuiltinRole::Admin => "Every permission",
            }
            .to_string(),
            permissions: role.permissions(),
            builtin: true,
        }
    }

    pub fn custom(role: CustomRole) -> Self {
        RoleView {
            id: crate::policy::RoleId::Custom(role.id),
            name: role.name,
            description: role.description,
            permissions: role.permissions,
            builtin: false,
        }
    }
}
