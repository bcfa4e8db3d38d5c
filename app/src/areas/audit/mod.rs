//! The audit log: the events every change records, and reading and exporting them.

#[cfg(feature = "ssr")]
pub mod event;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
