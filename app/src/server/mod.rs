//! What runs only on a server: services (the domain operations), the store boundary,
//! authentication. It compiles for wasm32 too, so the Worker target can run it; anything that
//! needs an OS (threads, sockets, files) comes in through a trait from the entry crate.

pub mod auth;
pub mod caller;
pub mod language;
pub mod mail;
pub mod rest;
pub mod secrets;
pub mod serverfns;
pub mod store;

use crate::error::AppError;
pub use crate::server::store::Store;
use async_trait::async_trait;
use std::sync::Arc;

/// Current time in milliseconds since the Unix epoch, UTC.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> i64;
}

/// The operating system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// Password hashing is CPU-bound: the entry crate runs it where it cannot starve requests.
#[async_trait]
pub trait PasswordHasher: Send + Sync + 'static {
    async fn hash(&self, password: crate::core::validate::Password) -> Result<String, AppError>;
    /// Verifies against `hash`, or against a dummy hash when there is none, in the same time.
    async fn verify(
        &self,
        password: crate::core::validate::Password,
        hash: Option<String>,
    ) -> Result<bool, AppError>;
}

/// This server's throttling of attempts at secrets (sign-in, invitation links, access tokens)
/// per client address and per account-and-address pair. The per-account limit across servers
/// is in the database instead ([`Store::count_attempt`]).
pub trait SignInThrottle: Send + Sync + 'static {
    /// `Err(seconds)` to wait when the attempt is over a limit; counts the attempt otherwise.
    /// The address's limit is consulted first, so that an address over it adds no pair.
    fn check(&self, client_addr: &str, account: &str) -> Result<(), u64>;
    /// Mail that anyone may have sent to `recipient` (sign-up), whichever address asks: a few,
    /// then rarely. `Err(seconds)` when over the limit; counts the message otherwise.
    fn check_recipient(&self, recipient: &str) -> Result<(), u64>;
    /// `Err(seconds)` while failed authentications from this address are over their limit, to
    /// refuse its next one before looking anything up. Counts nothing.
    fn failures_blocked(&self, client_addr: &str) -> Result<(), u64>;
    /// Counts a failed authentication from this address; `Err(seconds)` when that puts the
    /// address over the limit.
    fn failed(&self, client_addr: &str) -> Result<(), u64>;
}

/// Settings the services need, resolved from configuration by the entry crate.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Scheme, host and port of the public URL, e.g. `https://gatehouse.example.com`.
    pub public_origin: String,
    /// Whether cookies get `Secure` and the `__Host-` prefix (the public URL is https).
    pub secure_cookies: bool,
    /// Anyone may create an organization, not only on first run.
    pub open_signup: bool,
    pub session_idle_ms: i64,
    pub session_absolute_ms: i64,
}

impl AppConfig {
    pub const SESSION_IDLE_MS: i64 = 12 * 60 * 60 * 1000;
    pub const SESSION_ABSOLUTE_MS: i64 = 30 * 24 * 60 * 60 * 1000;

    pub fn new(public_origin: &str, open_signup: bool) -> Self {
        AppConfig {
            public_origin: public_origin.trim_end_matches('/').to_string(),
            secure_cookies: public_origin.starts_with("https://"),
            open_signup,
            session_idle_ms: Self::SESSION_IDLE_MS,
            session_absolute_ms: Self::SESSION_ABSOLUTE_MS,
        }
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-gatehouse_session"
        } else {
            "gatehouse_session"
        }
    }
}

/// Everything a request handler needs, provided to server functions as context.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub passwords: Arc<dyn PasswordHasher>,
    pub throttle: Arc<dyn SignInThrottle>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Authentication lookups (tokens, sessions, the person's membership and languages) reused
    /// while the store's generation stays the same.
    pub auth_cache: Arc<auth::cache::AuthCache>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The client's address, put on each request by the entry crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// What a service needs to know about the request it serves.
#[derive(Debug, Clone, Default)]
pub struct RequestCtx {
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// The session cookie's value, if the request carried one.
    pub session_secret: Option<String>,
}

impl RequestCtx {
    pub fn from_parts(parts: &http::request::Parts, config: &AppConfig) -> Self {
        let client_addr = parts
            .extensions
            .get::<ClientAddr>()
            .map(|a| a.0.to_string());
        let user_agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect());
        let session_secret =
            auth::session::cookie_value(&parts.headers, config.session_cookie_name());
        RequestCtx {
            client_addr,
            user_agent,
            session_secret,
        }
    }
}

/// The state provided to server functions, or an internal error if it is missing.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        AppError::internal(&std::io::Error::other(
            "AppState is not in the request context",
        ))
    })
}
