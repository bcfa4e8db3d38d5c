//! Invitations: sending, resending and withdrawing them, their mail, and accepting one by its link.

pub mod accept_page;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
