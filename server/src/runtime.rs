//! The native implementation of what `app` asks of its platform for sign-in throttling
//! (password hashing is in `hashing`).

use app::server::SignInThrottle;
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    nanos::Nanos,
    state::{
        StateStore,
        keyed::{DashMapStateStore, ShrinkableKeyedStateStore},
    },
};
use ipnet::Ipv6Net;
use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

/// A keyed GCRA state store holding at most `cap` keys. When it is full, a key it does not hold
/// is measured as a fresh one and not stored: its attempt passes this limit uncounted. Refusing
/// it instead would let whoever fills the table (many addresses are cheap, IPv6 /64s above all)
/// shut everyone else out of signing in, while the per-account limit in the database holds
/// regardless. The owner purges recovered keys before it comes to that.
struct CappedStore<K: Hash + Eq + Clone> {
    map: DashMapStateStore<K>,
    cap: usize,
}

impl<K: Hash + Eq + Clone> StateStore for CappedStore<K> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        if self.map.len() >= self.cap && !self.map.contains_key(key) {
            return f(None).map(|(outcome, _)| outcome);
        }
        self.map.measure_and_replace(key, f)
    }
}

impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<K> for CappedStore<K> {
    fn retain_recent(&self, drop_below: Nanos) {
        self.map.retain_recent(drop_below);
    }

    fn shrink_to_fit(&self) {
        self.map.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

type Keyed<K> = RateLimiter<K, CappedStore<K>, DefaultClock>;

fn keyed<K: Hash + Eq + Clone>(period: Duration, burst: u32, cap: usize) -> Keyed<K> {
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
    let store = CappedStore {
        map: DashMapStateStore::default(),
        cap,
    };
    RateLimiter::new(quota, store, DefaultClock::default())
}

/// What the throttle keys an address by: an IPv4 address, or the /64 an IPv6 address is in
/// (one subscriber's network: a single host commonly has all of it to pick addresses from).
pub fn address_key(client: &str) -> String {
    match client.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(v6)) => Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        Ok(ip) => ip.to_string(),
        // Only ever "unknown" (no peer address); bounded all the same.
        Err(_) => client.chars().take(64).collect(),
    }
}

/// GCRA limits on this server: per address (stops spraying many accounts; consulted first),
/// per account-and-address pair (stops guessing one account's password; the owner signing in
/// from elsewhere is unaffected), and on failed token authentications per address. Each table
/// holds a bounded number of keys (see [`CappedStore`]).
pub struct GovernorThrottle {
    per_addr: Keyed<String>,
    per_recipient: Keyed<String>,
    per_pair: Keyed<(String, String)>,
    auth_failures: Keyed<String>,
    /// Addresses over the failed-authentication limit, and until when.
    blocked: Mutex<HashMap<String, Instant>>,
    cap: usize,
    /// When recovered keys were last purged because a table was full.
    last_purge: Mutex<Option<Instant>>,
    clock: DefaultClock,
}

impl GovernorThrottle {
    /// Ten attempts at one account from one address, then one a minute.
    pub const PAIR_BURST: u32 = 10;
    /// Thirty attempts from one address, then one every two seconds.
    pub const ADDR_BURST: u32 = 30;
    /// Five sign-up messages to one address, then one every ten minutes, from anywhere.
    pub const RECIPIENT_BURST: u32 = 5;
    /// Twenty failed token authentications from one address, then one every three seconds.
    pub const AUTH_FAILURE_BURST: u32 = 20;
    /// Keys per table: some tens of megabytes at worst.
    pub const MAX_KEYS: usize = 100_000;

    pub fn new() -> Self {
        Self::with_capacity(Self::MAX_KEYS)
    }

    /// A throttle whose tables hold at most `cap` keys each.
    pub fn with_capacity(cap: usize) -> Self {
        GovernorThrottle {
            per_addr: keyed(Duration::from_secs(2), Self::ADDR_BURST, cap),
            per_pair: keyed(Duration::from_secs(60), Self::PAIR_BURST, cap),
            auth_failures: keyed(Duration::from_secs(3), Self::AUTH_FAILURE_BURST, cap),
            blocked: Mutex::default(),
            cap,
            last_purge: Mutex::default(),
            per_recipient: keyed(Duration::from_secs(600), Self::RECIPIENT_BURST, cap),
            clock: DefaultClock::default(),
        }
    }

