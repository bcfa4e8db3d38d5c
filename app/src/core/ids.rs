//! Typed identifiers. All are UUIDs (v7, time-ordered, made on the server).

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered id. (Not `Default`: a random id is no default value.)
            #[cfg(feature = "ssr")]
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// An organization (tenant).
    OrgId,
    /// A person's identity, global to the installation.
    UserId,
    /// A project inside an organization.
    ProjectId,
    /// A group of members inside an organization.
    GroupId,
    /// A custom role of an organization.
    CustomRoleId,
    /// An access token.
    TokenId,
    /// An invitation to join an organization.
    InvitationId,
    /// An audit event.
    AuditEventId,
);

/// A reference to a named thing of the organization, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NamedRef<Id> {
    pub id: Id,
    pub name: String,
}
