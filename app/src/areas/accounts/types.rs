use crate::core::ids::*;
use serde::{Deserialize, Serialize};

/// The console's interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
    Zh,
    Ru,
}

impl Language {
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Zh => "zh",
            Language::Ru => "ru",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Language::En),
            "de" => Some(Language::De),
            "zh" => Some(Language::Zh),
            "ru" => Some(Language::Ru),
            _ => None,
        }
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
}
