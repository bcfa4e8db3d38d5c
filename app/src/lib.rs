//! Gatehouse: organizations, members, roles, groups, invitations and access tokens.
//!
//! The library holds everything but the entry points: models and policy shared by browser and
//! server, the console's UI, the server functions, and (feature `ssr`) the services behind them.

pub mod areas;
pub mod core;
pub mod error;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

pub use ui::{App, shell};
