use crate::{
    areas::accounts::types::{OrgSummary, SessionView},
    policy::PermissionSet,
};
use serde::{Deserialize, Serialize};

/// What every organization page needs besides its own data: who is signed in, the
/// organization, and what they may do there (to hide what would be refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgFrame {
    pub session: SessionView,
    pub org: OrgSummary,
    pub permissions: PermissionSet,
}
