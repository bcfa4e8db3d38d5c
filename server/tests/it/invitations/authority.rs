//! An invitation carries its sender's authority, checked again at acceptance.

use super::*;

/// An invitation carries its sender's authority (rules 1 and 3 at acceptance): an Admin who
/// invites a second address of their own as Admin and is then deactivated, removed or demoted
/// gets nothing from the link; the page and the list say why.
async fn an_invitation_grants_nothing_once_its_sender_lost_the_authority(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let ada = &acme.admin;
    for (n, loss) in ["deactivated", "removed", "demoted"]
        .into_iter()
        .enumerate()
    {
        let sender = acme
            .with_member_email(
                &format!("sender{n}@example.com"),
                RoleId::Builtin(BuiltinRole::Admin),
            )
            .await;
        let second = format!("second{n}@example.com");
        inv::invite(
            &app.state,
            &ctx(),
            &sender.caller,
            request(&second, vec![role(BuiltinRole::Admin)]),
        )
        .await
        .unwrap();
        let mail = deliver(&app).await.pop().unwrap();
        let secret = token(&mail);
        match loss {
            "deactivated" => app::areas::members::service::set_member_active(
                &app.state,
                &ctx(),
                &ada.caller,
                sender.id,
                false,
            )
            .await
            .unwrap(),
            "removed" => app::areas::members::service::remove_member(
                &app.state,
                &ctx(),
                &ada.caller,
                sender.id,
                None,
                true,
            )
            .await
            .unwrap(),
            _ => app::areas::members::service::update_member(
                &app.state,
                &ctx(),
                &ada.caller,
                sender.id,
                vec![role(BuiltinRole::Editor)],
                vec![],
            )
            .await
            .unwrap(),
        }
        assert!(
            matches!(
                app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
                    .await
                    .unwrap(),
                InviteLink::NoLongerValid { .. }
            ),
            "{loss}: the page says it is no longer valid"
        );
        let e = app::areas::invitations::acceptance::accept_new(
            &app.state,
            &ctx(),
            &secret,
            "Second Self",
            PASSWORD,
        )
        .await
        .unwrap_err();
        assert!(
            is_conflict(&e, "invitation_no_longer_valid"),
            "{loss}: {e:?}"
        );
        assert!(
            e.to_string().contains("Ask an administrator of Acme"),
            "{e}"
        );
        assert!(
            app.state
                .store
                .user_credentials(&second)
                .await
                .unwrap()
                .is_none(),
            "{loss}: no account was made"
        );
        let closed = inv::list(
            &app.state,
            &ada.caller,
            Some(InvitationStatus::Withdrawn),
            None,
            100,
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.email == second)
        .expect("listed as closed");
        assert!(
            closed
                .closed_reason
                .as_deref()
                .is_some_and(|r| r.contains("can no longer grant")),
            "{loss}: {closed:?}"
        );
        assert!(
            actions(&app, acme.id)
                .await
                .contains(&"invitation.invalidated".to_string())
        );
    }
    let admins =
        app::areas::members::service::list_members(&app.state, &ada.caller, &MemberQuery::active())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|m| {
                m.roles
                    .iter()
                    .any(|r| r.role == RoleId::Builtin(BuiltinRole::Admin))
            })
            .count();
    assert_eq!(admins, 1, "only Ada is Admin");
}

