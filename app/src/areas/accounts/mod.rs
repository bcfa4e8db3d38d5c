//! Accounts: signing in and out, open sign-up, the profile, and `GET /api/v1/me`.

pub mod pages;
pub mod profile_page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod signups;
#[cfg(feature = "ssr")]
pub mod store;
