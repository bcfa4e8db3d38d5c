//! Accounts: signing in and out, open sign-up, the profile, and `GET /api/v1/me`.

pub mod pages;
pub mod profile_page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
pub mod signup_types;
#[cfg(feature = "ssr")]
pub mod signups;
#[cfg(feature = "ssr")]
pub mod store;
pub mod types;
