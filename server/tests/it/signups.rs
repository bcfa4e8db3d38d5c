//! Open sign-up through the real router on both databases: the form mails a link (or, to a
//! registered address, a note) with the same answer either way, nothing exists before the link
//! is followed, following it creates the organization once and signs in, and the form is
//! throttled per address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{
    TestDb, fixture_event,
    harness::{ORIGIN, TestApp, signup_token},
};
use app::server::store::{MemberUser, NewUser};
use axum::http::StatusCode;

const PASSWORD: &str = "correct horse battery";
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Open sign-up with one organization (Acme, Ada) made on first run, and its mail drained.
async fn open_app(t: &TestDb) -> TestApp {
    let app = TestApp::new(t, true).await;
    let r = app
        .sign_up("Acme", "Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "\"/o/acme/members\"", "first run creates at once");
    app.deliver_mail().await;
    app
}

async fn org_count(app: &TestApp) -> i64 {
    app.state.store.organization_count().await.unwrap()
}

async fn has_account(app: &TestApp, email: &str) -> bool {
    app.state
        .store
        .user_credentials(email)
        .await
        .unwrap()
        .is_some()
}

/// Requests a sign-up for Beta by `email` and returns the link's secret from its mail.
async fn requested(app: &TestApp, email: &str) -> String {
    let r = app.sign_up("Beta", "Grace Hopper", email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mails = app.deliver_mail().await;
    assert_eq!(mails.len(), 1);
    signup_token(&mails[0])
}

async fn known_and_unknown_addresses_get_the_same_answer_and_the_right_mail(t: &TestDb) {
    let app = open_app(t).await;
    let page = app.get_page("/signup", None).await;
    assert_eq!(page.status, StatusCode::OK, "the form stays open");
    assert!(page.body.contains("Create your organization"));
    let known = app
        .sign_up("Beta", "Someone", "ADA@example.com", PASSWORD)
        .await;
    let unknown = app
        .sign_up("Beta", "Someone", "grace@example.com", PASSWORD)
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    assert_eq!(unknown.status, known.status);
    assert!(known.body.contains("Check your email"), "{}", known.body);
    assert_eq!(
        known.body.replace("ada@example.com", "ADDRESS"),
        unknown.body.replace("grace@example.com", "ADDRESS"),
        "the answer does not tell whether the address is registered"
    );
    assert!(known.session_cookie().is_none() && unknown.session_cookie().is_none());

    let mails = app.deliver_mail().await;
    assert_eq!(mails.len(), 2);
    let to_ada = mails.iter().find(|m| m.to == "ada@example.com").unwrap();
    assert_eq!(to_ada.subject, "You already have a Gatehouse account");
    assert!(to_ada.text.contains("already has an account"));
    assert_eq!(to_ada.link.as_deref(), Some(&*format!("{ORIGIN}/signin")));
    let to_grace = mails.iter().find(|m| m.to == "grace@example.com").unwrap();
    assert_eq!(
        to_grace.subject,
        "Confirm your email to create Beta on Gatehouse"
    );
    assert!(to_grace.text.contains("expires on") && to_grace.text.contains("24 hours"));
    assert_eq!(signup_token(to_grace).len(), 43);

    assert_eq!(
        org_count(&app).await,
        1,
        "nothing created before confirming"
    );
    assert!(!has_account(&app, "grace@example.com").await);
    let requested: Vec<_> = app
        .state
        .store
        .audit_events(None, 20)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "signup.requested")
        .map(|e| e.target.label)
        .collect();
    assert_eq!(requested.len(), 2, "{requested:?}");
}

