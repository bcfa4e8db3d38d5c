//! Rules of the security review held over HTTP: token take-over, tenant isolation in filters,
//! spreadsheet-safe exports, one request one transaction, one's own tokens on the profile.

use super::*;

async fn a_profile_lists_ones_own_tokens_in_every_organization(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let person = acme.with_member(BuiltinRole::Editor).await;
    let globex_person = globex
        .with_existing(&person, &[bind(BuiltinRole::Admin)])
        .await;
    person
        .with_token(TokenKind::User, BuiltinRole::Viewer)
        .await;
    globex_person
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await;
    // Not theirs: an organization token they created, and others' tokens.
    globex_person
        .with_token(TokenKind::Organization, BuiltinRole::Viewer)
        .await;
    acme.admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await;
    globex
        .admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await;

    let own = app::areas::tokens::service::own_tokens(&s, person.id)
        .await
        .unwrap();
    let seen: Vec<(&str, &str)> = own
        .iter()
        .map(|o| (o.org.name.as_str(), o.token.role_name.as_str()))
        .collect();
    assert_eq!(seen, [("Acme", "Viewer"), ("Globex", "Admin")]);
    assert!(own.iter().all(|o| o.token.kind == TokenKind::User
        && o.token.owner.as_ref().map(|u| u.id) == Some(person.id)));
    // Deactivated in one organization: listed there with that status.
    app::areas::members::service::set_member_active(
        &s,
        &ctx(),
        &acme.admin.caller,
        person.id,
        false,
    )
    .await
    .unwrap();
    let own = app::areas::tokens::service::own_tokens(&s, person.id)
        .await
        .unwrap();
    assert_eq!(
        own[0].token.status,
        app::areas::tokens::types::TokenStatus::OwnerDeactivated
    );
    assert_eq!(
        own[1].token.status,
        app::areas::tokens::types::TokenStatus::Active
    );
}

