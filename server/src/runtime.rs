//! The native implementations of what `app` asks of its platform: password hashing off the
//! request threads, and sign-in throttling.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use app::{
    backend::{PasswordHasher, SignInThrottle, passwords},
    error::AppError,
    model::Password,
};
use async_trait::async_trait;
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    state::keyed::DefaultKeyedStateStore,
};
use tokio::sync::Semaphore;

/// argon2id on the blocking pool, at most one hash per core at a time, so that a flood of
/// sign-ins queues behind the semaphore instead of starving every other request.
pub struct BlockingHasher {
    permits: Arc<Semaphore>,
}

impl BlockingHasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        BlockingHasher {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::internal(&e))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| AppError::internal(&e))
    }
}

impl Default for BlockingHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl PasswordHasher for BlockingHasher {
    async fn hash(&self, password: Password) -> Result<String, AppError> {
        self.run(move || passwords::hash_blocking(password.expose()))
            .await?
    }

    async fn verify(&self, password: Password, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || passwords::verify_blocking(password.expose(), hash.as_deref()))
            .await
    }
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// GCRA limits: per account-and-address pair (stops guessing one account's password) and per
/// address (stops spraying many accounts). The owner signing in from elsewhere is unaffected.
pub struct GovernorThrottle {
    per_pair: Keyed<(String, String)>,
    per_addr: Keyed<String>,
    per_recipient: Keyed<String>,
    clock: DefaultClock,
}

impl GovernorThrottle {
    /// Ten attempts at one account from one address, then one a minute.
    pub const PAIR_BURST: u32 = 10;
    /// Thirty attempts from one address, then one every two seconds.
    pub const ADDR_BURST: u32 = 30;
    /// Five sign-up messages to one address, then one every ten minutes, from anywhere.
    pub const RECIPIENT_BURST: u32 = 5;

    pub fn new() -> Self {
        let quota = |period: Duration, burst: u32| {
            Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        GovernorThrottle {
            per_pair: RateLimiter::keyed(quota(Duration::from_secs(60), Self::PAIR_BURST)),
            per_addr: RateLimiter::keyed(quota(Duration::from_secs(2), Self::ADDR_BURST)),
            per_recipient: RateLimiter::keyed(quota(
                Duration::from_secs(600),
                Self::RECIPIENT_BURST,
            )),
            clock: DefaultClock::default(),
        }
    }

    /// Forgets keys whose limits have fully recovered (called periodically).
    pub fn forget_idle(&self) {
        self.per_pair.retain_recent();
        self.per_addr.retain_recent();
        self.per_recipient.retain_recent();
        self.per_pair.shrink_to_fit();
        self.per_addr.shrink_to_fit();
        self.per_recipient.shrink_to_fit();
    }
}

impl Default for GovernorThrottle {
    fn default() -> Self {
        Self::new()
    }
}

impl SignInThrottle for GovernorThrottle {
    fn check(&self, client_addr: &str, account: &str) -> Result<(), u64> {
        let now = self.clock.now();
        self.per_pair
            .check_key(&(client_addr.to_string(), account.to_string()))
            .map_err(|n| n.wait_time_from(now).as_secs().max(1))?;
        self.per_addr
            .check_key(&client_addr.to_string())
            .map_err(|n| n.wait_time_from(now).as_secs().max(1))
    }

    fn check_recipient(&self, recipient: &str) -> Result<(), u64> {
        let now = self.clock.now();
        self.per_recipient
            .check_key(&recipient.to_string())
            .map_err(|n| n.wait_time_from(now).as_secs().max(1))
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
}
