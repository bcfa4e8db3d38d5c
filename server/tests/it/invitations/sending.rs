//! Sending, resending and withdrawing invitations, expiry, refusals, and the members page's
//! Invited tab.

use super::*;

async fn resend_replaces_the_link_and_withdraw_ends_it(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let id = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("bob@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let first = token(&deliver(&app).await[0]);
    app.clock.advance_ms(3_600_000);
    inv::resend(&app.state, &ctx(), &admin, id).await.unwrap();
    let second = token(&deliver(&app).await[0]);
    assert_ne!(first, second);
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &first)
            .await
            .unwrap(),
        InviteLink::Unknown,
        "the old link is dead"
    );
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &first,
        "Bob",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::NotFound);
    // The lifetime starts again.
    let row = inv::list(
        &app.state,
        &admin,
        Some(InvitationStatus::Pending),
        None,
        10,
    )
    .await
    .unwrap()
    .items
    .remove(0);
    assert_eq!(row.sent_at, app.state.now());
    assert_eq!(row.expires_at, app.state.now() + 72 * 3_600_000);

    inv::withdraw(&app.state, &ctx(), &admin, id).await.unwrap();
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &second)
            .await
            .unwrap(),
        InviteLink::Withdrawn
    );
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &second,
        "Bob",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_withdrawn"), "{e:?}");
    assert!(is_conflict(
        &inv::withdraw(&app.state, &ctx(), &admin, id)
            .await
            .unwrap_err(),
        "invitation_closed"
    ));
    assert!(is_conflict(
        &inv::resend(&app.state, &ctx(), &admin, id)
            .await
            .unwrap_err(),
        "invitation_closed"
    ));
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Withdrawn).await,
        ["bob@example.com"]
    );
    let log = actions(&app, acme.id).await;
    assert!(log.contains(&"invitation.resent".to_string()));
    assert!(log.contains(&"invitation.withdrawn".to_string()));
    // Withdrawn, the address can be invited afresh.
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("bob@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
}

async fn expired_links_say_so_are_audited_and_can_be_resent(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    set_limits(&app, &admin, 1, 50).await;
    let id = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("late@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let secret = token(&deliver(&app).await[0]);
    app.clock.advance_ms(3_600_000);
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
            .await
            .unwrap(),
        InviteLink::Expired {
            org_name: "Acme".into()
        }
    );
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "Late",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_expired"), "{e:?}");
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Expired).await,
        ["late@example.com"]
    );
    assert!(
        listed(&app, &admin, InvitationStatus::Pending)
            .await
            .is_empty()
    );
    assert!(
        actions(&app, acme.id)
            .await
            .contains(&"invitation.expired_link_used".to_string())
    );
    // Inviting the address again offers a resend instead.
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("late@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "already_invited"), "{e:?}");
    assert!(e.to_string().contains("expired"), "{e}");
    inv::resend_to(&app.state, &ctx(), &admin, "late@example.com")
        .await
        .unwrap();
    let fresh = token(&deliver(&app).await[0]);
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Pending).await.len(),
        1
    );
    app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &fresh,
        "Late Comer",
        PASSWORD,
    )
    .await
    .unwrap();
    let _ = id;
}

