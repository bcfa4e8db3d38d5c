//! Access tokens below the API: creation within one's own role, the secret shown once and
//! stored only as a hash, authentication (rule 2, expiry, deactivated owners), regenerate and
//! delete taking effect on the next request — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{TestDb, caller, ctx, harness::TestApp};
use app::{
    areas::tokens::{service::TokenRequest, types::TokenStatus},
    core::{
        ids::{OrgId, UserId},
        kinds::TokenKind,
    },
    error::AppError,
    policy::{Actor, BuiltinRole, Permission, RoleId, Scope},
    server::caller::Caller,
};

struct Org {
    id: OrgId,
    admin: Caller,
}

async fn org(app: &TestApp) -> Org {
    let (id, admin) = crate::support::new_org(&app.state, "Acme").await;
    Org {
        id,
        admin: caller(&app.state, id, admin).await,
    }
}

async fn member(app: &TestApp, org: OrgId, role: BuiltinRole) -> (UserId, Caller) {
    let id = crate::support::add_member(&app.state, org, role).await;
    (id, caller(&app.state, org, id).await)
}

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
