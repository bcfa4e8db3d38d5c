//! Accepting an invitation: once, by a new person or a signed-in user, also under 50 races.

use super::*;

async fn a_new_person_accepts_once_and_becomes_a_member(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let ops = app::areas::groups::service::create_group(&app.state, &ctx(), &admin, "Ops")
        .await
        .unwrap();
    let id = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        InviteRequest {
            email: "  New.Person@Example.com ".into(),
            bindings: vec![role(BuiltinRole::Editor)],
            groups: vec![ops],
        },
    )
    .await
    .unwrap();
    let pending = inv::list(
        &app.state,
        &admin,
        Some(InvitationStatus::Pending),
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(pending.total, 1);
    let row = &pending.items[0];
    assert_eq!(row.id, id);
    assert_eq!(row.email, "new.person@example.com");
    assert_eq!(
        row.grants,
        app::areas::invitations::types::InvitationGrants {
            roles: vec![app::areas::invitations::types::GrantedRole {
                role: Some(RoleId::Builtin(BuiltinRole::Editor)),
                name: "Editor".into(),
                project: None,
            }],
            groups: vec!["Ops".into()],
        }
    );
    assert_eq!(row.invited_by, "Acme Admin");
    assert_eq!(row.expires_at - row.sent_at, 72 * 3_600_000);

    // The message went out once, and says who, where and until when.
    let mail = deliver(&app).await;
    assert_eq!(mail.len(), 1);
    assert!(deliver(&app).await.is_empty(), "delivered once");
    let m = &mail[0];
    assert_eq!(m.to, "new.person@example.com");
    assert_eq!(m.subject, "Acme Admin invited you to Acme on Gatehouse");
    assert!(m.text.contains("expires on 2026-11-25"), "{}", m.text);
    let secret = token(m);
    assert!(m.html.contains(&secret));
    // Only the hash is stored.
    assert!(
        app.state
            .store
            .invitation_by_token(&secret)
            .await
            .unwrap()
            .is_none()
    );

    match app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
        .await
        .unwrap()
    {
        InviteLink::Open {
            org_name,
            email,
            account_exists,
            signed_in_as,
            ..
        } => {
            assert_eq!(org_name, "Acme");
            assert_eq!(email, "new.person@example.com");
            assert!(!account_exists);
            assert_eq!(signed_in_as, None);
        }
        other => panic!("{other:?}"),
    }
    // Bad input changes nothing.
    let e =
        app::areas::invitations::acceptance::accept_new(&app.state, &ctx(), &secret, "", "short")
            .await
            .unwrap_err();
    assert!(e.field_message("name").is_some() && e.field_message("password").is_some());
    let done = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "New Person",
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(done.landing, format!("/o/{}/members", acme.slug));

    let members =
        app::areas::members::service::list_members(&app.state, &admin, &MemberQuery::active())
            .await
            .unwrap();
    let new = members
        .items
        .iter()
        .find(|m| m.email == "new.person@example.com")
        .expect("a member");
    assert_eq!(new.name, "New Person");
    assert!(
        new.roles
            .iter()
            .any(|r| r.role == RoleId::Builtin(BuiltinRole::Editor))
    );
    assert_eq!(new.groups.len(), 1);
    // They are signed in with the session the acceptance started.
    let view = app::areas::accounts::service::session_view(
        &app.state,
        &with_session(&done.session_secret),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(view.email, "new.person@example.com");

    // The link works once.
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
            .await
            .unwrap(),
        InviteLink::Used
    );
    let again = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "Someone Else",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&again, "invitation_used"), "{again:?}");
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Accepted).await,
        ["new.person@example.com"]
    );
    assert!(
        listed(&app, &admin, InvitationStatus::Pending)
            .await
            .is_empty()
    );
    let log = actions(&app, acme.id).await;
    assert!(log.contains(&"member.invited".to_string()));
    assert!(log.contains(&"invitation.accepted".to_string()));
}

