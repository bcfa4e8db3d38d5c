//! Who is asking: session cookies, password hashing, the CSRF check of the console's
//! requests, and the cache of recent lookups.

pub mod bearer;
pub mod cache;
pub mod csrf;
pub mod password;
pub mod session;
pub mod token_secret;
