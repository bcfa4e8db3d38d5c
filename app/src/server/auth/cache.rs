//! Reuse of authentication lookups between requests.
//!
//! Authenticating a request reads the database: a bearer token, its organization and (for a
//! user token) its owner's current access; or a session, the person it belongs to, and their
//! membership, access and languages in the organization whose page or server function it is.
//! That costs several round trips, far more than the rest of a small request. The cache keeps
//! the result of each successful lookup together with the store's generation read *before* the
//! lookup ([`crate::server::Store::generation`]). An entry is used only while the generation is
//! still the same, so any committed change (a token deleted or regenerated, a sign-out, a member
//! deactivated or demoted, a role edited, a language chosen) makes every entry stale before the
//! changing request has answered: the very next request looks everything up again.
//!
//! A store that cannot tell when its data changed (PostgreSQL, where another node may write)
//! answers `None` and nothing is reused. Expiry (of a token, of a session's idle and absolute
//! lifetimes) is checked on every request, cached or not.

use crate::{
    areas::{
        accounts::types::{Language, OrgSummary, SessionView},
        members::store::MemberAccess,
    },
    error::StoreError,
    policy::Principal,
    server::store::{SessionRecord, Store, TokenRecord},
};
use std::{
    collections::HashMap,
    future::Future,
    sync::{Mutex, MutexGuard},
};

/// What a successful token lookup found.
#[derive(Debug, Clone)]
pub struct CachedToken {
    pub rec: TokenRecord,
    pub principal: Principal,
}

/// A person's place in one organization, by its slug: the organization, and their membership
/// (of any status) with their access there.
#[derive(Debug, Clone)]
pub struct CachedMembership {
    pub org: OrgSummary,
    pub access: MemberAccess,
}

/// A person's own language and an organization's default (see `Store::languages`).
pub type CachedLanguages = (Option<Language>, Option<Language>);

struct Entry<V> {
    generation: u64,
    value: V,
}

/// Successful lookups of one kind by key, each valid for one store generation.
pub struct Reused<V> {
    entries: Mutex<HashMap<String, Entry<V>>>,
    capacity: usize,
}