async fn members_and_invited_addresses_are_refused(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin.caller,
        request(&admin.email.to_uppercase(), vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "already_member"), "{e:?}");
    inv::invite(
        &app.state,
        &ctx(),
        &admin.caller,
        request("bob@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin.caller,
        request("bob@example.com", vec![role(BuiltinRole::Editor)]),
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "already_invited"), "{e:?}");
    assert!(e.to_string().contains("Resend"), "{e}");
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin.caller,
        request("not an address", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(e.field_message("email").is_some(), "{e:?}");
    assert_eq!(
        listed(&app, &admin.caller, InvitationStatus::Pending)
            .await
            .len(),
        1
    );
    // A custom role with an open invitation on it cannot be deleted, and says why.
    let role_id = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &admin.caller,
        "Support",
        "",
        &["org.read".into()],
    )
    .await
    .unwrap()
    .id;
    inv::invite(
        &app.state,
        &ctx(),
        &admin.caller,
        request(
            "sam@example.com",
            vec![Binding {
                role: RoleId::Custom(role_id),
                project: None,
            }],
        ),
    )
    .await
    .unwrap();
    let e = app::areas::roles::service::delete_role(&app.state, &ctx(), &admin.caller, role_id)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("1 open invitation"), "{e}");
    // An Editor may not invite at all; nobody grants more than they hold.
    let editor = acme
        .with_member_email("eve@example.com", RoleId::Builtin(BuiltinRole::Editor))
        .await;
    let e = inv::invite(
        &app.state,
        &ctx(),
        &editor.caller,
        request("x@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let inviter_role = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &admin.caller,
        "Inviters",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "members.invite".into(),
        ],
    )
    .await
    .unwrap()
    .id;
    let inviter = acme
        .with_member_email("ivy@example.com", RoleId::Custom(inviter_role))
        .await;
    let e = inv::invite(
        &app.state,
        &ctx(),
        &inviter.caller,
        request("x@example.com", vec![role(BuiltinRole::Admin)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    assert_eq!(
        listed(&app, &admin.caller, InvitationStatus::Pending)
            .await
            .len(),
        2
    );
}

/// The members page's Invited tab: the invitations an Admin can still act on (pending and
/// expired), newest first; accepted and withdrawn ones stay on the invitations page's tabs.
async fn the_invited_tab_lists_pending_and_expired_only(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_, admin) = org(&app, "Acme", "ada@example.com").await;
    set_limits(&app, &admin, 1, 50).await;
    let mut ids = Vec::new();
    for email in [
        "expired@example.com",
        "accepted@example.com",
        "withdrawn@example.com",
        "pending@example.com",
    ] {
        let id = inv::invite(
            &app.state,
            &ctx(),
            &admin,
            request(email, vec![role(BuiltinRole::Viewer)]),
        )
        .await
        .unwrap();
        ids.push(id);
        if email == "expired@example.com" {
            app.clock.advance_ms(3_600_000);
        }
    }
    let withdrawn = ids[2];
    let links = deliver(&app).await;
    let accepted = links
        .iter()
        .find(|m| m.to == "accepted@example.com")
        .map(token)
        .unwrap();
    app::areas::invitations::acceptance::accept_new(&app.state, &ctx(), &accepted, "Acc", PASSWORD)
        .await
        .unwrap();
    inv::withdraw(&app.state, &ctx(), &admin, withdrawn)
        .await
        .unwrap();
    let open = inv::list_open(&app.state, &admin, None, 100).await.unwrap();
    let emails: Vec<_> = open.items.iter().map(|i| i.email.as_str()).collect();
    assert_eq!(emails, ["pending@example.com", "expired@example.com"]);
    assert_eq!(open.total, 2);
    assert_eq!(
        open.items.iter().map(|i| i.status).collect::<Vec<_>>(),
        [InvitationStatus::Pending, InvitationStatus::Expired]
    );
    // Pages of one: the cursor walks through both.
    let first = inv::list_open(&app.state, &admin, None, 1).await.unwrap();
    let second = inv::list_open(&app.state, &admin, first.next_cursor, 1)
        .await
        .unwrap();
    assert_eq!(second.items[0].email, "expired@example.com");
    assert_eq!(second.next_cursor, None);
    // Reading needs `members.read`, like every other list of invitations.
    let outsider = app.org("Other").await.admin.caller;
    let theirs = inv::list_open(&app.state, &outsider, None, 100)
        .await
        .unwrap();
    assert!(theirs.items.is_empty());
}

on_both_databases!(
    the_invited_tab_lists_pending_and_expired_only,
    resend_replaces_the_link_and_withdraw_ends_it,
    expired_links_say_so_are_audited_and_can_be_resent,
    members_and_invited_addresses_are_refused,
);