/// The reported escalation, over HTTP: an Editor organization token (tokens.create, no
/// tokens.manage) and a token manager without Admin cannot re-issue or revoke an Admin token.
async fn nobody_takes_over_a_token_they_could_not_create(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let admin_org = admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await;
    let admin_user = admin.with_token(TokenKind::User, BuiltinRole::Admin).await;
    let editor_org = admin
        .with_token(TokenKind::Organization, BuiltinRole::Editor)
        .await
        .secret;
    for id in [&admin_org.id, &admin_user.id] {
        let r = app
            .api(
                Method::POST,
                &format!("/tokens/{id}/regenerate"),
                Some(&editor_org),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert!(!r.body.contains("gth_"), "no secret: {}", r.body);
        let r = app
            .api(
                Method::DELETE,
                &format!("/tokens/{id}"),
                Some(&editor_org),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    // A custom role holding tokens.manage but not Admin: sees and may revoke, never re-issues.
    let managers = app::areas::roles::service::create_role(
        &s,
        &ctx(),
        &admin.caller,
        "Token managers",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "tokens.manage".into(),
        ],
    )
    .await
    .unwrap();
    let (_, manager) = app::areas::tokens::service::create(
        &s,
        &ctx(),
        &admin.caller,
        TokenRequest {
            name: "manager".into(),
            kind: TokenKind::Organization,
            role: RoleId::Custom(managers.id),
            expires_in_days: None,
        },
    )
    .await
    .unwrap();
    for id in [&admin_org.id, &admin_user.id] {
        let r = app
            .api(
                Method::POST,
                &format!("/tokens/{id}/regenerate"),
                Some(manager.expose()),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(!r.body.contains("gth_"), "no secret: {}", r.body);
    }
    // Both Admin tokens still work with their old secrets: nothing was re-issued.
    for secret in [&admin_org.secret, &admin_user.secret] {
        let r = app.api(Method::GET, "/me", Some(secret), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Revoking is what tokens.manage is for.
    let r = app
        .api(
            Method::DELETE,
            &format!("/tokens/{}", admin_org.id),
            Some(manager.expose()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(Method::GET, "/me", Some(&admin_org.secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Rule 5 in the member filter: another organization's group filters exactly like a group that
/// does not exist, even for a person who is a member of both organizations and of that group.
async fn another_organizations_group_filters_like_an_unknown_one(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let person = acme.with_member(BuiltinRole::Viewer).await;
    globex
        .with_existing(&person, &[bind(BuiltinRole::Viewer)])
        .await;
    let globex_group =
        app::areas::groups::service::create_group(&s, &ctx(), &globex.admin.caller, "Ops")
            .await
            .unwrap();
    app::areas::groups::service::add_group_member(
        &s,
        &ctx(),
        &globex.admin.caller,
        globex_group,
        person.id,
    )
    .await
    .unwrap();
    let acme_token = acme
        .admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let foreign = app
        .api(
            Method::GET,
            &format!("/members?group={globex_group}"),
            Some(&acme_token),
            None,
        )
        .await;
    let unknown = app
        .api(
            Method::GET,
            &format!("/members?group={}", uuid::Uuid::now_v7()),
            Some(&acme_token),
            None,
        )
        .await;
    assert_eq!(foreign.status, unknown.status);
    assert_eq!(json_of(&foreign), json_of(&unknown), "{}", foreign.body);
    assert_eq!(json_of(&foreign)["total"], 0, "{}", foreign.body);
}

/// A token named like a spreadsheet formula reaches the audit CSV as text, not as a formula.
async fn the_audit_csv_never_carries_a_formula(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let evil = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let r = app
        .api(
            Method::POST,
            "/tokens",
            Some(&secret),
            Some(json!({"name": evil, "kind": "user", "role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let csv = app
        .api(Method::GET, "/audit?format=csv", Some(&secret), None)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut found = 0;
    for record in csv::Reader::from_reader(csv.body.as_bytes()).records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula reached the export: {cell}"
            );
            if cell == format!("'{evil}") {
                found += 1;
            }
        }
    }
    assert!(
        found >= 1,
        "the token's name is there, as text: {}",
        csv.body
    );
}

/// One request is one transaction: a request refused part-way leaves nothing of itself behind,
/// and a request that succeeds writes all of its audit events together.
async fn a_refused_request_leaves_nothing_behind(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let audit_count = || async {
        s.store
            .audit_events(Some(acme.id), 1000)
            .await
            .unwrap()
            .len()
    };
    let unknown_role = json!([{"role": uuid::Uuid::now_v7(), "project": null}]);

    // A new group with an unknown role: refused, and no group is left behind.
    let before = audit_count().await;
    let r = app
        .api(
            Method::POST,
            "/groups",
            Some(&secret),
            Some(json!({"name": "Ops", "bindings": unknown_role})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let groups = json_of(&app.api(Method::GET, "/groups", Some(&secret), None).await);
    assert_eq!(groups["items"].as_array().unwrap().len(), 0, "{groups}");
    assert_eq!(audit_count().await, before, "no audit event either");

    // Renaming and rebinding together, with a bad binding: the name stays too.
    let g = app::areas::groups::service::create_group(&s, &ctx(), &admin.caller, "Ops")
        .await
        .unwrap();
    let before = audit_count().await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/groups/{g}"),
            Some(&secret),
            Some(json!({"name": "Renamed", "bindings": unknown_role})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let group = json_of(
        &app.api(Method::GET, &format!("/groups/{g}"), Some(&secret), None)
            .await,
    );
    assert_eq!(group["name"], "Ops", "{group}");
    assert_eq!(audit_count().await, before);

    // A project renamed and handed to someone who is not a member: neither happens.
    let p =
        app::areas::projects::service::create_project(&s, &ctx(), &admin.caller, "Apollo", None)
            .await
            .unwrap();
    let before = audit_count().await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/projects/{p}"),
            Some(&secret),
            Some(json!({"name": "Gemini", "owner": uuid::Uuid::now_v7()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let project = json_of(
        &app.api(Method::GET, &format!("/projects/{p}"), Some(&secret), None)
            .await,
    );
    assert_eq!(project["name"], "Apollo", "{project}");
    assert_eq!(audit_count().await, before);

    // Both changes valid: one write with both events.
    let other = acme.with_member(BuiltinRole::Viewer).await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/projects/{p}"),
            Some(&secret),
            Some(json!({"name": "Gemini", "owner": other.id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = s.store.audit_events(Some(acme.id), 2).await.unwrap();
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    assert_eq!(actions, ["project.owner_changed", "project.renamed"]);
    assert_eq!(events[0].at, events[1].at);
}

on_both_databases!(
    a_refused_request_leaves_nothing_behind,
    the_audit_csv_never_carries_a_formula,
    another_organizations_group_filters_like_an_unknown_one,
    nobody_takes_over_a_token_they_could_not_create,
    a_profile_lists_ones_own_tokens_in_every_organization,
);
