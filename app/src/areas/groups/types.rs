use crate::{areas::roles::types::BindingView, core::ids::*};
use serde::{Deserialize, Serialize};

/// A group with its members and role bindings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub members: Vec<NamedRef<UserId>>,
    pub bindings: Vec<BindingView>,
}
