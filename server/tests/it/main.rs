//! The server's integration tests, one module per area, in one binary: the support code and
//! the application compile and link once. nextest still runs each test in its own process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod api;
mod cli;
mod conformance;
mod directory;
mod http;
mod invitations;
mod matrix;
mod signups;
mod tokens;
