//! Sign-up, sign-in, sessions and the request guards, through the real router on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;

use crate::support::TestDb;
use crate::support::harness::ORIGIN;
use crate::support::harness::TestApp;
use axum::body::Body;
use axum::http::Request;
use axum::http::StatusCode;
use axum::http::header;

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

async fn first_run_sign_up_creates_the_organization_and_signs_in(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let page = app.get_page("/", None).await;
    assert_eq!(
        page.header("location"),
        Some("/signup"),
        "first run offers sign-up"
    );

    let r = app
        .sign_up("Acme Corp", "Ada Lovelace", "Ada@Example.com", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "\"/o/acme-corp/members\"");
    let set_cookie = r.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    let cookie = r.session_cookie().unwrap();
    assert_eq!(cookie.len(), 43, "256-bit secret, base64url");

    let page = app.get_page("/o/acme-corp/members", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Acme Corp"));
    assert!(page.body.contains("Ada Lovelace"));
    assert!(
        page.body.contains("ada@example.com"),
        "email stored lower-cased"
    );
    assert!(page.body.contains(">Admin<"), "the founder is an Admin");

    let home = app.get_page("/", Some(&cookie)).await;
    assert_eq!(home.header("location"), Some("/o/acme-corp/members"));

    let org = app
        .state
        .store
        .organization_by_slug("acme-corp")
        .await
        .unwrap()
        .unwrap();
    let org_events = app
        .state
        .store
        .audit_events(Some(org.id), 10)
        .await
        .unwrap();
    assert_eq!(
        org_events
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["organization.created"]
    );
    let auth_events = app.state.store.audit_events(None, 10).await.unwrap();
    assert_eq!(
        auth_events
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["user.signed_in"]
    );
}

async fn sign_up_closes_once_an_organization_exists(t: &TestDb) {
    let (app, _) = signed_up(t).await;
    let page = app.get_page("/signup", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Sign-up is not available"));
    assert!(!page.body.contains("Create organization"));

    let r = app
        .sign_up("Second", "Grace", "grace@example.com", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.session_cookie().is_none());
    assert_eq!(
        app.state.store.organization_count().await.unwrap(),
        1,
        "nothing changed"
    );
}

async fn open_sign_up_lets_anyone_create_an_organization(t: &TestDb) {
    let app = TestApp::new(t, true).await;
    // First run creates at once; afterwards the address is confirmed first.
    let first = app
        .sign_up("Acme", "Someone", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body, "\"/o/acme/members\"");
    let second = app
        .sign_up_confirmed("Acme", "Someone", "grace@example.com", PASSWORD)
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body, "\"/o/acme-2/members\"");
    assert!(
        app.state
            .store
            .organization_by_slug("acme-2")
            .await
            .unwrap()
            .is_some()
    );
    let again = app
        .sign_up("Other", "Someone", "ADA@example.com", PASSWORD)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.session_cookie().is_none());
    assert_eq!(app.state.store.organization_count().await.unwrap(), 2);
}