async fn following_the_link_creates_the_organization_and_signs_in(t: &TestDb) {
    let app = open_app(t).await;
    let token = requested(&app, "Grace@Example.com").await;
    let path = format!("/signup/confirm/{token}");

    // Opening the link (as a mail scanner does) only shows the button.
    for _ in 0..2 {
        let page = app.get_page(&path, None).await;
        assert_eq!(page.status, StatusCode::OK);
        // The heading's name is interpolated: hydration marks it with `<!>`.
        let text = page.body.replace("<!>", "");
        assert!(text.contains("Create Beta"), "{}", page.body);
        assert!(page.body.contains("Confirm and create organization"));
    }
    assert_eq!(org_count(&app).await, 1);

    let r = app.confirm_sign_up(&token, "192.0.2.10").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "\"/o/beta/members\"");
    let cookie = r.session_cookie().expect("signed in");
    let members = app.get_page("/o/beta/members", Some(&cookie)).await;
    assert_eq!(members.status, StatusCode::OK);
    assert!(members.body.contains("Grace Hopper"));
    assert!(members.body.contains("grace@example.com"));
    assert!(members.body.contains(">Admin<"), "the founder is an Admin");

    // The password chosen on the form is the account's.
    let again = app
        .sign_in("grace@example.com", PASSWORD, "192.0.2.30")
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    let beta = app
        .state
        .store
        .organization_by_slug("beta")
        .await
        .unwrap()
        .unwrap();
    let mut actions: Vec<_> = app
        .state
        .store
        .audit_events(Some(beta.id), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.sort();
    assert_eq!(actions, ["organization.created", "signup.confirmed"]);

    let page = app.get_page(&path, None).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.body
            .contains("This sign-up link has already been used")
    );
}

async fn a_link_works_once_also_when_two_race(t: &TestDb) {
    let app = open_app(t).await;
    let token = requested(&app, "grace@example.com").await;
    let (a, b) = tokio::join!(
        app.confirm_sign_up(&token, "192.0.2.21"),
        app.confirm_sign_up(&token, "192.0.2.22"),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        a.body,
        b.body
    );
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    assert!(loser.body.contains("already been used"), "{}", loser.body);
    assert!(loser.session_cookie().is_none());
    assert_eq!(org_count(&app).await, 2, "exactly one organization");

    let third = app.confirm_sign_up(&token, "192.0.2.10").await;
    assert_eq!(third.status, StatusCode::CONFLICT);
    assert_eq!(org_count(&app).await, 2);
}

async fn expired_mangled_and_unknown_links_are_refused_and_say_so(t: &TestDb) {
    let app = open_app(t).await;
    let token = requested(&app, "grace@example.com").await;
    app.clock.advance_ms(24 * HOUR_MS);

    let page = app
        .get_page(&format!("/signup/confirm/{token}"), None)
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("This sign-up link has expired"));
    let r = app.confirm_sign_up(&token, "192.0.2.10").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("expired"));
    assert_eq!(org_count(&app).await, 1);
    assert!(!has_account(&app, "grace@example.com").await);

    let page = app.get_page("/signup/confirm/not-a-real-link", None).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("This sign-up link is incomplete"));
    let unknown = "A".repeat(43);
    let page = app
        .get_page(&format!("/signup/confirm/{unknown}"), None)
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This sign-up link does not work"));
    let r = app.confirm_sign_up(&unknown, "192.0.2.10").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Long after expiry the sign-up (and its password hash) is forgotten.
    let store = &app.state.store;
    let now = app.clock.0.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(store.delete_stale_signups(now - HOUR_MS).await.unwrap(), 0);
    assert_eq!(store.delete_stale_signups(now + 1).await.unwrap(), 1);
}

async fn an_address_that_got_an_account_meanwhile_creates_nothing(t: &TestDb) {
    let app = open_app(t).await;
    let token = requested(&app, "grace@example.com").await;
    let acme = app
        .state
        .store
        .organization_by_slug("acme")
        .await
        .unwrap()
        .unwrap();
    app.state
        .store
        .add_member(
            acme.id,
            MemberUser::New(NewUser {
                id: app::core::ids::UserId::new(),
                email: "grace@example.com".into(),
                name: "Grace".into(),
                password_hash: "x".into(),
            }),
            &[],
            &[],
            fixture_event(acme.id),
        )
        .await
        .unwrap();

    let page = app
        .get_page(&format!("/signup/confirm/{token}"), None)
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.body.contains("already has an account"),
        "{}",
        page.body
    );
    let r = app.confirm_sign_up(&token, "192.0.2.10").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("grace@example.com already has an account"));
    assert!(r.session_cookie().is_none());
    assert_eq!(org_count(&app).await, 1);
}

