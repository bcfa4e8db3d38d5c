//! What the store keeps for members: their access, the listing and its filters.

use crate::{
    areas::{accounts::store::MemberUser, audit::event::AuditEvent, members::types::MemberRow},
    core::{
        ids::{GroupId, OrgId, UserId},
        kinds::MembershipStatus,
    },
    error::StoreResult,
    policy::{Authorized, Binding, ResolvedBinding},
};
use async_trait::async_trait;

/// A member's standing in one organization, with bindings resolved to permissions
/// (directly bound and through groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccess {
    pub status: MembershipStatus,
    pub bindings: Vec<ResolvedBinding>,
}

/// Where a member sorts: lower-cased name, then id. Keyset pagination continues after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberKey {
    pub name_key: String,
    pub user_id: UserId,
}

/// What a member search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberSearch {
    /// With three characters or more, any part of the name or of the email address ("ell" finds
    /// Wellington, "navy.ex" grace@navy.example); shorter, the start of a word of the name or of
    /// the address (each Chinese, Japanese or Korean character counts as a word). Case does not
    /// matter.
    Text(String),
    UserId(UserId),
}

/// Beyond this many matches a filtered total is not counted further: it reads "10,000+".
pub const COUNT_CAP: i64 = 10_000;

/// A count that tests candidates (a search's matches, or a role's or group's members) against
/// filters their index does not serve reads at most this many: beyond, its total is what those
/// hold, at least that many, and reads "N+".
pub const COUNT_BUDGET: i64 = 1_000;

/// Separates the name from the email address in a search key; never part of a query.
const KEY_SEPARATOR: char = '\u{1f}';

/// Whether a character is a word of its own for searching (CJK ideographs, kana, hangul).
fn is_word_character(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// Each word of `text` (lower-cased) behind two spaces: "  ada  lovelace". Every CJK character
/// is a word of its own. The start of a word is then two spaces and a character, three
/// characters that a trigram index finds even for a one-letter search.
fn search_words(text: &str, out: &mut String) {
    let mut in_word = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c.is_control() {
            in_word = false;
        } else if is_word_character(c) {
            out.push_str("  ");
            out.push(c);
            in_word = false;
        } else {
            if !in_word {
                out.push_str("  ");
            }
            out.push(c);
            in_word = true;
        }
    }
}

/// What a member is searched by, kept beside the membership (`memberships.search_key`) and in
/// the databases' trigram indexes: the name's words, then the email address as one word.
pub fn member_search_key(name: &str, email: &str) -> String {
    let mut key = String::with_capacity(name.len() + email.len() + 8);
    search_words(name, &mut key);
    key.push(KEY_SEPARATOR);
    search_words(email, &mut key);
    key
}

