//! Tokens follow their owners; regenerate and delete act at once; removed members' tokens.

use super::*;

// ---- tokens follow their owners; regenerate and delete act at once ------------------------

async fn user_tokens_follow_their_owner_and_changes_act_on_the_next_request(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let editor = acme.with_member(BuiltinRole::Editor).await;
    let token = editor
        .with_token_for(TokenKind::User, BuiltinRole::Editor, Some(30))
        .await;

    let me = app.api(Method::GET, "/me", Some(&token.secret), None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let body = json_of(&me);
    assert_eq!(body["kind"], "user_token");
    assert_eq!(body["token"]["id"], token.id);
    assert_eq!(body["token"]["role"], "editor");
    assert_eq!(body["user"]["id"], editor.id.to_string());
    assert_eq!(body["organization"]["slug"], "acme");
    let perms: Vec<&str> = body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        perms,
        [
            "org.read",
            "members.read",
            "tokens.create",
            "resources.read",
            "resources.write"
        ]
    );
    // Last use is recorded with the client's address.
    let listed = app::areas::tokens::service::list(&s, &admin.caller, None)
        .await
        .unwrap();
    assert_eq!(listed[0].last_used_addr.as_deref(), Some("192.0.2.20"));

    // Deactivated: refused; reactivated: works again.
    app::areas::members::service::set_member_active(&s, &ctx(), &admin.caller, editor.id, false)
        .await
        .unwrap();
    let r = app.api(Method::GET, "/me", Some(&token.secret), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    app::areas::members::service::set_member_active(&s, &ctx(), &admin.caller, editor.id, true)
        .await
        .unwrap();
    assert_eq!(
        app.api(Method::GET, "/me", Some(&token.secret), None)
            .await
            .status,
        StatusCode::OK
    );

    // Demoted: the token shrinks with its owner at once.
    app::areas::members::service::update_member(
        &s,
        &ctx(),
        &admin.caller,
        editor.id,
        vec![bind(BuiltinRole::Viewer)],
        vec![],
    )
    .await
    .unwrap();
    let body = json_of(&app.api(Method::GET, "/me", Some(&token.secret), None).await);
    assert_eq!(
        body["permissions"],
        json!(["org.read", "members.read", "resources.read"])
    );
    let r = app
        .api(Method::GET, "/tokens", Some(&token.secret), None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "tokens.create is gone with the owner's Editor role"
    );
    app::areas::members::service::update_member(
        &s,
        &ctx(),
        &admin.caller,
        editor.id,
        vec![bind(BuiltinRole::Editor)],
        vec![],
    )
    .await
    .unwrap();

    // Regenerate through the API: the old secret fails on the very next request.
    let r = app
        .api(
            Method::POST,
            &format!("/tokens/{}/regenerate", token.id),
            Some(&token.secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_secret = json_of(&r)["secret"].as_str().unwrap().to_string();
    assert!(new_secret.starts_with("gth_u_"));
    assert_eq!(
        app.api(Method::GET, "/me", Some(&token.secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(Method::GET, "/me", Some(&new_secret), None)
            .await
            .status,
        StatusCode::OK
    );
    // The list never shows a secret.
    let r = app
        .api(Method::GET, "/tokens", Some(&new_secret), None)
        .await;
    assert!(!r.body.contains(&new_secret[6..]), "no secret in lists");
    assert_eq!(
        json_of(&r)["items"][0]["last_four"],
        &new_secret[new_secret.len() - 4..]
    );

    // Expiry: 30 days later it stops.
    app.clock.advance_ms(31 * DAY_MS);
    let r = app.api(Method::GET, "/me", Some(&new_secret), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(json_of(&r)["detail"].as_str().unwrap().contains("expired"));

    // Delete: the next call is 401.
    let org_secret = admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await
        .secret;
    let created = app
        .api(
            Method::POST,
            "/tokens",
            Some(&org_secret),
            Some(json!({"name": "short-lived", "kind": "organization", "role": "viewer"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = json_of(&created);
    let victim = created["secret"].as_str().unwrap().to_string();
    assert!(victim.starts_with("gth_o_"));
    assert_eq!(
        app.api(Method::GET, "/me", Some(&victim), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .api(
            Method::DELETE,
            &format!("/tokens/{}", created["token"]["id"].as_str().unwrap()),
            Some(&org_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.api(Method::GET, "/me", Some(&victim), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn removing_a_member_with_tokens_is_refused_until_they_are_revoked(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let admin_secret = admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await
        .secret;
    let editor = acme.with_member(BuiltinRole::Editor).await;
    let editor_secret = editor
        .with_token(TokenKind::User, BuiltinRole::Editor)
        .await
        .secret;
    editor
        .with_token(TokenKind::User, BuiltinRole::Viewer)
        .await;

    let r = app
        .api(
            Method::DELETE,
            &format!("/members/{}", editor.id),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:conflict:has_tokens");
    assert_eq!(
        p["detail"],
        "This member has 2 active access tokens; revoke them first"
    );
    assert_eq!(
        app.api(Method::GET, "/me", Some(&editor_secret), None)
            .await
            .status,
        StatusCode::OK
    );
    let member = json_of(
        &app.api(
            Method::GET,
            &format!("/members/{}", editor.id),
            Some(&admin_secret),
            None,
        )
        .await,
    );
    assert_eq!(member["status"], "active", "the refusal changed nothing");

    let r = app
        .api(
            Method::DELETE,
            &format!("/members/{}?revoke_tokens=true", editor.id),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.api(Method::GET, "/me", Some(&editor_secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let member = json_of(
        &app.api(
            Method::GET,
            &format!("/members/{}", editor.id),
            Some(&admin_secret),
            None,
        )
        .await,
    );
    assert_eq!(member["status"], "archived");
    let r = app
        .api(
            Method::POST,
            &format!("/members/{}/reactivate", editor.id),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a removed member never comes back: {}",
        r.body
    );
    // The removed member's tokens stay listed, revoked: "user has been deleted".
    let listed = json_of(
        &app.api(Method::GET, "/tokens", Some(&admin_secret), None)
            .await,
    );
    let theirs: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["owner"]["id"] == json!(editor.id))
        .collect();
    assert_eq!(theirs.len(), 2, "{listed}");
    assert!(
        theirs.iter().all(|t| t["status"] == "owner_removed"),
        "{listed}"
    );
    // Invited back, they get a fresh start, not their old tokens.
    let back = acme
        .with_existing(&editor, &[bind(BuiltinRole::Editor)])
        .await;
    assert_eq!(
        app.api(Method::GET, "/me", Some(&editor_secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a revoked token never works again"
    );
    let old_id: app::core::ids::TokenId = theirs[0]["id"].as_str().unwrap().parse().unwrap();
    let r = app::areas::tokens::service::regenerate(&s, &ctx(), &back.caller, old_id).await;
    assert!(
        matches!(&r, Err(app::error::AppError::Conflict { code, .. }) if code == "token_revoked"),
        "{r:?}"
    );
    let listed = json_of(
        &app.api(Method::GET, "/tokens", Some(&admin_secret), None)
            .await,
    );
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["owner"]["id"] == json!(editor.id))
            .all(|t| t["status"] == "owner_removed"),
        "still revoked after coming back: {listed}"
    );

    // An organization token made by a member who is later removed keeps working, marked for
    // review.
    let ops = acme.with_member(BuiltinRole::Admin).await;
    let ops_token = ops
        .with_token(TokenKind::Organization, BuiltinRole::Viewer)
        .await;
    let r = app
        .api(
            Method::DELETE,
            &format!("/members/{}", ops.id),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.api(Method::GET, "/me", Some(&ops_token.secret), None)
            .await
            .status,
        StatusCode::OK
    );
    let listed = json_of(
        &app.api(Method::GET, "/tokens", Some(&admin_secret), None)
            .await,
    );
    for t in listed["items"].as_array().unwrap() {
        assert_eq!(
            t["creator_removed"],
            json!(t["id"] == json!(ops_token.id)),
            "{t}"
        );
    }
}

on_both_databases!(
    user_tokens_follow_their_owner_and_changes_act_on_the_next_request,
    removing_a_member_with_tokens_is_refused_until_they_are_revoked,
);