/// A token's invitations carry the token's authority: once the token is deleted its
/// invitations grant nothing; a group whose roles grew beyond the sender's is refused too.
async fn token_and_group_invitations_are_checked_at_acceptance(t: &TestDb) {
    use app::areas::tokens::service::TokenRequest;
    use app::core::kinds::TokenKind;
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let ada = &acme.admin;
    let (robot, secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &ada.caller,
        TokenRequest {
            name: "robot".into(),
            kind: TokenKind::Organization,
            role: RoleId::Builtin(BuiltinRole::Admin),
            expires_in_days: None,
        },
    )
    .await
    .unwrap();
    let (robot_caller, _) =
        app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
            .await
            .unwrap();
    for email in ["kept@example.com", "orphaned@example.com"] {
        inv::invite(
            &app.state,
            &ctx(),
            &robot_caller,
            request(email, vec![role(BuiltinRole::Editor)]),
        )
        .await
        .unwrap();
    }
    let mails = deliver(&app).await;
    // Sent by an organization token: the mail and the list name the token as a person is
    // named, without the English "token “…” …abcd" of the audit log.
    let kept = mails.iter().find(|m| m.to == "kept@example.com").unwrap();
    assert!(kept.text.contains("robot has invited you"), "{}", kept.text);
    assert!(!kept.text.contains("token “"), "{}", kept.text);
    let pending = inv::list(
        &app.state,
        &ada.caller,
        Some(InvitationStatus::Pending),
        None,
        100,
    )
    .await
    .unwrap()
    .items;
    assert_eq!(pending.len(), 2);
    assert!(
        pending.iter().all(|i| i.invited_by == "robot"),
        "{pending:?}"
    );
    let link = |to: &str| token(mails.iter().find(|m| m.to == to).unwrap());
    app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &link("kept@example.com"),
        "Kept",
        PASSWORD,
    )
    .await
    .unwrap();
    app::areas::tokens::service::delete(&app.state, &ctx(), &ada.caller, robot.id)
        .await
        .unwrap();
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &link("orphaned@example.com"),
        "Orphan",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_no_longer_valid"), "{e:?}");

    // An Editor-level inviter adds a group; the group is then made Admin.
    let inviters = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &ada.caller,
        "Inviters",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "members.invite".into(),
        ],
    )
    .await
    .unwrap();
    let inviter = acme
        .with_member_email("inviter@example.com", RoleId::Custom(inviters.id))
        .await;
    let ops = app::areas::groups::service::create_group(&app.state, &ctx(), &ada.caller, "Ops")
        .await
        .unwrap();
    inv::invite(
        &app.state,
        &ctx(),
        &inviter.caller,
        InviteRequest {
            email: "grouped@example.com".into(),
            bindings: vec![],
            groups: vec![ops],
        },
    )
    .await
    .unwrap();
    let grouped = token(&deliver(&app).await.pop().unwrap());
    app::areas::groups::service::set_group_bindings(
        &app.state,
        &ctx(),
        &ada.caller,
        ops,
        vec![role(BuiltinRole::Admin)],
    )
    .await
    .unwrap();
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &grouped,
        "Grouped",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_no_longer_valid"), "{e:?}");
}

/// Resending makes the caller the sender: an inviter without Admin cannot revive an expired
/// Admin invitation; an Admin can, and it is then theirs.
async fn resending_needs_the_authority_to_grant(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let ada = &acme.admin;
    set_limits(&app, &ada.caller, 1, 50).await;
    let id = inv::invite(
        &app.state,
        &ctx(),
        &ada.caller,
        request("boss@example.com", vec![role(BuiltinRole::Admin)]),
    )
    .await
    .unwrap();
    deliver(&app).await;
    app.clock.advance_ms(2 * 3_600_000);
    let inviters = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &ada.caller,
        "Inviters",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "members.invite".into(),
        ],
    )
    .await
    .unwrap();
    let inviter = acme
        .with_member_email("inviter@example.com", RoleId::Custom(inviters.id))
        .await;
    let e = inv::resend(&app.state, &ctx(), &inviter.caller, id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Forbidden(m) if m.contains("cannot grant")),
        "{e:?}"
    );
    assert!(deliver(&app).await.is_empty(), "no new link went out");
    assert_eq!(
        listed(&app, &ada.caller, InvitationStatus::Expired).await,
        ["boss@example.com"]
    );
    inv::resend(&app.state, &ctx(), &ada.caller, id)
        .await
        .unwrap();
    let link = token(&deliver(&app).await.pop().unwrap());
    app::areas::invitations::acceptance::accept_new(&app.state, &ctx(), &link, "Boss", PASSWORD)
        .await
        .unwrap();
}

on_both_databases!(
    an_invitation_grants_nothing_once_its_sender_lost_the_authority,
    token_and_group_invitations_are_checked_at_acceptance,
    resending_needs_the_authority_to_grant,
);