    /// Forgets keys whose limits have fully recovered (called periodically, and when a table
    /// fills up).
    pub fn forget_idle(&self) {
        for limiter in [&self.per_addr, &self.auth_failures] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.per_pair.retain_recent();
        self.per_pair.shrink_to_fit();
        self.per_recipient.retain_recent();
        self.per_recipient.shrink_to_fit();
        let now = Instant::now();
        lock(&self.blocked).retain(|_, until| *until > now);
    }

    /// How many keys the tables hold, all together.
    pub fn keys(&self) -> usize {
        self.per_addr.len()
            + self.per_pair.len()
            + self.auth_failures.len()
            + self.per_recipient.len()
            + lock(&self.blocked).len()
    }

    /// Purges recovered keys when a table is full, at most once a second: a full table of keys
    /// still in use would otherwise be scanned on every attempt.
    fn purge_if_full(&self) {
        let full = self.per_addr.len() >= self.cap
            || self.per_pair.len() >= self.cap
            || self.auth_failures.len() >= self.cap
            || self.per_recipient.len() >= self.cap;
        if !full {
            return;
        }
        let now = Instant::now();
        {
            let mut last = lock(&self.last_purge);
            if last.is_some_and(|t| now.duration_since(t) < Duration::from_secs(1)) {
                return;
            }
            *last = Some(now);
        }
        self.forget_idle();
        tracing::warn!(
            keys = self.keys(),
            "a throttle table is full; new addresses pass the in-memory limits uncounted"
        );
    }

