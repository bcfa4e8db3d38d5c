//! Access tokens below the API: creation within one's own role, the secret shown once and
//! stored only as a hash, authentication (rule 2, expiry, deactivated owners), regenerate and
//! delete taking effect on the next request — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{TestDb, ctx, harness::TestApp};
use app::{
    areas::tokens::{service::TokenRequest, types::TokenStatus},
    core::kinds::TokenKind,
    error::AppError,
    policy::{Actor, BuiltinRole, Permission, RoleId, Scope},
};

fn req(kind: TokenKind, role: BuiltinRole, days: Option<u32>) -> TokenRequest {
    TokenRequest {
        name: "CI deploys".into(),
        kind,
        role: RoleId::Builtin(role),
        expires_in_days: days,
    }
}

mod lifetime;
mod reuse;
