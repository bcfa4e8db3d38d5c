//! Organizations: creating and leaving one, its settings, and the frame every organization page shares.

pub mod frame;
pub mod header;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;
