//! The fixed permission catalogue (SPEC §1) and a compact set of permissions.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A fixed capability, checked by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Permission {
    #[serde(rename = "org.read")]
    OrgRead,
    #[serde(rename = "org.manage")]
    OrgManage,
    #[serde(rename = "members.read")]
    MembersRead,
    #[serde(rename = "members.invite")]
    MembersInvite,
    #[serde(rename = "members.manage")]
    MembersManage,
    #[serde(rename = "roles.manage")]
    RolesManage,
    #[serde(rename = "groups.manage")]
    GroupsManage,
    #[serde(rename = "tokens.create")]
    TokensCreate,
    #[serde(rename = "tokens.manage")]
    TokensManage,
    #[serde(rename = "audit.read")]
    AuditRead,
    #[serde(rename = "resources.read")]
    ResourcesRead,
    #[serde(rename = "resources.write")]
    ResourcesWrite,
}

impl Permission {
    /// Every permission, in catalogue order.
    pub const ALL: [Permission; 12] = [
        Permission::OrgRead,
        Permission::OrgManage,
        Permission::MembersRead,
        Permission::MembersInvite,
        Permission::MembersManage,
        Permission::RolesManage,
        Permission::GroupsManage,
        Permission::TokensCreate,
        Permission::TokensManage,
        Permission::AuditRead,
        Permission::ResourcesRead,
        Permission::ResourcesWrite,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::OrgRead => "org.read",
            Permission::OrgManage => "org.manage",
            Permission::MembersRead => "members.read",
            Permission::MembersInvite => "members.invite",
            Permission::MembersManage => "members.manage",
            Permission::RolesManage => "roles.manage",
            Permission::GroupsManage => "groups.manage",
            Permission::TokensCreate => "tokens.create",
            Permission::TokensManage => "tokens.manage",
            Permission::AuditRead => "audit.read",
            Permission::ResourcesRead => "resources.read",
            Permission::ResourcesWrite => "resources.write",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions. Small and `Copy`, so rules can be written as set algebra.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "Vec<Permission>", from = "Vec<Permission>")]
pub struct PermissionSet(u16);

impl PermissionSet {
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub const fn all() -> PermissionSet {
        let mut bits = 0;
        let mut i = 0;
        while i < Permission::ALL.len() {
            bits |= Permission::ALL[i].bit();
            i += 1;
        }
        PermissionSet(bits)
    }

    pub const fn of(perms: &[Permission]) -> PermissionSet {
        let mut bits = 0;
        let mut i = 0;
        while i < perms.len() {
            bits |= perms[i].bit();
            i += 1;
        }
        PermissionSet(bits)
    }

    pub const fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    pub const fn union(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 | other.0)
    }

    pub const fn intersection(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 & other.0)
    }

    /// True when every permission of `other` is also in `self`.
    pub const fn is_superset_of(self, other: PermissionSet) -> bool {
        other.0 & !self.0 == 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when the set holds the whole catalogue (what rule 4 calls an Admin).
    pub const fn is_everything(self) -> bool {
        self.is_superset_of(PermissionSet::all())
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// Permissions of `self` that are missing from `other`.
    pub fn missing_from(self, other: PermissionSet) -> Vec<Permission> {
        self.iter().filter(|p| !other.contains(*p)).collect()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for PermissionSet {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(<Permission as utoipa::PartialSchema>::schema())
            .unique_items(true)
            .description(Some("Permissions from the catalogue"))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for PermissionSet {}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter()
            .fold(PermissionSet::EMPTY, |s, p| PermissionSet(s.0 | p.bit()))
    }
}

impl From<Vec<Permission>> for PermissionSet {
    fn from(v: Vec<Permission>) -> Self {
        v.into_iter().collect()
    }
}

impl From<PermissionSet> for Vec<Permission> {
    fn from(s: PermissionSet) -> Self {
        s.iter().collect()
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Permission::as_str))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_parse_and_serde() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            let json = serde_json::to_string(&p).expect("serialize");
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
        assert_eq!(Permission::parse("org.everything"), None);
    }

    #[test]
    fn set_algebra() {
        let a = PermissionSet::of(&[Permission::OrgRead, Permission::MembersRead]);
        let b = PermissionSet::of(&[Permission::MembersRead, Permission::AuditRead]);
        assert_eq!(
            a.union(b),
            PermissionSet::of(&[
                Permission::OrgRead,
                Permission::MembersRead,
                Permission::AuditRead
            ])
        );
        assert_eq!(
            a.intersection(b),
            PermissionSet::of(&[Permission::MembersRead])
        );
        assert!(a.union(b).is_superset_of(a));
        assert!(!a.is_superset_of(b));
        assert_eq!(a.missing_from(b), vec![Permission::OrgRead]);
        assert!(PermissionSet::all().is_everything());
        assert!(!a.is_everything());
        assert_eq!(PermissionSet::all().iter().count(), 12);
    }

    #[test]
    fn serializes_as_a_list_of_names() {
        let a = PermissionSet::of(&[Permission::AuditRead, Permission::OrgRead]);
        let json = serde_json::to_string(&a).expect("serialize");
        assert_eq!(json, r#"["org.read","audit.read"]"#);
        let back: PermissionSet = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, a);
    }
}