impl<V: Clone> Reused<V> {
    pub fn new(capacity: usize) -> Self {
        Reused {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry<V>>> {
        // A panic while holding the lock cannot leave an entry half-written (inserts and
        // removals are whole), so a poisoned map is still sound.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The lookup for `key`, if it was made at `generation`. A stale entry is dropped.
    pub fn get(&self, key: &str, generation: u64) -> Option<V> {
        let mut entries = self.lock();
        match entries.get(key) {
            Some(e) if e.generation == generation => Some(e.value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps a lookup made at `generation` (read before the lookup began).
    pub fn put(&self, key: &str, generation: u64, value: V) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            // Entries of older generations can never be used again; if none are, start over
            // rather than keep bookkeeping for an eviction order.
            entries.retain(|_, e| e.generation == generation);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key.to_owned(), Entry { generation, value });
    }

    /// Changes a kept lookup after a write that leaves the generation as it is (a token's or a
    /// session's last use).
    pub fn update(&self, key: &str, change: impl FnOnce(&mut V)) {
        if let Some(e) = self.lock().get_mut(key) {
            change(&mut e.value);
        }
    }

    /// The lookup for `key`: reused if it was made at the store's current generation, else
    /// made by `look_up` and kept when the store can tell when it goes stale. Nothing is kept
    /// of a lookup that found nothing.
    pub async fn through<F, Fut>(
        &self,
        store: &dyn Store,
        key: &str,
        look_up: F,
    ) -> Result<Option<V>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<V>, StoreError>>,
    {
        // Read before the lookup, so that a change committed during it makes the result stale.
        let generation = store.generation();
        if let Some(hit) = generation.and_then(|g| self.get(key, g)) {
            return Ok(Some(hit));
        }
        let found = look_up().await?;
        if let (Some(g), Some(value)) = (generation, &found) {
            self.put(key, g, value.clone());
        }
        Ok(found)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every kind of reused lookup, each by its own key.
pub struct AuthCache {
    /// Bearer tokens by their secret's hash.
    pub tokens: Reused<CachedToken>,
    /// Sessions by their secret's hash.
    pub sessions: Reused<SessionRecord>,
    /// Signed-in people by user id.
    pub people: Reused<SessionView>,
    /// Memberships by [`AuthCache::member_key`].
    pub memberships: Reused<CachedMembership>,
    /// Languages by [`AuthCache::member_key`] (an empty slug: no organization's page).
    pub languages: Reused<CachedLanguages>,
}

impl Default for AuthCache {
    fn default() -> Self {
        AuthCache::new(Self::DEFAULT_CAPACITY)
    }
}

impl AuthCache {
    /// Entries of each kind: enough for every token and signed-in person of a large tenant;
    /// an entry is a few hundred bytes.
    pub const DEFAULT_CAPACITY: usize = 10_000;

    pub fn new(capacity: usize) -> Self {
        AuthCache {
            tokens: Reused::new(capacity),
            sessions: Reused::new(capacity),
            people: Reused::new(capacity),
            memberships: Reused::new(capacity),
            languages: Reused::new(capacity),
        }
    }

    /// The key of a person in the organization with this slug.
    pub fn member_key(user: crate::core::ids::UserId, slug: Option<&str>) -> String {
        format!("{user}/{}", slug.unwrap_or_default())
    }

    /// Entries of every kind.
    pub fn len(&self) -> usize {
        self.tokens.len()
            + self.sessions.len()
            + self.people.len()
            + self.memberships.len()
            + self.languages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::accounts::types::OrgSummary;
    use crate::core::ids::OrgId;
    use crate::core::ids::TokenId;
    use crate::core::kinds::TokenKind;
    use crate::policy::BuiltinRole;
    use crate::policy::Principal;
    use uuid::Uuid;

    fn token(name: &str) -> CachedToken {
        let org = OrgId(Uuid::from_u128(1));
        let id = TokenId(Uuid::from_u128(2));
        CachedToken {
            rec: TokenRecord {
                id,
                org: OrgSummary {
                    id: org,
                    slug: "acme".into(),
                    name: "Acme".into(),
                },
                kind: TokenKind::Organization,
                name: name.into(),
                role_id: None,
                owner: None,
                owner_name: None,
                owner_email: None,
                role: BuiltinRole::Viewer.permissions(),
                expires_at: None,
                last_used_at: None,
            },
            principal: Principal::organization_token(id, org, BuiltinRole::Viewer.permissions()),
        }
    }

    #[test]
    fn an_entry_serves_only_its_own_generation() {
        let cache = AuthCache::default().tokens;
        cache.put("h", 7, token("ci"));
        assert_eq!(cache.get("h", 7).map(|t| t.rec.name), Some("ci".into()));
        assert!(cache.get("other", 7).is_none());
        // After a write the entry is stale, and is dropped rather than kept.
        assert!(cache.get("h", 8).is_none());
        assert!(cache.is_empty());
        assert!(cache.get("h", 7).is_none());
    }

    #[test]
    fn a_recorded_use_is_seen_by_the_next_hit() {
        let cache = AuthCache::default().tokens;
        cache.put("h", 1, token("ci"));
        cache.update("h", |t| t.rec.last_used_at = Some(1234));
        assert_eq!(
            cache.get("h", 1).and_then(|t| t.rec.last_used_at),
            Some(1234)
        );
    }

    #[test]
    fn a_full_cache_drops_stale_entries_first_and_never_grows_past_its_capacity() {
        let cache = Reused::new(3);
        cache.put("a", 1, token("a"));
        cache.put("b", 1, token("b"));
        cache.put("c", 2, token("c"));
        cache.put("d", 2, token("d"));
        // "a" and "b" belonged to generation 1 and went first.
        assert_eq!(cache.len(), 2);
        assert!(cache.get("c", 2).is_some() && cache.get("d", 2).is_some());
        cache.put("e", 2, token("e"));
        cache.put("f", 2, token("f"));
        assert!(cache.len() <= 3);
        assert!(cache.get("f", 2).is_some());
    }
}