    fn wait_secs(&self, not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
        not_until.wait_time_from(self.clock.now()).as_secs().max(1)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Default for GovernorThrottle {
    fn default() -> Self {
        Self::new()
    }
}

impl SignInThrottle for GovernorThrottle {
    fn check(&self, client_addr: &str, account: &str) -> Result<(), u64> {
        self.purge_if_full();
        let addr = address_key(client_addr);
        self.per_addr
            .check_key(&addr)
            .map_err(|n| self.wait_secs(&n))?;
        // Callers pass checked accounts; anything longer is kept as its hash all the same.
        let account = if account.len() > 320 {
            app::server::secrets::sha256_hex(account)
        } else {
            account.to_string()
        };
        self.per_pair
            .check_key(&(addr, account))
            .map_err(|n| self.wait_secs(&n))
    }

    fn failures_blocked(&self, client_addr: &str) -> Result<(), u64> {
        let blocked = lock(&self.blocked);
        if blocked.is_empty() {
            return Ok(());
        }
        match blocked.get(&address_key(client_addr)) {
            Some(until) => {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    Ok(())
                } else {
                    Err(left.as_secs_f64().ceil().max(1.0) as u64)
                }
            }
            None => Ok(()),
        }
    }

    fn failed(&self, client_addr: &str) -> Result<(), u64> {
        self.purge_if_full();
        let addr = address_key(client_addr);
        match self.auth_failures.check_key(&addr) {
            Ok(()) => Ok(()),
            Err(n) => {
                let wait = n.wait_time_from(self.clock.now());
                let mut blocked = lock(&self.blocked);
                if blocked.len() >= self.cap {
                    let now = Instant::now();
                    blocked.retain(|_, until| *until > now);
                }
                if blocked.len() < self.cap {
                    blocked.insert(addr, Instant::now() + wait);
                }
                Err(wait.as_secs().max(1))
            }
        }
    }

    fn check_recipient(&self, recipient: &str) -> Result<(), u64> {
        self.purge_if_full();
        self.per_recipient
            .check_key(&recipient.to_string())
            .map_err(|n| self.wait_secs(&n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_limit_bites_before_the_twentieth_attempt_but_not_elsewhere() {
        let t = GovernorThrottle::new();
        let mut refused_at = None;
        for i in 1..=20 {
            if t.check("203.0.113.9", "ada@example.com").is_err() {
                refused_at = Some(i);
                break;
            }
        }
        assert_eq!(refused_at, Some(GovernorThrottle::PAIR_BURST + 1));
        assert!(
            t.check("198.51.100.7", "ada@example.com").is_ok(),
            "owner elsewhere"
        );
        assert!(
            t.check("203.0.113.9", "grace@example.com").is_ok(),
            "other account, same address"
        );
    }

    #[test]
    fn address_limit_stops_spraying_many_accounts() {
        let t = GovernorThrottle::new();
        let allowed = (0..50)
            .take_while(|i| {
                t.check("203.0.113.9", &format!("user{i}@example.com"))
                    .is_ok()
            })
            .count();
        assert_eq!(allowed as u32, GovernorThrottle::ADDR_BURST);
        assert!(t.check("198.51.100.7", "user1@example.com").is_ok());
    }

    #[test]
    fn recipient_limit_holds_whoever_asks() {
        let t = GovernorThrottle::new();
        let allowed = (0..10)
            .take_while(|_| t.check_recipient("ada@example.com").is_ok())
            .count();
        assert_eq!(allowed as u32, GovernorThrottle::RECIPIENT_BURST);
        assert!(t.check_recipient("grace@example.com").is_ok());
        assert!(
            t.check("203.0.113.9", "ada@example.com").is_ok(),
            "signing in is another limit"
        );
    }

    #[test]
    fn the_address_limit_is_consulted_first_and_adds_no_pairs() {
        let t = GovernorThrottle::new();
        for i in 0..GovernorThrottle::ADDR_BURST {
            assert!(
                t.check("203.0.113.9", &format!("user{i}@example.com"))
                    .is_ok()
            );
        }
        let pairs = t.per_pair.len();
        assert_eq!(pairs, GovernorThrottle::ADDR_BURST as usize);
        for i in 0..100 {
            assert!(
                t.check("203.0.113.9", &format!("other{i}@example.com"))
                    .is_err()
            );
        }
        assert_eq!(t.per_pair.len(), pairs, "refused attempts stored no pair");
    }

    #[test]
    fn full_tables_store_no_more_keys_and_still_limit_the_ones_they_hold() {
        let t = GovernorThrottle::with_capacity(3);
        for addr in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
            assert!(t.check(addr, "ada@example.com").is_ok());
        }
        for i in 0..50 {
            let addr = format!("198.51.100.{i}");
            assert!(
                t.check(&addr, "ada@example.com").is_ok(),
                "new address {addr}"
            );
            assert!(t.failed(&addr).is_ok());
        }
        assert!(
            t.per_addr.len() <= 3 && t.per_pair.len() <= 3,
            "{}",
            t.keys()
        );
        assert!(t.auth_failures.len() <= 3, "{}", t.keys());
        // An address the table holds is limited as before.
        let refused = (0..GovernorThrottle::PAIR_BURST)
            .filter(|_| t.check("203.0.113.1", "ada@example.com").is_err())
            .count();
        assert_eq!(refused, 1, "the held pair was refused after its burst");
    }

    #[test]
    fn ipv6_addresses_are_throttled_per_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(address_key("203.0.113.9"), "203.0.113.9");
        let t = GovernorThrottle::new();
        for i in 0..GovernorThrottle::ADDR_BURST {
            let addr = format!("2001:db8:1:2::{i:x}");
            assert!(t.check(&addr, &format!("user{i}@example.com")).is_ok());
        }
        assert!(
            t.check("2001:db8:1:2:ffff::1", "new@example.com").is_err(),
            "another address in the same /64"
        );
        assert!(t.check("2001:db8:1:3::1", "new@example.com").is_ok());
    }

    #[test]
    fn failed_authentications_block_the_address_until_the_wait_has_passed() {
        let t = GovernorThrottle::new();
        for _ in 0..GovernorThrottle::AUTH_FAILURE_BURST {
            assert!(t.failures_blocked("203.0.113.9").is_ok());
            assert!(t.failed("203.0.113.9").is_ok());
        }
        let wait = t.failed("203.0.113.9").expect_err("over the limit");
        assert!(wait >= 1);
        assert!(t.failures_blocked("203.0.113.9").is_err());
        assert!(t.failures_blocked("198.51.100.7").is_ok());
        // Sign-in's limits are separate.
        assert!(t.check("203.0.113.9", "ada@example.com").is_ok());
    }
}
