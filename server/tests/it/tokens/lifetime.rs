//! A token's life below the API: created within the creator's role, shrinking with its owner,
//! expiring, regenerated, deleted, and revoked with a removed member.

use super::*;

async fn an_editor_creates_a_user_token_within_their_role(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = app.org("Acme").await;
    let editor = o.with_member(BuiltinRole::Editor).await;
    let e = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor.caller,
        req(TokenKind::User, BuiltinRole::Admin, None),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let e = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor.caller,
        req(TokenKind::Organization, BuiltinRole::Viewer, None),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, AppError::Forbidden(_)),
        "organization tokens need tokens.manage: {e:?}"
    );
    let e = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor.caller,
        TokenRequest {
            name: " ".into(),
            expires_in_days: Some(12),
            ..req(TokenKind::User, BuiltinRole::Editor, None)
        },
    )
    .await
    .unwrap_err();
    assert!(e.field_message("name").is_some() && e.field_message("expires_in_days").is_some());

    let (token, secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor.caller,
        req(TokenKind::User, BuiltinRole::Editor, Some(30)),
    )
    .await
    .unwrap();
    assert!(secret.expose().starts_with("gth_u_"));
    assert_eq!(
        token.last_four,
        secret.expose()[secret.expose().len() - 4..]
    );
    assert_eq!(
        token.expires_at,
        Some(crate::support::harness::START + 30 * 86_400_000)
    );
    assert_eq!(token.status, TokenStatus::Active);
    assert_eq!(token.owner.as_ref().map(|o| o.id), Some(editor.id));
    // The secret is not in any listing; only its last four characters.
    let listed = app::areas::tokens::service::list(&app.state, &editor.caller, None)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!format!("{listed:?}").contains(secret.expose()));

    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
    assert_eq!(
        c.principal.actor(),
        &Actor::UserToken {
            token: token.id,
            owner: editor.id
        }
    );
    assert!(
        c.principal
            .can(Permission::ResourcesWrite, Scope::Organization)
    );
    assert!(
        !c.principal
            .can(Permission::MembersManage, Scope::Organization)
    );
    // Use is recorded with the client address.
    let after = app::areas::tokens::service::list(&app.state, &editor.caller, None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(after.last_used_at, Some(app.state.now()));
    assert_eq!(after.last_used_addr.as_deref(), Some("192.0.2.7"));
    // The Admin sees everyone's tokens; the Editor only their own.
    let other_editor = o.with_member(BuiltinRole::Editor).await;
    assert!(
        app::areas::tokens::service::list(&app.state, &other_editor.caller, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app::areas::tokens::service::list(&app.state, &o.admin.caller, None)
            .await
            .unwrap()
            .len(),
        1
    );
    // Another editor cannot delete it: it answers as unknown.
    assert_eq!(
        app::areas::tokens::service::delete(&app.state, &ctx(), &other_editor.caller, token.id)
            .await,
        Err(AppError::NotFound)
    );
}

async fn a_user_token_shrinks_with_its_owner_and_stops_while_deactivated(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = app.org("Acme").await;
    let owner = o.with_member(BuiltinRole::Admin).await;
    let (_, secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &owner.caller,
        req(TokenKind::User, BuiltinRole::Admin, None),
    )
    .await
    .unwrap();
    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
    assert!(
        c.principal
            .can(Permission::MembersManage, Scope::Organization)
    );
    // Demoted to Viewer: the Admin-role token can now do only what a Viewer can.
    app::areas::members::service::update_member(
        &app.state,
        &ctx(),
        &o.admin.caller,
        owner.id,
        vec![app::policy::Binding {
            role: RoleId::Builtin(BuiltinRole::Viewer),
            project: None,
        }],
        vec![],
    )
    .await
    .unwrap();
    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
    assert!(
        !c.principal
            .can(Permission::MembersManage, Scope::Organization)
    );
    assert!(
        c.principal
            .can(Permission::MembersRead, Scope::Organization)
    );
    // Deactivated: refused; reactivated: works again.
    app::areas::members::service::set_member_active(
        &app.state,
        &ctx(),
        &o.admin.caller,
        owner.id,
        false,
    )
    .await
    .unwrap();
    assert!(matches!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose()).await,
        Err(AppError::Unauthorized(_))
    ));
    let listed = app::areas::tokens::service::list(&app.state, &o.admin.caller, None)
        .await
        .unwrap();
    assert_eq!(listed[0].status, TokenStatus::OwnerDeactivated);
    app::areas::members::service::set_member_active(
        &app.state,
        &ctx(),
        &o.admin.caller,
        owner.id,
        true,
    )
    .await
    .unwrap();
    app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
}