async fn sign_up_is_throttled_per_address_and_bad_input_sends_nothing(t: &TestDb) {
    let app = open_app(t).await;
    let bad = app.sign_up("Beta", "Grace", "not-an-email", PASSWORD).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(app.deliver_mail().await.is_empty(), "nothing was queued");

    // Whoever asks, one address gets only a few messages.
    let mut accepted = 0;
    let mut refused = None;
    for i in 0..10 {
        let r = app
            .post_form(
                "/api/signup",
                &[
                    ("org_name", "Beta"),
                    ("name", "Grace"),
                    ("email", "grace@example.com"),
                    ("password", PASSWORD),
                ],
                None,
                &format!("198.51.100.{}", i + 1),
            )
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        accepted += 1;
    }
    let refused = refused.expect("throttled after the burst");
    assert!(
        refused.body.contains("Too many sign-up attempts"),
        "{}",
        refused.body
    );
    assert!(refused.header("retry-after").is_some());
    assert_eq!(accepted, 5);
    assert_eq!(
        app.deliver_mail().await.len(),
        5,
        "no message for the refused one"
    );

    // Another address is not held back by it.
    let other = app
        .sign_up("Gamma", "Hedy", "hedy@example.com", PASSWORD)
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
}

/// A sign-up request from a browser that speaks `language` (`Accept-Language`).
async fn sign_up_in(app: &TestApp, email: &str, language: &str, from: &str) {
    let r = app
        .post_form_with(
            "/api/signup",
            &[
                ("org_name", "Beta"),
                ("name", "Grace Hopper"),
                ("email", email),
                ("password", PASSWORD),
            ],
            &[("accept-language", language)],
            from,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn sign_up_mail_is_in_the_language_of_the_request(t: &TestDb) {
    let app = open_app(t).await;
    sign_up_in(
        &app,
        "grace@example.com",
        "de-DE,de;q=0.9,en;q=0.5",
        "198.51.100.1",
    )
    .await;
    let mails = app.deliver_mail().await;
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(
        m.subject,
        "Bestätigen Sie Ihre E-Mail-Adresse, um Beta auf Gatehouse zu erstellen"
    );
    assert!(
        m.text.contains(
            "Bestätigen und Organisation erstellen: http://gatehouse.test/signup/confirm/"
        ),
        "{}",
        m.text
    );
    assert!(m.text.contains(" UTC ab (in 24 Stunden)."), "{}", m.text);
    assert!(m.html.contains("<html lang=\"de\">"));

    // A registered address is answered in its own language when it chose one, else in the
    // request's.
    sign_up_in(&app, "ada@example.com", "zh-CN", "198.51.100.2").await;
    assert_eq!(
        app.deliver_mail().await[0].subject,
        "您已拥有 Gatehouse 账号"
    );
    let acme = app
        .state
        .store
        .organization_by_slug("acme")
        .await
        .unwrap()
        .unwrap();
    let ada = app
        .state
        .store
        .user_credentials("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    app.state
        .store
        .set_language(
            ada.id,
            Some(app::areas::accounts::types::Language::Ru),
            fixture_event(acme.id),
        )
        .await
        .unwrap();
    sign_up_in(&app, "ada@example.com", "zh-CN", "198.51.100.3").await;
    assert_eq!(
        app.deliver_mail().await[0].subject,
        "У вас уже есть аккаунт Gatehouse"
    );

    // No language the console has: English.
    sign_up_in(&app, "hedy@example.com", "fr-FR", "198.51.100.4").await;
    assert_eq!(
        app.deliver_mail().await[0].subject,
        "Confirm your email to create Beta on Gatehouse"
    );
}

on_both_databases!(
    known_and_unknown_addresses_get_the_same_answer_and_the_right_mail,
    following_the_link_creates_the_organization_and_signs_in,
    a_link_works_once_also_when_two_race,
    expired_mangled_and_unknown_links_are_refused_and_say_so,
    an_address_that_got_an_account_meanwhile_creates_nothing,
    sign_up_is_throttled_per_address_and_bad_input_sends_nothing,
    sign_up_mail_is_in_the_language_of_the_request,
);
