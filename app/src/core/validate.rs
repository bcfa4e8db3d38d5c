//! Validated input types. Each `parse` says what is wrong as a [`Wording`] (catalogue `errors`).

use crate::core::wording::Wording;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased: addresses are compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, Wording> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Wording::new("field_email_empty"));
        }
        if s.chars().count() > 254 {
            return Err(Wording::new("field_email_long").with("max", 254));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(Wording::new("field_email_shape"));
        };
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@');
        if !domain_ok || !local_ok {
            return Err(Wording::new("field_email_shape"));
        }
        Ok(Email(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of at most `max` characters; `what` names the field's sentences
/// (`field_{what}_empty`, `field_{what}_long`, `field_{what}_control`).
fn single_line(input: &str, what: &str, max: usize) -> Result<String, Wording> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Wording::new(&format!("field_{what}_empty")));
    }
    if s.chars().count() > max {
        return Err(Wording::new(&format!("field_{what}_long")).with("max", max));
    }
    if s.chars().any(char::is_control) {
        return Err(Wording::new(&format!("field_{what}_control")));
    }
    Ok(s.to_string())
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, Wording> {
        single_line(input, "name", 100).map(DisplayName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An organization's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(input: &str) -> Result<OrgName, Wording> {
        let name = single_line(input, "org_name", 100)?;
        if OrgSlug::from_name(&name).is_none() {
            return Err(Wording::new("field_org_name_letter"));
        }
        Ok(OrgName(name))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The URL form of an organization's name: lower-case letters, digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub const MAX: usize = 40;

    /// Derives a slug from a name ("Acme Corp." → "acme-corp"); `None` if nothing is left.
    pub fn from_name(name: &str) -> Option<OrgSlug> {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug: String = slug.chars().take(Self::MAX).collect();
        let slug = slug.trim_end_matches('-').to_string();
        (!slug.is_empty()).then_some(OrgSlug(slug))
    }

    /// The same slug with a numeric suffix, for when the plain one is taken.
    pub fn with_suffix(&self, n: u32) -> OrgSlug {
        let suffix = format!("-{n}");
        let keep = Self::MAX - suffix.len();
        let base: String = self.0.chars().take(keep).collect();
        OrgSlug(format!("{}{suffix}", base.trim_end_matches('-')))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed. Never serialized back out, and redacted in `Debug`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The most common passwords of at least eight characters (from public breach corpora).
const COMMON_PASSWORDS: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "password",
    "password1",
    "password123",
    "qwertyuiop",
    "11111111",
    "00000000",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "abc12345",
    "qwerty123",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "q1w2e3r4",
    "asdfghjkl",
    "superman",
    "starwars",
    "trustno1",
    "letmein1",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "admin123",
    "administrator",
    "changeme",
    "computer",
    "michelle",
    "jennifer",
    "whatever",
    "dragon12",
    "master12",
    "monkey12",
    "shadow12",
    "88888888",
    "87654321",
    "12341234",
    "123123123",
    "987654321",
    "qwertyui",
    "1234qwer",
    "secret123",
    "internet",
    "mercedes",
    "corvette",
    "liverpool",
    "chelsea1",
    "samsung1",
    "charlie1",
    "jordan23",
    "michael1",
    "hello123",
    "freedom1",
    "blink182",
    "password!",
    "12qwaszx",
];

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// Checks a new password: 8–128 characters, not one of the most common. No composition rules.
    pub fn parse_new(input: &str) -> Result<Password, Wording> {
        let n = input.chars().count();
        if n < Self::MIN {
            return Err(Wording::new("field_password_short").with("min", Self::MIN));
        }
        if n > Self::MAX {
            return Err(Wording::new("field_password_long").with("max", Self::MAX));
        }
        let lower = input.to_lowercase();
        if COMMON_PASSWORDS.contains(&lower.as_str())
            || (lower
                .chars()
                .all(|c| c == lower.chars().next().unwrap_or(' ')))
        {
            return Err(Wording::new("field_password_common"));
        }
        Ok(Password(input.to_string()))
    }

    /// A password offered at sign-in: only its length is bounded, so hashing cost stays bounded.
    pub fn parse_attempt(input: &str) -> Result<Password, Wording> {
        if input.is_empty() {
            return Err(Wording::new("field_password_empty"));
        }
        if input.chars().count() > Self::MAX {
            return Err(Wording::new("field_password_long").with("max", Self::MAX));
        }
        Ok(Password(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Most entries a request's list of role bindings or of groups may hold: the store checks every
/// one inside the write, so the lists are kept short enough not to hold it up.
pub const MAX_LIST_ENTRIES: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").map(|e| e.to_string()),
            Ok("ada@example.com".into())
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@exa..mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn slugs_come_from_names() {
        assert_eq!(
            OrgSlug::from_name("Acme Corp.").map(|s| s.as_str().to_string()),
            Some("acme-corp".into())
        );
        assert_eq!(
            OrgSlug::from_name("  --Ünïcode & Co  ").map(|s| s.as_str().to_string()),
            Some("n-code-co".into())
        );
        assert_eq!(OrgSlug::from_name("!!!"), None);
        let long = OrgSlug::from_name(&"x".repeat(80)).expect("slug");
        assert_eq!(long.as_str().len(), OrgSlug::MAX);
        assert_eq!(long.with_suffix(12).as_str().len(), OrgSlug::MAX);
        assert!(long.with_suffix(12).as_str().ends_with("-12"));
    }

    #[test]
    fn passwords_have_length_bounds_and_no_common_ones() {
        assert!(Password::parse_new("short").is_err());
        assert!(Password::parse_new(&"a".repeat(129)).is_err());
        assert!(
            Password::parse_new("Password1").is_err(),
            "common, whatever the case"
        );
        assert!(
            Password::parse_new("zzzzzzzzzz").is_err(),
            "one repeated character"
        );
        assert!(Password::parse_new("correct horse battery").is_ok());
        assert!(Password::parse_attempt("").is_err());
        assert!(Password::parse_attempt("x").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse_attempt("hunter22").expect("ok")),
            "Password(***)"
        );
    }

    #[test]
    fn names_are_single_lines_with_bounds() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("Ada\nLovelace").is_err());
        assert_eq!(
            DisplayName::parse(" Ada ").map(|n| n.as_str().to_string()),
            Ok("Ada".into())
        );
        assert!(OrgName::parse("***").is_err());
        assert!(OrgName::parse(&"a".repeat(101)).is_err());
    }
}
