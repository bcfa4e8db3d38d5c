//! Problem documents, paging and the audit log.

use super::*;

// ---- problems, paging, audit ---------------------------------------------------------------

async fn bad_input_gets_a_problem_document_and_changes_nothing(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let before =
        json_of(&app.api(Method::GET, "/audit", Some(&secret), None).await)["total"].clone();

    let r = app
        .api(
            Method::POST,
            "/roles",
            Some(&secret),
            Some(json!({"name": "", "permissions": ["org.read", "root"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:invalid-input");
    assert_eq!(p["status"], 422);
    assert!(
        p["errors"]["name"]
            .as_str()
            .unwrap()
            .contains("Enter a role name"),
        "{p}"
    );

    let r = app
        .api(
            Method::POST,
            "/invitations",
            Some(&secret),
            Some(json!({"email": "not an address", "bindings": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(json_of(&r)["errors"]["email"].is_string(), "{}", r.body);

    let r = app
        .api(
            Method::POST,
            "/groups",
            Some(&secret),
            Some(json!({"nome": "typo"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&r)["errors"]["body"]
            .as_str()
            .unwrap()
            .contains("nome"),
        "{}",
        r.body
    );

    let mut req = Request::post("/api/v1/groups")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "application/json");
    req = req.header(header::ACCEPT, "application/json");
    let r = app
        .send(req.body(Body::from("{not json")).unwrap(), "192.0.2.20")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&r)["type"], "urn:gatehouse:problem:bad-request");

    // A browser's cross-site POST with a cookie and no token: refused before any handler, as a
    // problem document like every other API error.
    let req = Request::post("/api/v1/groups")
        .header(header::COOKIE, "gatehouse_session=whatever")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json");
    let r = app
        .send(
            req.body(Body::from(r#"{"name":"x"}"#)).unwrap(),
            "192.0.2.20",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:forbidden");
    assert_eq!(
        p["detail"],
        "This request came from another site and was refused"
    );

    let r = app
        .api(Method::GET, "/members?limit=101", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(&r)["errors"]["limit"].is_string());
    let r = app
        .api(Method::GET, "/members?status=gone", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(Method::GET, "/members/not-a-uuid", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(Method::GET, "/audit?format=xml", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Built-in roles are neither edited nor deleted.
    let r = app
        .api(
            Method::PATCH,
            "/roles/admin",
            Some(&secret),
            Some(json!({"name": "Boss"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(json_of(&r)["code"], "builtin_role");
    let r = app
        .api(Method::DELETE, "/roles/viewer", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The last Admin cannot be demoted.
    let r = app
        .api(
            Method::PATCH,
            &format!("/members/{}", admin.id),
            Some(&secret),
            Some(json!({"bindings": [{"role": "viewer", "project": null}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(json_of(&r)["code"], "last_admin");

    // Rule 3: an Editor's token cannot make an Admin token.
    let editor = acme.with_member(BuiltinRole::Editor).await;
    let editor_secret = editor
        .with_token(TokenKind::User, BuiltinRole::Editor)
        .await
        .secret;
    let r = app
        .api(
            Method::POST,
            "/tokens",
            Some(&editor_secret),
            Some(json!({"name": "x", "kind": "user", "role": "admin"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let after =
        json_of(&app.api(Method::GET, "/audit", Some(&secret), None).await)["total"].clone();
    // Only the fixtures above wrote anything (the member and the Editor's token).
    assert_eq!(after.as_i64().unwrap(), before.as_i64().unwrap() + 2);
}

async fn lists_page_with_a_cursor_and_a_total(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::Organization, BuiltinRole::Viewer)
        .await
        .secret;
    for _ in 0..6 {
        acme.with_member(BuiltinRole::Viewer).await;
    }
    for i in 0..3 {
        app::areas::groups::service::create_group(&s, &ctx(), &admin.caller, &format!("Group {i}"))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/members?limit=3&cursor={c}"),
            None => "/members?limit=3".into(),
        };
        let page = json_of(&app.api(Method::GET, &path, Some(&secret), None).await);
        assert_eq!(page["total"], 7);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["name"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(seen, sorted, "alphabetical across pages");

    let first = json_of(
        &app.api(Method::GET, "/groups?limit=2", Some(&secret), None)
            .await,
    );
    assert_eq!(
        (
            first["items"].as_array().unwrap().len(),
            first["total"].as_i64()
        ),
        (2, Some(3))
    );
    let next = first["next_cursor"].as_str().unwrap();
    let second = json_of(
        &app.api(
            Method::GET,
            &format!("/groups?limit=2&cursor={next}"),
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);

    // Roles list the built-ins first, with their fixed ids.
    let roles = json_of(&app.api(Method::GET, "/roles", Some(&secret), None).await);
    let ids: Vec<&str> = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["viewer", "editor", "admin"]);
}

async fn the_audit_log_filters_pages_and_exports(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await
        .secret;
    let start = app.state.now();
    for i in 0..4 {
        app.clock.advance_ms(1000);
        let r = app
            .api(
                Method::POST,
                "/groups",
                Some(&secret),
                Some(json!({"name": format!("Team \"{i}\", with commas")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    app.clock.advance_ms(1000);
    let r = app
        .api(Method::POST, "/invitations", Some(&secret), Some(json!({"email": "grace@example.com", "bindings": [{"role": "viewer", "project": null}]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let groups = json_of(
        &app.api(
            Method::GET,
            "/audit?action=group.created&limit=3",
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(groups["total"], 4);
    assert_eq!(groups["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        groups["items"][0]["target"]["label"], "Team \"3\", with commas",
        "newest first"
    );
    assert_eq!(groups["items"][0]["actor"]["kind"], "token");
    let next = groups["next_cursor"].as_str().unwrap();
    let rest = json_of(
        &app.api(
            Method::GET,
            &format!("/audit?action=group.created&limit=3&cursor={next}"),
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        rest["items"][0]["target"]["label"],
        "Team \"0\", with commas"
    );

    let family = json_of(
        &app.api(Method::GET, "/audit?action=member.*", Some(&secret), None)
            .await,
    );
    assert_eq!(family["total"], 1);
    assert_eq!(family["items"][0]["action"], "member.invited");
    let by_target = json_of(
        &app.api(
            Method::GET,
            "/audit?target=GRACE@example.com",
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(by_target["total"], 1);
    let window = format!(
        "/audit?action=group.*&since={}&until={}",
        start + 2000,
        start + 4000
    );
    assert_eq!(
        json_of(&app.api(Method::GET, &window, Some(&secret), None).await)["total"],
        2
    );
    let r = app
        .api(
            Method::GET,
            "/audit?since=1970-01-01&until=1970-01-02",
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(json_of(&r)["total"], 0);

    let csv = app
        .api(
            Method::GET,
            "/audit?format=csv&action=group.*",
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("audit.csv")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,time,actor_kind,actor_id,actor,action,target_kind,target_id,target,before,after,client_addr"
    );
    assert_eq!(csv.body.lines().count(), 5);
    assert!(
        csv.body.contains(r#""Team ""2"", with commas""#),
        "quoted: {}",
        csv.body
    );

    // Compressed on the way out, the streamed export still ends whole (the compressor polls
    // the stream once more after its end).
    for encoding in ["gzip", "br"] {
        let r = app
            .send(
                Request::builder()
                    .uri("/api/v1/audit?format=csv")
                    .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                    .header(header::ACCEPT_ENCODING, encoding)
                    .body(Body::empty())
                    .unwrap(),
                "192.0.2.20",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-encoding"), Some(encoding));
        assert!(!r.body.is_empty());
    }

    let export = app
        .api(Method::GET, "/audit?format=json", Some(&secret), None)
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let all: Vec<Value> = serde_json::from_str(&export.body).unwrap();
    let total = json_of(&app.api(Method::GET, "/audit", Some(&secret), None).await)["total"]
        .as_u64()
        .unwrap();
    assert_eq!(all.len() as u64, total);
    let empty = app
        .api(
            Method::GET,
            "/audit?format=json&action=nothing.happened",
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&empty.body)
            .unwrap()
            .len(),
        0
    );

    // A Viewer's token cannot read the log.
    let viewer = admin
        .with_token(TokenKind::Organization, BuiltinRole::Viewer)
        .await
        .secret;
    assert_eq!(
        app.api(Method::GET, "/audit?format=csv", Some(&viewer), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Another organization's events never show.
    let globex = app.org("Globex").await;
    let other_secret = globex
        .admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await
        .secret;
    let theirs = json_of(
        &app.api(
            Method::GET,
            "/audit?action=group.*",
            Some(&other_secret),
            None,
        )
        .await,
    );
    assert_eq!(theirs["total"], 0);
}

on_both_databases!(
    bad_input_gets_a_problem_document_and_changes_nothing,
    lists_page_with_a_cursor_and_a_total,
    the_audit_log_filters_pages_and_exports,
);
