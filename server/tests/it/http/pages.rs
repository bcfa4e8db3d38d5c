//! Pages through the real router: invitation links, leaving an organization, the settings form.

use super::*;

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
                open: false,
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
    use crate::support::{caller_of, org_wide};
    use app::core::ids::UserId;
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
            &[org_wide(RoleId::Builtin(BuiltinRole::Admin))],
            &[],
            crate::support::fixture_event(acme.id),
        )
        .await
        .unwrap();
    let grace = caller_of(s, acme.id, grace).await;
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
    invitation_link_lookups_are_throttled_per_address,
    the_settings_form_shows_and_saves_the_limits,
);