async fn expiry_regenerate_and_delete_take_effect_at_once(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = app.org("Acme").await;
    let (token, first) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &o.admin.caller,
        req(TokenKind::Organization, BuiltinRole::Viewer, Some(7)),
    )
    .await
    .unwrap();
    assert!(first.expose().starts_with("gth_o_"));
    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), first.expose())
        .await
        .unwrap();
    assert_eq!(
        c.principal.actor(),
        &Actor::OrganizationToken { token: token.id }
    );
    assert!(c.principal.can(Permission::OrgRead, Scope::Organization));
    assert!(
        !c.principal
            .can(Permission::ResourcesWrite, Scope::Organization)
    );

    let (_, second) =
        app::areas::tokens::service::regenerate(&app.state, &ctx(), &o.admin.caller, token.id)
            .await
            .unwrap();
    assert!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), first.expose())
            .await
            .is_err()
    );
    app::server::auth::bearer::authenticate(&app.state, &ctx(), second.expose())
        .await
        .unwrap();

    app.clock.advance_ms(7 * 86_400_000);
    assert_eq!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), second.expose())
            .await
            .unwrap_err(),
        AppError::Unauthorized("The access token has expired".into())
    );
    assert_eq!(
        app::areas::tokens::service::list(&app.state, &o.admin.caller, None)
            .await
            .unwrap()[0]
            .status,
        TokenStatus::Expired
    );

    app::areas::tokens::service::delete(&app.state, &ctx(), &o.admin.caller, token.id)
        .await
        .unwrap();
    assert!(
        app::areas::tokens::service::list(&app.state, &o.admin.caller, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), second.expose())
            .await
            .unwrap_err(),
        AppError::Unauthorized("The access token is not valid".into())
    );
    // Malformed and mistyped tokens are refused alike.
    for bad in [
        "",
        "Bearer x",
        "gth_u_short",
        &second.expose().replace('a', "b"),
    ] {
        assert!(
            matches!(
                app::server::auth::bearer::authenticate(&app.state, &ctx(), bad).await,
                Err(AppError::Unauthorized(_))
            ),
            "{bad}"
        );
    }
    let actions: Vec<String> = app
        .state
        .store
        .audit_events(Some(o.id), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["token.created", "token.regenerated", "token.deleted"] {
        assert!(actions.contains(&a.to_string()), "{a}");
    }
}

async fn removing_a_member_with_active_tokens_is_refused_unless_revoked(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = app.org("Acme").await;
    let admin2 = o.with_member(BuiltinRole::Admin).await;
    let (_, user_secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &admin2.caller,
        req(TokenKind::User, BuiltinRole::Editor, None),
    )
    .await
    .unwrap();
    let (_, expiring) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &admin2.caller,
        req(TokenKind::User, BuiltinRole::Viewer, Some(7)),
    )
    .await
    .unwrap();
    let (org_token, org_secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &admin2.caller,
        req(TokenKind::Organization, BuiltinRole::Viewer, None),
    )
    .await
    .unwrap();
    let e = app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin.caller,
        admin2.id,
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, AppError::Conflict { code, message, .. } if code == "has_tokens"
            && message == "This member has 2 active access tokens; revoke them first"),
        "{e:?}"
    );
    assert_eq!(
        app.state
            .store
            .member_status(o.id, admin2.id)
            .await
            .unwrap(),
        Some(app::core::kinds::MembershipStatus::Active),
        "nothing changed"
    );
    // Expired tokens do not count.
    app.clock.advance_ms(8 * 86_400_000);
    let e = app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin.caller,
        admin2.id,
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("1 active access token;"), "{e}");
    app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin.caller,
        admin2.id,
        None,
        true,
    )
    .await
    .unwrap();
    assert!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), user_secret.expose())
            .await
            .is_err()
    );
    assert!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), expiring.expose())
            .await
            .is_err()
    );
    // The organization token they created keeps working, and still names its creator.
    app::server::auth::bearer::authenticate(&app.state, &ctx(), org_secret.expose())
        .await
        .unwrap();
    // Their user tokens stay listed, revoked ("user has been deleted"); the organization token
    // is active and marked for review.
    let listed = app::areas::tokens::service::list(&app.state, &o.admin.caller, None)
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let org_row = listed.iter().find(|t| t.id == org_token.id).unwrap();
    assert_eq!(org_row.status, TokenStatus::Active);
    assert_eq!(org_row.created_by, admin2.caller.label);
    assert!(org_row.creator_removed);
    for t in listed.iter().filter(|t| t.id != org_token.id) {
        assert_eq!(t.status, TokenStatus::OwnerRemoved, "{t:?}");
        assert!(!t.creator_removed, "only organization tokens are marked");
    }
}

on_both_databases!(
    removing_a_member_with_active_tokens_is_refused_unless_revoked,
    an_editor_creates_a_user_token_within_their_role,
    a_user_token_shrinks_with_its_owner_and_stops_while_deactivated,
    expiry_regenerate_and_delete_take_effect_at_once,
);