async fn bad_sign_up_input_is_422_per_field_and_changes_nothing(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let r = app.sign_up("", "Ada", "not-an-email", "short").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let fields = &v["Validation"]["fields"];
    assert_eq!(fields["org_name"], "Enter an organization name");
    assert_eq!(
        fields["email"],
        "An email address looks like name@example.com"
    );
    assert_eq!(fields["password"], "A password has at least 8 characters");
    assert!(fields.get("name").is_none());
    let common = app
        .sign_up("Acme", "Ada", "ada@example.com", "password123")
        .await;
    assert_eq!(common.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(common.body.contains("too common"));
    assert_eq!(app.state.store.organization_count().await.unwrap(), 0);
}

async fn wrong_email_and_wrong_password_answer_alike(t: &TestDb) {
    let (app, _) = signed_up(t).await;
    let before = app.hasher.verifies.load(Ordering::SeqCst);
    let wrong_password = app
        .sign_in("ada@example.com", "not the password", "192.0.2.20")
        .await;
    let unknown_email = app
        .sign_in("nobody@example.com", "not the password", "192.0.2.21")
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status, wrong_password.status);
    assert_eq!(unknown_email.body, wrong_password.body);
    assert!(
        wrong_password
            .body
            .contains("The email or password is incorrect")
    );
    assert!(wrong_password.session_cookie().is_none() && unknown_email.session_cookie().is_none());
    // Same work: each attempt verified one argon2 hash, the unknown email against a dummy.
    assert_eq!(app.hasher.verifies.load(Ordering::SeqCst) - before, 2);
    assert_eq!(app.hasher.verifies_without_hash.load(Ordering::SeqCst), 1);

    let failures: Vec<_> = app
        .state
        .store
        .audit_events(None, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "user.sign_in_failed")
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(failures.iter().all(|e| e.actor.kind == "anonymous"));
    assert!(
        failures
            .iter()
            .any(|e| e.target.label == "nobody@example.com" && e.target.id.is_none())
    );
    assert!(
        failures
            .iter()
            .any(|e| e.client_addr.as_deref() == Some("192.0.2.20"))
    );
}

async fn sign_in_and_sign_out(t: &TestDb) {
    let (app, first) = signed_up(t).await;
    let r = app
        .sign_in("  ADA@example.com ", PASSWORD, "192.0.2.30")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "\"/o/acme-corp/members\"");
    let second = r.session_cookie().unwrap();
    assert_ne!(first, second);

    let out = app
        .post_form("/api/signout", &[], Some(&second), "192.0.2.30")
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(out.session_cookie().as_deref(), Some(""), "cookie cleared");
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    let page = app.get_page("/o/acme-corp/members", Some(&second)).await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(page.header("location"), Some("/signin"));
    // The other session is untouched.
    assert_eq!(
        app.get_page("/o/acme-corp/members", Some(&first))
            .await
            .status,
        StatusCode::OK
    );

    let actions: Vec<String> = app
        .state
        .store
        .audit_events(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["user.signed_out", "user.signed_in", "user.signed_in"]
    );
}

