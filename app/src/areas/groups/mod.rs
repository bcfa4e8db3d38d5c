//! Groups: their members and the roles they carry.

pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;
