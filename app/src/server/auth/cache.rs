//! Reuse of bearer-token lookups between requests.
//!
//! Authenticating a token reads the token, its organization and (for a user token) its owner's
//! current access. That costs one or two database round trips, far more than the rest of a small
//! API request. The cache keeps the result of a successful lookup together with the store's
//! generation read *before* the lookup ([`crate::server::Store::generation`]). An entry is used
//! only while the generation is still the same, so any committed change (a token deleted or
//! regenerated, an owner deactivated or demoted, a role edited) makes every entry stale before the
//! changing request has answered: the very next request looks the token up again.
//!
//! A store that cannot tell when its data changed (PostgreSQL, where another node may write)
//! answers `None` and nothing is reused. Expiry is checked on every request, cached or not.

use crate::{policy::Principal, server::store::TokenRecord};
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

/// What a successful lookup found.
#[derive(Debug, Clone)]
pub struct CachedToken {
    pub rec: TokenRecord,
    pub principal: Principal,
}

struct Entry {
    generation: u64,
    token: CachedToken,
}

/// Successful token lookups by the secret's hash, each valid for one store generation.
pub struct AuthCache {
    entries: Mutex<HashMap<String, Entry>>,
    capacity: usize,
}

impl Default for AuthCache {
    fn default() -> Self {
        AuthCache::new(Self::DEFAULT_CAPACITY)
    }
}

impl AuthCache {
    /// Enough for every token of a large tenant; an entry is a few hundred bytes.
    pub const DEFAULT_CAPACITY: usize = 10_000;

    pub fn new(capacity: usize) -> Self {
        AuthCache {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock cannot leave an entry half-written (inserts and
        // removals are whole), so a poisoned map is still sound.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The lookup for `hash`, if it was made at `generation`. A stale entry is dropped.
    pub fn get(&self, hash: &str, generation: u64) -> Option<CachedToken> {
        let mut entries = self.lock();
        match entries.get(hash) {
            Some(e) if e.generation == generation => Some(e.token.clone()),
            Some(_) => {
                entries.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Keeps a lookup made at `generation` (read before the lookup began).
    pub fn put(&self, hash: &str, generation: u64, token: CachedToken) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(hash) {
            // Entries of older generations can never be used again; if none are, start over
            // rather than keep bookkeeping for an eviction order.
            entries.retain(|_, e| e.generation == generation);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(hash.to_owned(), Entry { generation, token });
    }

    /// Records a use written to the store (which does not change the generation).
    pub fn used(&self, hash: &str, at: i64) {
        if let Some(e) = self.lock().get_mut(hash) {
            e.token.rec.last_used_at = Some(at);
        }
    }

    pub fn len(&self) -> usize {
        self.lock().len()
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
        let cache = AuthCache::default();
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
        let cache = AuthCache::default();
        cache.put("h", 1, token("ci"));
        cache.used("h", 1234);
        assert_eq!(
            cache.get("h", 1).and_then(|t| t.rec.last_used_at),
            Some(1234)
        );
    }

    #[test]
    fn a_full_cache_drops_stale_entries_first_and_never_grows_past_its_capacity() {
        let cache = AuthCache::new(3);
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
