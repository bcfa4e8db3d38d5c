//! Access tokens: user and organization tokens, their secrets, and authenticating a bearer token.

pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;