/// The part of a search key a search must find: for three characters or more the query itself
/// anywhere; shorter, the start of a word. `None` when nothing is left to search for.
pub fn member_search_needle(search: &MemberSearch) -> Option<String> {
    let query = match search {
        MemberSearch::Text(q) => q.as_str(),
        MemberSearch::UserId(_) => return None,
    };
    let anywhere = query.chars().count() >= 3;
    let mut words = String::with_capacity(query.len() + 8);
    search_words(query, &mut words);
    let needle = if anywhere {
        words.trim_start_matches(' ').to_string()
    } else {
        words
    };
    (!needle.trim().is_empty()).then_some(needle)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFilter {
    pub status: MembershipStatus,
    pub search: Option<MemberSearch>,
    pub role: Option<crate::policy::RoleId>,
    pub group: Option<crate::core::ids::GroupId>,
    pub two_factor: Option<bool>,
    pub after: Option<MemberKey>,
    pub limit: u32,
}

impl MemberFilter {
    /// No search and no filter besides the status (and the page position).
    pub fn is_unfiltered(&self) -> bool {
        self.search.is_none()
            && self.role.is_none()
            && self.group.is_none()
            && self.two_factor.is_none()
    }

    /// Filtered by a role, a group or the second factor (a search aside).
    pub fn filters_besides_search(&self) -> bool {
        self.role.is_some() || self.group.is_some() || self.two_factor.is_some()
    }

    /// Filtered by a group and nothing else (its total is a kept counter).
    pub fn is_group_only(&self) -> bool {
        self.group.is_some()
            && self.search.is_none()
            && self.role.is_none()
            && self.two_factor.is_none()
    }

    /// Filtered by a role and nothing else (its total is a kept counter).
    pub fn is_role_only(&self) -> bool {
        self.role.is_some()
            && self.search.is_none()
            && self.group.is_none()
            && self.two_factor.is_none()
    }

    pub fn all(status: MembershipStatus) -> Self {
        MemberFilter {
            status,
            search: None,
            role: None,
            group: None,
            two_factor: None,
            after: None,
            limit: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// The key of the last row, when more rows follow.
    pub next: Option<MemberKey>,
    /// How many members match the filter, on all pages; at most `COUNT_CAP` when estimated.
    pub total: i64,
    /// The total stopped counting at `COUNT_CAP`: more members match.
    pub total_is_estimate: bool,
}

/// Members of an organization: their access, listing and lifecycle. References in the input
/// (roles, projects, groups, users) that are not the organization's answer `Invalid`, exactly as
/// ones that do not exist.
#[async_trait]
pub trait MemberStore: Send + Sync + 'static {
    /// `None` when the user has never been a member of `org`.
    async fn member_access(&self, org: OrgId, user: UserId) -> StoreResult<Option<MemberAccess>>;

    /// One page of `org`'s members matching `filter`, alphabetically by name, with the total.
    async fn list_members(&self, org: OrgId, filter: &MemberFilter) -> StoreResult<MemberPage>;

    async fn member_status(
        &self,
        org: OrgId,
        user: UserId,
    ) -> StoreResult<Option<MembershipStatus>>;

    /// Makes a person an active member with the given bindings and groups: a new account, or an
    /// existing user (whose archived membership, if any, starts afresh). Conflicts:
    /// `email_taken`, `already_member`.
    async fn add_member(
        &self,
        org: OrgId,
        user: MemberUser,
        bindings: &[Binding],
        groups: &[GroupId],
        audit: AuditEvent,
    ) -> StoreResult<UserId>;

    /// Replaces the member's own bindings and groups.
    async fn set_member_access(
        &self,
        auth: &Authorized,
        user: UserId,
        bindings: &[Binding],
        groups: &[GroupId],
        audit: AuditEvent,
    ) -> StoreResult<()> {
        self.change_member_access(auth, user, Some(bindings), Some(groups), audit)
            .await
    }

    /// Replaces the member's own bindings, groups, or both (`None` keeps what is there), in one
    /// transaction.
    async fn change_member_access(
        &self,
        auth: &Authorized,
        user: UserId,
        bindings: Option<&[Binding]>,
        groups: Option<&[GroupId]>,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// `Active` ↔ `Deactivated`. The person's sessions stay: they may serve other organizations.
    async fn set_member_status(
        &self,
        auth: &Authorized,
        user: UserId,
        status: MembershipStatus,
        audit: AuditEvent,
    ) -> StoreResult<()>;

    /// Archives the membership, drops its bindings and groups, and hands the member's projects
    /// to `new_owner` (required when there are any). Refused with `has_tokens` while the member
    /// holds unexpired user tokens in the organization, unless `revoke_tokens`. The member's user
    /// tokens are kept, revoked for good, in the same transaction.
    async fn remove_member(
        &self,
        auth: &Authorized,
        user: UserId,
        new_owner: Option<UserId>,
        revoke_tokens: bool,
        audit: AuditEvent,
    ) -> StoreResult<()>;
}

#[cfg(test)]
mod search_tests {
    use super::*;

    fn needle(q: &str) -> Option<String> {
        member_search_needle(&MemberSearch::Text(q.into()))
    }

    #[test]
    fn words_sit_behind_two_spaces_and_cjk_characters_are_words() {
        assert_eq!(
            member_search_key("Ada  Lovelace", "Ada@Math.example"),
            "  ada  lovelace\u{1f}  ada@math.example"
        );
        assert_eq!(
            member_search_key("张伟", "z@x.cn"),
            "  张  伟\u{1f}  z@x.cn"
        );
        assert_eq!(member_search_key("Иван", "i@x.ru"), "  иван\u{1f}  i@x.ru");
    }

    #[test]
    fn short_searches_find_word_starts_and_longer_ones_any_part() {
        assert_eq!(needle("A").as_deref(), Some("  a"));
        assert_eq!(needle("zz").as_deref(), Some("  zz"));
        assert_eq!(needle("伟").as_deref(), Some("  伟"));
        assert_eq!(needle("ell").as_deref(), Some("ell"));
        assert_eq!(needle("Ada Love").as_deref(), Some("ada  love"));
        assert_eq!(needle("张伟明").as_deref(), Some("张  伟  明"));
        assert_eq!(needle("\u{1}\u{2}\u{3}"), None, "nothing to search for");
        assert_eq!(
            member_search_needle(&MemberSearch::UserId(UserId::new())),
            None
        );
        let key = member_search_key("Arthur Wellington", "duke@waterloo.example");
        for q in ["ell", "a", "we", "thur well", "rloo.ex", "DUKE@"] {
            assert!(key.contains(&needle(q).expect("a needle")), "{q}");
        }
        for q in ["el", "ll", "rt", "wa", "\u{1f}"] {
            assert!(
                needle(q).is_none_or(|n| !key.contains(&n)),
                "{q} must not match"
            );
        }
    }
}
