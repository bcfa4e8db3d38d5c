//! Sign-up, sign-in, sessions and the request guards, through the real router on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{
    TestDb,
    harness::{ORIGIN, TestApp},
};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use std::sync::atomic::Ordering;

const PASSWORD: &str = "correct horse battery";

async fn signed_up(t: &TestDb) -> (TestApp, String) {
    let app = TestApp::new(t, false).await;
    let r = app
        .sign_up("Acme Corp", "Ada Lovelace", "Ada@Example.com", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r.session_cookie().expect("signed in after sign-up");
    (app, cookie)
}

mod errors;
mod guards;
mod languages;
mod pages;
mod sessions;
mod signin;
mod signin_load;
