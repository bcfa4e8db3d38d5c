//! Request list lengths and per-organization limits.

use super::*;

// ---- list lengths and per-organization limits ----------------------------------------------

async fn audit_total(app: &TestApp, secret: &str) -> i64 {
    json_of(&app.api(Method::GET, "/audit", Some(secret), None).await)["total"]
        .as_i64()
        .unwrap()
}

async fn long_lists_are_refused_and_repeats_count_once(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let viewer = acme.with_member(BuiltinRole::Viewer).await;
    let group = app::areas::groups::service::create_group(&s, &ctx(), &admin.caller, "Ops")
        .await
        .unwrap();
    let before = audit_total(&app, &secret).await;
    let many_bindings = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"role": if i % 2 == 0 { "viewer" } else { "editor" }, "project": null}))
            .collect()
    };
    let many_groups = |n: usize| -> Value { (0..n).map(|_| json!(group)).collect() };

    let refused = [
        (
            Method::PATCH,
            format!("/members/{}", viewer.id),
            json!({"bindings": many_bindings(101)}),
            "bindings",
            "At most 100 role bindings",
        ),
        (
            Method::PATCH,
            format!("/members/{}", viewer.id),
            json!({"groups": many_groups(101)}),
            "groups",
            "At most 100 groups",
        ),
        (
            Method::POST,
            "/groups".to_string(),
            json!({"name": "Big", "bindings": many_bindings(101)}),
            "bindings",
            "At most 100 role bindings",
        ),
        (
            Method::PATCH,
            format!("/groups/{group}"),
            json!({"name": "Renamed", "bindings": many_bindings(101)}),
            "bindings",
            "At most 100 role bindings",
        ),
        (
            Method::POST,
            "/invitations".to_string(),
            json!({"email": "x@example.com", "bindings": many_bindings(101), "groups": many_groups(101)}),
            "groups",
            "At most 100 groups",
        ),
    ];
    for (method, path, body, field, message) in refused {
        let r = app
            .api(method.clone(), &path, Some(&secret), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {}",
            r.body
        );
        let p = json_of(&r);
        assert_eq!(p["errors"][field], message, "{method} {path}: {p}");
    }
    // The invitation names both of its lists.
    let r = app
        .api(
            Method::POST,
            "/invitations",
            Some(&secret),
            Some(json!({"email": "x@example.com", "bindings": many_bindings(101), "groups": many_groups(101)})),
        )
        .await;
    assert_eq!(
        json_of(&r)["errors"]["bindings"],
        "At most 100 role bindings"
    );
    // Nothing was written.
    assert_eq!(audit_total(&app, &secret).await, before);
    let row = json_of(
        &app.api(
            Method::GET,
            &format!("/members/{}", viewer.id),
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(row["roles"].as_array().unwrap().len(), 1, "{row}");
    assert_eq!(row["groups"], json!([]));
    let groups = json_of(&app.api(Method::GET, "/groups", Some(&secret), None).await);
    assert_eq!(groups["total"], 1);
    assert_eq!(groups["items"][0]["name"], "Ops");
    let invitations = json_of(
        &app.api(Method::GET, "/invitations", Some(&secret), None)
            .await,
    );
    assert_eq!(invitations["total"], 0);

    // A hundred is fine, and a repeated entry counts once.
    let r = app
        .api(
            Method::PATCH,
            &format!("/members/{}", viewer.id),
            Some(&secret),
            Some(json!({"bindings": many_bindings(100), "groups": many_groups(100)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let row = json_of(&r);
    let own: Vec<&str> = row["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["via_group"].is_null())
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(own.len(), 2, "{row}");
    assert!(own.contains(&"viewer") && own.contains(&"editor"), "{row}");
    assert_eq!(row["groups"].as_array().unwrap().len(), 1, "{row}");
    let r = app
        .api(
            Method::POST,
            "/groups",
            Some(&secret),
            Some(json!({"name": "Twice", "bindings": [{"role": "editor", "project": null}, {"role": "editor", "project": null}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(json_of(&r)["bindings"].as_array().unwrap().len(), 1);
    let r = app
        .api(
            Method::POST,
            "/invitations",
            Some(&secret),
            Some(json!({"email": "x@example.com", "bindings": [{"role": "viewer", "project": null}, {"role": "viewer", "project": null}], "groups": [group, group]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        json_of(&r)["grants"],
        json!({"roles": [{"role": "viewer", "name": "Viewer", "project": null}], "groups": ["Ops"]})
    );

    // The document says so.
    let doc = json_of(&app.api(Method::GET, "/openapi.json", None, None).await);
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("MemberChange", "bindings"),
        ("MemberChange", "groups"),
        ("NewGroup", "bindings"),
        ("GroupChange", "bindings"),
        ("InviteRequest", "bindings"),
        ("InviteRequest", "groups"),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field]["maxItems"], 100,
            "{schema}.{field}: {}",
            schemas[schema]
        );
    }
}

async fn over_a_limit_the_api_answers_409_naming_it(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let settings = OrgSettings {
        custom_role_limit: 1,
        group_limit: 1,
        project_limit: 1,
        // The caller's own token is the first.
        token_limit: 2,
        ..app::areas::organizations::service::settings(&s, &admin.caller)
            .await
            .unwrap()
    };
    app::areas::organizations::service::update_settings(&s, &ctx(), &admin.caller, settings)
        .await
        .unwrap();
    let creations = [
        (
            "/roles",
            json!({"name": "Auditor", "permissions": ["org.read"]}),
            json!({"name": "Reader", "permissions": ["org.read"]}),
            "1 custom role",
        ),
        (
            "/groups",
            json!({"name": "Ops"}),
            json!({"name": "Support"}),
            "1 group",
        ),
        (
            "/projects",
            json!({"name": "Apollo", "owner": admin.id}),
            json!({"name": "Gemini", "owner": admin.id}),
            "1 project",
        ),
        (
            "/tokens",
            json!({"name": "CI", "kind": "organization", "role": "viewer"}),
            json!({"name": "CD", "kind": "organization", "role": "viewer"}),
            "2 access tokens (revoked and expired ones count until deleted)",
        ),
    ];
    for (path, first, second, limit) in creations {
        let r = app
            .api(Method::POST, path, Some(&secret), Some(first))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        let r = app
            .api(Method::POST, path, Some(&secret), Some(second.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.body);
        let p = json_of(&r);
        assert_eq!(p["code"], "limit_reached");
        assert_eq!(p["type"], "urn:gatehouse:problem:conflict:limit_reached");
        assert_eq!(
            p["detail"],
            format!(
                "This organization has reached its limit of {limit}; \
                 raise it in the organization settings or delete one"
            ),
            "{path}"
        );
        let listed = json_of(&app.api(Method::GET, path, Some(&secret), None).await);
        let own = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["name"] == second["name"])
            .count();
        assert_eq!(own, 0, "{path}: the refused one is not there");
    }
}

on_both_databases!(
    long_lists_are_refused_and_repeats_count_once,
    over_a_limit_the_api_answers_409_naming_it,
);