async fn repeated_wrong_passwords_are_throttled_per_address_not_for_the_owner(t: &TestDb) {
    let (app, _) = signed_up(t).await;
    let mut first_429 = None;
    for attempt in 1..=20 {
        let r = app
            .sign_in("ada@example.com", "guess guess guess", "203.0.113.9")
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            first_429 = Some(attempt);
            assert!(r.body.contains("Too many sign-in attempts"), "{}", r.body);
            let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
            assert!(retry >= 1);
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let n = first_429.expect("throttled within twenty attempts");
    assert!(n < 20, "429 before the twentieth attempt (got it at {n})");
    // Even the right password is refused from that address for now…
    let blocked = app
        .sign_in("ada@example.com", PASSWORD, "203.0.113.9")
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    // …but the owner, from another address, is not locked out.
    let owner = app
        .sign_in("ada@example.com", PASSWORD, "198.51.100.7")
        .await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

async fn over_long_emails_are_field_errors_and_use_up_no_attempts(t: &TestDb) {
    let (app, _) = signed_up(t).await;
    let long = format!("{}@example.com", "a".repeat(250));
    let huge = format!("{}@example.com", "b".repeat(100_000));
    // More than the address's and any pair's allowance: none of them may count.
    for i in 0..40 {
        let email = if i % 2 == 0 { &long } else { &huge };
        let r = app.sign_in(email, "guess guess guess", "203.0.113.9").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            v["Validation"]["fields"]["email"],
            "An email address has at most 254 characters"
        );
    }
    let r = app
        .sign_in("ada@example.com", PASSWORD, "203.0.113.9")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn one_account_is_delayed_across_servers_and_others_are_not(t: &TestDb) {
    use app::areas::accounts::service::ACCOUNT_DELAY_STEP_MS;
    use app::areas::accounts::service::ACCOUNT_FREE_ATTEMPTS;
    use app::areas::accounts::service::ACCOUNT_WINDOW_MS;
    let (one, _) = signed_up(t).await;
    let two = TestApp::new(t, false).await;
    // A botnet: every attempt from another address, alternating between the two servers, so
    // that neither server's own limits ever bite. Both clocks stand still.
    let mut n = 0;
    let mut attempt = |password: &'static str, account: &'static str| {
        n += 1;
        let server = if n % 2 == 0 { &one } else { &two };
        let from = format!("198.51.100.{n}");
        async move { server.sign_in(account, password, &from).await }
    };
    for _ in 0..=ACCOUNT_FREE_ATTEMPTS {
        let r = attempt("guess guess guess", "ada@example.com").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    // The attempt after the free ones went through; the next has to wait one step.
    let r = attempt("guess guess guess", "ada@example.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(
        r.body
            .contains("Too many sign-in attempts. Wait 30 seconds"),
        "{}",
        r.body
    );
    let step_secs = (ACCOUNT_DELAY_STEP_MS / 1000).to_string();
    assert_eq!(r.header("retry-after"), Some(step_secs.as_str()));
    // Even the right password waits, on either server…
    for _ in 0..2 {
        let r = attempt(PASSWORD, "ada@example.com").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    }
    // …while another account is not delayed at all.
    let r = attempt("guess guess guess", "grace@example.com").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // A delay, not a lockout: once it has passed the owner gets in.
    for app in [&one, &two] {
        app.clock.advance_ms(ACCOUNT_DELAY_STEP_MS);
    }
    let r = attempt(PASSWORD, "ada@example.com").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The next attempt waits two steps now.
    let r = attempt("guess guess guess", "ada@example.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(
        r.header("retry-after"),
        Some((2 * ACCOUNT_DELAY_STEP_MS / 1000).to_string().as_str())
    );

    // The housekeeping forgets ended windows, and a new window starts afresh.
    let now = one.state.now();
    assert_eq!(
        one.state
            .store
            .delete_attempt_windows(now - ACCOUNT_WINDOW_MS)
            .await
            .unwrap(),
        0,
        "the current windows are kept"
    );
    for app in [&one, &two] {
        app.clock.advance_ms(ACCOUNT_WINDOW_MS);
    }
    let later = one.state.now();
    assert_eq!(
        one.state
            .store
            .delete_attempt_windows(later - ACCOUNT_WINDOW_MS)
            .await
            .unwrap(),
        2,
        "ada's and grace's ended windows"
    );
    let r = attempt("guess guess guess", "ada@example.com").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}

/// The `client_addr` of the newest installation-wide audit event.
async fn last_sign_in_address(app: &TestApp) -> Option<String> {
    let events = app.state.store.audit_events(None, 1).await.unwrap();
    assert_eq!(events[0].action, "user.sign_in_failed");
    events[0].client_addr.clone()
}

async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client(t: &TestDb) {
    let app = TestApp::with_args(t, &["--trusted-proxies", "10.0.0.0/8"]).await;
    let form = [
        ("email", "ada@example.com"),
        ("password", "guess guess guess"),
    ];
    // The client put a made-up address first; our proxy appended the one it saw.
    let via_proxy = |client: &'static str| [("x-forwarded-for", client)];
    let r = app
        .post_form_with(
            "/api/signin",
            &form,
            &via_proxy("192.0.2.1, 203.0.113.9"),
            "10.0.0.5",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(
        last_sign_in_address(&app).await.as_deref(),
        Some("203.0.113.9")
    );

    // Anyone else's forwarding headers are ignored.
    let r = app
        .post_form_with(
            "/api/signin",
            &form,
            &via_proxy("203.0.113.77"),
            "198.51.100.7",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(
        last_sign_in_address(&app).await.as_deref(),
        Some("198.51.100.7")
    );

    // The throttle counts the forwarded address, not the proxy's: one client spraying
    // accounts through the proxy is stopped, another client behind it is not.
    let mut refused = None;
    for i in 0..40 {
        let email = format!("user{i}@example.com");
        let r = app
            .post_form_with(
                "/api/signin",
                &[("email", &email), ("password", "guess guess guess")],
                &via_proxy("203.0.113.9"),
                "10.0.0.5",
            )
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    assert!(refused.is_some(), "the forwarded address was throttled");
    let r = app
        .post_form_with("/api/signin", &form, &via_proxy("203.0.113.10"), "10.0.0.5")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(
        last_sign_in_address(&app).await.as_deref(),
        Some("203.0.113.10")
    );
}

/// Accepting an invitation by `link` as a new account, from `from`.
async fn accept_link(app: &TestApp, link: &str, from: &str) -> crate::support::harness::Reply {
    app.post_form(
        "/api/invite_accept_new",
        &[
            ("token", link),
            ("name", "Eve Guesser"),
            ("password", "guess guess guess"),
        ],
        None,
        from,
    )
    .await
}

async fn invitation_link_lookups_are_throttled_per_address(t: &TestDb) {
    use gatehouse::runtime::GovernorThrottle;
    let (app, _) = signed_up(t).await;
    // One link tried again and again from one address…
    let link = app::server::secrets::secret_256();
    for _ in 0..GovernorThrottle::PAIR_BURST {
        let r = accept_link(&app, &link, "203.0.113.9").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let r = accept_link(&app, &link, "203.0.113.9").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("Too many attempts"), "{}", r.body);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    // …and many links from another address, until its own allowance is used up.
    let mut refused = None;
    for i in 1..=GovernorThrottle::ADDR_BURST + 10 {
        let link = app::server::secrets::secret_256();
        let r = accept_link(&app, &link, "198.51.100.7").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            break;
        }
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    assert_eq!(refused, Some(GovernorThrottle::ADDR_BURST + 1));
    // Someone else is unaffected.
    let r = accept_link(&app, &link, "192.0.2.99").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

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

async fn sessions_end_after_idle_and_absolute_timeouts(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let page = |c: String| {
        let app = &app;
        async move { app.get_page("/o/acme-corp/members", Some(&c)).await.status }
    };
    app.clock.advance_ms(11 * 3_600_000);
    assert_eq!(
        page(cookie.clone()).await,
        StatusCode::OK,
        "11 h idle is fine"
    );
    app.clock.advance_ms(11 * 3_600_000);
    assert_eq!(
        page(cookie.clone()).await,
        StatusCode::OK,
        "activity renewed the idle window"
    );
    app.clock.advance_ms(12 * 3_600_000 + 1);
    assert_eq!(page(cookie).await, StatusCode::FOUND, "12 h idle ends it");

    // Absolute: active every few hours, still ends after 30 days.
    let fresh = app
        .sign_in("ada@example.com", PASSWORD, "192.0.2.50")
        .await
        .session_cookie()
        .unwrap();
    for _ in 0..(30 * 24 / 6) {
        app.clock.advance_ms(6 * 3_600_000);
        if page(fresh.clone()).await != StatusCode::OK {
            break;
        }
    }
    assert_eq!(page(fresh).await, StatusCode::FOUND, "30 days is the limit");
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

/// What the outbox holds, delivered into a list.
async fn delivered(app: &TestApp) -> Vec<app::server::store::OutgoingMail> {
    struct Keep(std::sync::Mutex<Vec<app::server::store::OutgoingMail>>);
    #[async_trait::async_trait]
    impl app::server::mail::Mailer for Keep {
        async fn deliver(&self, m: &app::server::store::OutgoingMail) -> Result<(), String> {
            self.0.lock().unwrap().push(m.clone());
            Ok(())
        }
    }
    let keep = Keep(std::sync::Mutex::new(Vec::new()));
    gatehouse::mail::deliver_due(&*app.state.store, &keep, &app.clock).await;
    keep.0.into_inner().unwrap()
}

async fn invitation_links_answer_with_the_right_page_and_status(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let bad = app
        .post_json(
            "/api/invite",
            r#"{"org":"acme-corp","invitation":{"email":"nope","bindings":[]}}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("name@example.com"), "{}", bad.body);
    assert!(delivered(&app).await.is_empty(), "nothing was queued");

    let ok = app
        .post_json(
            "/api/invite",
            r#"{"org":"acme-corp","invitation":{"email":"new@example.com","bindings":[{"role":"viewer","project":null}]}}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let link = delivered(&app).await[0].link.clone().unwrap();
    let path = link.strip_prefix(ORIGIN).unwrap();

    let page = app.get_page(path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Join Acme Corp"), "{}", page.body);
    let page = app.get_page("/invite/not-a-real-link", None).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("This invitation link is incomplete"));
    let page = app
        .get_page(&format!("/invite/{}", "A".repeat(43)), None)
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This invitation link does not work"));

    // Signing in from the link's page goes back to it; a foreign `next` is ignored.
    let r = app
        .post_form(
            "/api/signin",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", path),
            ],
            None,
            "192.0.2.20",
        )
        .await;
    assert_eq!(r.body, format!("\"{path}\""));
    let r = app
        .post_form(
            "/api/signin",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
            None,
            "192.0.2.20",
        )
        .await;
    assert_eq!(r.body, "\"/o/acme-corp/members\"");

    let pending = app
        .state
        .store
        .list_invitations(
            app.state
                .store
                .organization_by_slug("acme-corp")
                .await
                .unwrap()
                .unwrap()
                .id,
            &app::server::store::InvitationFilter {
                status: None,
                after: None,
                limit: 10,
            },
            app.state.now(),
        )
        .await
        .unwrap();
    let id = pending.items[0].id;
    let r = app
        .post_form(
            "/api/invitation_withdraw",
            &[("org", "acme-corp"), ("id", &id.to_string())],
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = app.get_page(path, None).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("This invitation was withdrawn"));
}

/// Deactivation and removal end access to that organization at once, and only there: the
/// person's session keeps serving their other organizations.
async fn leaving_one_organization_keeps_the_others(t: &TestDb) {
    use app::model::Binding;
    use app::model::UserId;
    use app::policy::BuiltinRole;
    use app::policy::RoleId;
    use app::server::RequestCtx;
    use app::server::store::MemberUser;
    let (app, cookie) = signed_up(t).await;
    let s = &app.state;
    let ada = s
        .store
        .user_credentials("ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let beta = app::areas::organizations::service::create_organization(
        s,
        &RequestCtx::default(),
        ada,
        "ada@example.com",
        "Beta",
    )
    .await
    .unwrap();
    let acme = s
        .store
        .organization_by_slug("acme-corp")
        .await
        .unwrap()
        .unwrap();
    let grace = s
        .store
        .add_member(
            acme.id,
            MemberUser::New(app::server::store::NewUser {
                id: UserId::new(),
                email: "grace@example.com".into(),
                name: "Grace".into(),
                password_hash: "x".into(),
            }),
            &[Binding {
                role: RoleId::Builtin(BuiltinRole::Admin),
                project: None,
            }],
            &[],
            crate::support::fixture_event(acme.id),
        )
        .await
        .unwrap();
    let grace = crate::support::caller(s, acme.id, grace).await;
    app::areas::members::service::set_member_active(s, &RequestCtx::default(), &grace, ada, false)
        .await
        .unwrap();
    let acme_page = app.get_page("/o/acme-corp/members", Some(&cookie)).await;
    assert_eq!(acme_page.status, StatusCode::FORBIDDEN, "deactivated here");
    let beta_page = app
        .get_page(&format!("/o/{}/members", beta.slug), Some(&cookie))
        .await;
    assert_eq!(beta_page.status, StatusCode::OK, "still signed in for Beta");
    app::areas::members::service::set_member_active(s, &RequestCtx::default(), &grace, ada, true)
        .await
        .unwrap();
    app::areas::members::service::remove_member(s, &RequestCtx::default(), &grace, ada, None, true)
        .await
        .unwrap();
    let acme_page = app.get_page("/o/acme-corp/members", Some(&cookie)).await;
    assert_eq!(acme_page.status, StatusCode::NOT_FOUND, "removed here");
    let beta_page = app
        .get_page(&format!("/o/{}/members", beta.slug), Some(&cookie))
        .await;
    assert_eq!(beta_page.status, StatusCode::OK, "still signed in for Beta");
}

/// The settings page shows every limit, and its form (posted flat, as the browser does) saves
/// them or says which is out of bounds.
async fn the_settings_form_shows_and_saves_the_limits(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let page = app.get_page("/o/acme-corp/settings", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    for field in [
        "custom_role_limit",
        "group_limit",
        "project_limit",
        "token_limit",
    ] {
        assert!(
            page.body.contains(&format!("name=\"{field}\"")),
            "{field}: {}",
            page.body
        );
    }
    let form = |custom_roles: &'static str| {
        [
            ("org", "acme-corp"),
            ("name", "Acme Corp"),
            ("invitation_lifetime_hours", "48"),
            ("pending_invitation_limit", "20"),
            ("custom_role_limit", custom_roles),
            ("group_limit", "30"),
            ("project_limit", "40"),
            ("token_limit", "50"),
        ]
    };
    let bad = app
        .post_form(
            "/api/settings_save",
            &form("1001"),
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let v: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(
        v["Validation"]["fields"]["custom_role_limit"],
        "The custom role limit is a whole number from 1 to 1,000"
    );
    let org = app
        .state
        .store
        .organization_by_slug("acme-corp")
        .await
        .unwrap()
        .unwrap()
        .id;
    let before = app.state.store.org_settings(org).await.unwrap();
    assert_eq!(before.custom_role_limit, 100, "nothing was saved");
    let ok = app
        .post_form(
            "/api/settings_save",
            &form("10"),
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let after = app.state.store.org_settings(org).await.unwrap();
    assert_eq!(
        (
            after.invitation_lifetime_hours,
            after.pending_invitation_limit,
            after.custom_role_limit,
            after.group_limit,
            after.project_limit,
            after.token_limit
        ),
        (48, 20, 10, 30, 40, 50)
    );
    let page = app.get_page("/o/acme-corp/settings", Some(&cookie)).await;
    assert!(
        page.body.contains("name=\"token_limit\"") && page.body.contains("value=\"50\""),
        "{}",
        page.body
    );
}

on_both_databases!(
    leaving_one_organization_keeps_the_others,
    invitation_links_answer_with_the_right_page_and_status,
    first_run_sign_up_creates_the_organization_and_signs_in,
    sign_up_closes_once_an_organization_exists,
    open_sign_up_lets_anyone_create_an_organization,
    bad_sign_up_input_is_422_per_field_and_changes_nothing,
    wrong_email_and_wrong_password_answer_alike,
    sign_in_and_sign_out,
    repeated_wrong_passwords_are_throttled_per_address_not_for_the_owner,
    over_long_emails_are_field_errors_and_use_up_no_attempts,
    one_account_is_delayed_across_servers_and_others_are_not,
    behind_a_trusted_proxy_the_forwarded_address_is_the_client,
    invitation_link_lookups_are_throttled_per_address,
    cross_origin_posts_are_refused_and_change_nothing,
    https_deployments_send_strict_transport_security,
    sessions_end_after_idle_and_absolute_timeouts,
    another_organization_answers_as_not_found,
    pages_carry_security_headers,
    oversized_bodies_are_refused,
    health_and_readiness_answer,
    the_settings_form_shows_and_saves_the_limits,
);
