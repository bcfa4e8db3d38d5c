//! Invitations: sending, resending and withdrawing them, their mail, and accepting one by its link.

pub mod accept_page;
#[cfg(feature = "ssr")]
pub mod acceptance;
pub mod actions;
pub mod bulk_form;
#[cfg(feature = "ssr")]
pub mod catalogue;
pub mod invite_form;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod sender;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;