async fn malformed_and_unknown_links_change_nothing(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, _) = org(&app, "Acme", "ada@example.com").await;
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), "not-a-link")
            .await
            .unwrap(),
        InviteLink::Malformed
    );
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &random::secret_256())
            .await
            .unwrap(),
        InviteLink::Unknown
    );
    let before = actions(&app, acme.id).await.len();
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &random::secret_256(),
        "X Y",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::NotFound);
    assert_eq!(actions(&app, acme.id).await.len(), before);
}

async fn a_registered_user_accepts_after_signing_in(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let (_beta, _) = org(&app, "Beta", "bea@example.com").await;
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("BEA@example.com", vec![role(BuiltinRole::Editor)]),
    )
    .await
    .unwrap();
    let m = deliver(&app).await.remove(0);
    assert_eq!(m.subject, "You have been given access to Acme");
    let secret = token(&m);
    // Not signed in: the page asks to sign in; accepting needs a session.
    match app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
        .await
        .unwrap()
    {
        InviteLink::Open {
            account_exists,
            signed_in_as,
            ..
        } => {
            assert!(account_exists);
            assert_eq!(signed_in_as, None);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        app::areas::invitations::acceptance::accept_existing(&app.state, &ctx(), &secret).await,
        Err(AppError::Unauthorized(_))
    ));
    // Creating a second account for the address is refused.
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "Bea Two",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "email_taken"), "{e:?}");
    // Someone else's session cannot take it.
    let ada =
        app::areas::accounts::service::sign_in(&app.state, &ctx(), "ada@example.com", PASSWORD)
            .await
            .unwrap();
    let e = app::areas::invitations::acceptance::accept_existing(
        &app.state,
        &with_session(&ada.session_secret),
        &secret,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_other_account"), "{e:?}");
    let bea =
        app::areas::accounts::service::sign_in(&app.state, &ctx(), "bea@example.com", PASSWORD)
            .await
            .unwrap();
    let landing = app::areas::invitations::acceptance::accept_existing(
        &app.state,
        &with_session(&bea.session_secret),
        &secret,
    )
    .await
    .unwrap();
    assert_eq!(landing, format!("/o/{}/members", acme.slug));
    let view =
        app::areas::accounts::service::session_view(&app.state, &with_session(&bea.session_secret))
            .await
            .unwrap()
            .unwrap();
    let orgs: Vec<&str> = view.organizations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(orgs, ["Acme", "Beta"]);
    let oc = app::areas::organizations::service::org_context(
        &app.state,
        &with_session(&bea.session_secret),
        &acme.slug,
    )
    .await
    .unwrap();
    assert!(
        oc.caller
            .principal
            .can(Permission::ResourcesWrite, app::policy::Scope::Organization)
    );
}

async fn fifty_racing_accepts_admit_exactly_one(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, _) = org(&app, "Acme", "ada@example.com").await;
    let secret = random::secret_256();
    let now = app.state.now();
    stored_invitation(&app.state.store, acme.id, "race@example.com", &secret, now)
        .await
        .unwrap();
    let hash = random::sha256_hex(&secret);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = app.state.store.clone();
            let hash = hash.clone();
            tokio::spawn(async move {
                store
                    .accept_invitation(
                        &hash,
                        Acceptor::New(NewUser {
                            id: UserId::new(),
                            email: "race@example.com".into(),
                            name: format!("Racer {i}"),
                            password_hash: "x".into(),
                        }),
                        now + 1,
                        fixture_event(acme.id),
                    )
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict { code, .. }) => assert_eq!(code, "invitation_used"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(won, 1);
    let members = app
        .state
        .store
        .list_members(
            acme.id,
            &app::server::store::MemberFilter::all(MembershipStatus::Active),
        )
        .await
        .unwrap();
    assert_eq!(members.total, 2, "the Admin and exactly one new member");
}

on_both_databases!(
    a_new_person_accepts_once_and_becomes_a_member,
    malformed_and_unknown_links_change_nothing,
    a_registered_user_accepts_after_signing_in,
    fifty_racing_accepts_admit_exactly_one,
);
