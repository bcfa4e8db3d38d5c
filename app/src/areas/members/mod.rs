//! Members: the list, one member's page, changing their roles and groups, deactivating and removing them.

pub mod badges;
pub mod detail_page;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod tabs;
pub mod types;
