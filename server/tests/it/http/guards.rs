//! The request guards: CSRF, rule 5 across organizations, security headers, body limits,
//! health and readiness.

use super::*;

async fn cross_origin_posts_are_refused_and_change_nothing(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let forged = |origin: Option<&str>| {
        let mut req = Request::post("/api/signout")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("gatehouse_session={cookie}"));
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        req.body(Body::empty()).unwrap()
    };
    for origin in [Some("http://evil.example"), Some("null"), None] {
        let r = app.send(forged(origin), "192.0.2.40").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    // An Authorization header riding along does not exempt a server function, which
    // authenticates by the cookie.
    for auth in ["Bearer gth_o_whatever", "Basic eDp5"] {
        let mut req = forged(Some("http://evil.example"));
        req.headers_mut()
            .insert(header::AUTHORIZATION, auth.parse().unwrap());
        let r = app.send(req, "192.0.2.40").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{auth}");
    }
    let cross_site = Request::post("/api/signout")
        .header(header::COOKIE, format!("gatehouse_session={cookie}"))
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(cross_site, "192.0.2.40").await.status,
        StatusCode::FORBIDDEN
    );
    // Still signed in: the forged sign-outs did nothing.
    assert_eq!(
        app.get_page("/o/acme-corp/members", Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
    let same_origin = app.send(forged(Some(ORIGIN)), "192.0.2.40").await;
    assert_eq!(same_origin.status, StatusCode::OK);
}

async fn another_organization_answers_as_not_found(t: &TestDb) {
    let app = TestApp::new(t, true).await;
    let ada = app
        .sign_up("Acme", "Ada", "ada@example.com", PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    let grace = app
        .sign_up_confirmed("Beta", "Grace", "grace@example.com", PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    let foreign = app.get_page("/o/beta/members", Some(&ada)).await;
    let missing = app.get_page("/o/no-such-org/members", Some(&ada)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(!foreign.body.contains("Grace") && !foreign.body.contains("grace@example.com"));
    let own = app.get_page("/o/beta/members", Some(&grace)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("ada@example.com"), "only Beta's members");
}

async fn pages_carry_security_headers(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let page = app.get_page("/signin", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("'nonce-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    let other = app.get_page("/signin", None).await;
    assert_ne!(
        other.header("content-security-policy"),
        Some(csp),
        "a fresh nonce per response"
    );
}

async fn https_deployments_send_strict_transport_security(t: &TestDb) {
    let plain = TestApp::new(t, false).await;
    let page = plain.get_page("/signin", None).await;
    assert_eq!(
        page.header("strict-transport-security"),
        None,
        "not over http"
    );
    let tls = TestApp::with_args(t, &["--public-url", "https://gatehouse.example.com"]).await;
    let page = tls.get_page("/signin", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    let api = tls.get_page("/api/v1/openapi.json", None).await;
    assert!(
        api.header("strict-transport-security").is_some(),
        "the API too"
    );
}

async fn oversized_bodies_are_refused(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = app.sign_in(&huge, PASSWORD, "192.0.2.60").await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        app.state.store.audit_events(None, 10).await.unwrap().len(),
        0
    );
}

async fn health_and_readiness_answer(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    for path in ["/healthz", "/readyz"] {
        let r = app
            .send(Request::get(path).body(Body::empty()).unwrap(), "127.0.0.1")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["status"], "ok");
    }
}

on_both_databases!(
    cross_origin_posts_are_refused_and_change_nothing,
    https_deployments_send_strict_transport_security,
    another_organization_answers_as_not_found,
    pages_carry_security_headers,
    oversized_bodies_are_refused,
    health_and_readiness_answer,
);
