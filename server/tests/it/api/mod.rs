//! The REST API through the real router, on both databases: every endpoint as every kind of
//! token (the exact status rules 1–5 give each), the OpenAPI document against the routes the
//! router serves, tokens following their owners, problem documents, paging and the audit export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{
    TestDb, TestOrg, ctx,
    harness::{Reply, TestApp},
};
use app::{
    areas::{
        invitations::{service as inv, types::InviteRequest},
        organizations::types::OrgSettings,
        tokens::service::TokenRequest,
    },
    core::kinds::TokenKind,
    policy::{Binding, BuiltinRole, Permission, PermissionSet, RoleId},
    server::caller::Caller,
};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn bind(role: BuiltinRole) -> Binding {
    Binding {
        role: RoleId::Builtin(role),
        project: None,
    }
}

impl TestApp {
    async fn api(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.api_from(method, path, bearer, body, "192.0.2.20")
            .await
    }

    async fn api_from(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
        from: &str,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap(), from).await
    }
}

fn json_of(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

mod document;
mod languages;
mod limits;
mod matrix;
mod owners;
mod problems;
mod rules;
