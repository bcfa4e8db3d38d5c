//! The product by area. Each area keeps one feature in one place: its shared types, its
//! pages, its server functions, and (on the server) its services and REST handlers. Services are
//! the use cases: every permission decision goes through `policy`, and both the server functions
//! and the REST handlers call them and nothing else. The store traits the services use are in
//! `server::store`, implemented by the entry crate.

pub mod accounts;
pub mod audit;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod projects;
pub mod roles;
#[cfg(feature = "ssr")]
pub mod shared;
pub mod tokens;
