use crate::core::ids::*;
use serde::{Deserialize, Serialize};

pub use crate::core::language::Language;

/// A language chosen in a form: empty is no choice, anything else must be one of ours,
/// else a 422 on `field` worded by the catalogue's `wording` key.
pub fn language_choice(
    code: &str,
    field: &str,
    wording: &str,
) -> Result<Option<Language>, crate::error::AppError> {
    match code.trim() {
        "" => Ok(None),
        code => Language::parse(code).map(Some).ok_or_else(|| {
            crate::error::AppError::field_worded(field, crate::error::Wording::new(wording))
        }),
    }
}

/// An organization as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrgSummary {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
}

/// The signed-in person and where they belong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    /// Organizations in which the user's membership is active, by name.
    pub organizations: Vec<OrgSummary>,
    /// The interface language they chose, if they chose one.
    pub language: Option<Language>,
}
