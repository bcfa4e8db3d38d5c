//! Signing up, in and out through the real router: throttling, proxies and session timeouts.

use super::*;

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

on_both_databases!(
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
    sessions_end_after_idle_and_absolute_timeouts,
);
