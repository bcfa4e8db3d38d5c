//! Roles: the three built-ins and references to an organization's custom roles.

use crate::core::ids::{CustomRoleId, ProjectId};
use crate::policy::permission::{Permission, PermissionSet};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A role that every organization has and nobody can edit or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum BuiltinRole {
    Viewer,
    Editor,
    Admin,
}

const VIEWER: PermissionSet = PermissionSet::of(&[
    Permission::OrgRead,
    Permission::MembersRead,
    Permission::ResourcesRead,
]);
const EDITOR: PermissionSet = VIEWER.union(PermissionSet::of(&[
    Permission::ResourcesWrite,
    Permission::TokensCreate,
]));

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 3] =
        [BuiltinRole::Viewer, BuiltinRole::Editor, BuiltinRole::Admin];

    pub const fn permissions(self) -> PermissionSet {
        match self {
            BuiltinRole::Viewer => VIEWER,
            BuiltinRole::Editor => EDITOR,
            BuiltinRole::Admin => PermissionSet::all(),
        }
    }

    /// The role's API id (`viewer`, `editor`, `admin`).
    pub const fn id(self) -> &'static str {
        match self {
            BuiltinRole::Viewer => "viewer",
            BuiltinRole::Editor => "editor",
            BuiltinRole::Admin => "admin",
        }
    }

    /// The role's display name.
    pub const fn name(self) -> &'static str {
        match self {
            BuiltinRole::Viewer => "Viewer",
            BuiltinRole::Editor => "Editor",
            BuiltinRole::Admin => "Admin",
        }
    }
}

/// A reference to a role: a built-in by its fixed id, or a custom role by UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleId {
    Builtin(BuiltinRole),
    Custom(CustomRoleId),
}

impl fmt::Display for RoleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleId::Builtin(b) => f.write_str(b.id()),
            RoleId::Custom(id) => id.fmt(f),
        }
    }
}

impl FromStr for RoleId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(b) = BuiltinRole::ALL.into_iter().find(|b| b.id() == s) {
            return Ok(RoleId::Builtin(b));
        }
        s.parse::<CustomRoleId>()
            .map(RoleId::Custom)
            .map_err(|_| format!("`{s}` is not a role id (viewer, editor, admin or a UUID)"))
    }
}

impl Serialize for RoleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for RoleId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::KnownFormat;
        use utoipa::openapi::ObjectBuilder;
        use utoipa::openapi::OneOfBuilder;
        use utoipa::openapi::SchemaFormat;
        let builtin = ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(BuiltinRole::ALL.map(BuiltinRole::id)));
        let custom = ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        OneOfBuilder::new()
            .item(builtin)
            .item(custom)
            .description(Some(
                "A role: `viewer`, `editor`, `admin`, or the UUID of a custom role",
            ))
            .examples([serde_json::json!("editor")])
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for RoleId {}

impl<'de> Deserialize<'de> for RoleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roles_hold_exactly_the_specified_permissions() {
        use Permission::*;
        // (permission, viewer, editor, admin) — SPEC §1, "Built-in roles".
        let table = [
            (OrgRead, true, true, true),
            (OrgManage, false, false, true),
            (MembersRead, true, true, true),
            (MembersInvite, false, false, true),
            (MembersManage, false, false, true),
            (RolesManage, false, false, true),
            (GroupsManage, false, false, true),
            (TokensCreate, false, true, true),
            (TokensManage, false, false, true),
            (AuditRead, false, false, true),
            (ResourcesRead, true, true, true),
            (ResourcesWrite, false, true, true),
        ];
        assert_eq!(
            table.len(),
            Permission::ALL.len(),
            "every permission is in the table"
        );
        for (p, viewer, editor, admin) in table {
            assert_eq!(
                BuiltinRole::Viewer.permissions().contains(p),
                viewer,
                "Viewer {p}"
            );
            assert_eq!(
                BuiltinRole::Editor.permissions().contains(p),
                editor,
                "Editor {p}"
            );
            assert_eq!(
                BuiltinRole::Admin.permissions().contains(p),
                admin,
                "Admin {p}"
            );
        }
    }

    #[test]
    fn role_ids_parse_builtins_and_uuids() {
        assert_eq!(
            "viewer".parse::<RoleId>(),
            Ok(RoleId::Builtin(BuiltinRole::Viewer))
        );
        assert_eq!(
            "admin".parse::<RoleId>(),
            Ok(RoleId::Builtin(BuiltinRole::Admin))
        );
        let u = "0190f8a0-0000-7000-8000-000000000001";
        assert_eq!(
            u.parse::<RoleId>().map(|r| r.to_string()),
            Ok(u.to_string())
        );
        assert!("Admin".parse::<RoleId>().is_err());
        assert!("superuser".parse::<RoleId>().is_err());
    }
}

/// A role binding as given: a role at organization scope (`project: None`) or at one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Binding {
    pub role: crate::policy::RoleId,
    pub project: Option<ProjectId>,
}
