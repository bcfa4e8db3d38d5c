use crate::core::ids::*;
use serde::{Deserialize, Serialize};

/// A project with its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub owner: NamedRef<UserId>,
}
