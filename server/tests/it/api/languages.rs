//! The REST API's `detail` (and field messages) follow `Accept-Language`; `type`, `title` and
//! `code` stay English and stable; without the header, English.

use super::*;

impl TestApp {
    async fn api_in(
        &self,
        method: Method,
        path: &str,
        bearer: &str,
        body: Value,
        language: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(l) = language {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        self.send(
            req.body(Body::from(body.to_string())).unwrap(),
            "192.0.2.20",
        )
        .await
    }
}

async fn a_conflict_is_detailed_in_the_language_asked_for(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    let secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let invite = json!({"email": admin.email, "bindings": [{"role": "viewer", "project": null}]});
    let r = app
        .api_in(
            Method::POST,
            "/invitations",
            &secret,
            invite.clone(),
            Some("ru"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:conflict:already_member");
    assert_eq!(p["title"], "Conflict");
    assert_eq!(p["code"], "already_member");
    assert_eq!(
        p["detail"],
        format!("{} уже является участником этой организации", admin.email)
    );

    let r = app
        .api_in(Method::POST, "/invitations", &secret, invite, None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:conflict:already_member");
    assert_eq!(p["code"], "already_member");
    assert_eq!(
        p["detail"],
        format!("{} is already a member of this organization", admin.email)
    );
}

async fn invalid_input_is_detailed_in_the_language_asked_for(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let secret = acme
        .admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let role = json!({"name": "", "permissions": ["org.read"]});
    let r = app
        .api_in(
            Method::POST,
            "/roles",
            &secret,
            role.clone(),
            Some("ru-RU,ru;q=0.9,en;q=0.5"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:invalid-input");
    assert_eq!(p["title"], "Invalid input");
    assert_eq!(p["detail"], "Введите название роли", "{p}");
    assert_eq!(p["errors"]["name"], "Введите название роли", "{p}");

    let r = app
        .api_in(Method::POST, "/roles", &secret, role, None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:invalid-input");
    assert_eq!(p["detail"], "Enter a role name", "{p}");
    assert_eq!(p["errors"]["name"], "Enter a role name", "{p}");
}

async fn not_found_is_detailed_in_the_language_asked_for(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let secret = acme
        .admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let missing = format!("/members/{}", uuid::Uuid::now_v7());
    for path in [missing.as_str(), "/no-such-collection"] {
        let r = app
            .api_in(Method::GET, path, &secret, Value::Null, Some("de"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        let p = json_of(&r);
        assert_eq!(p["type"], "urn:gatehouse:problem:not-found");
        assert_eq!(p["title"], "Not found");
        assert_eq!(
            p["detail"], "Das gibt es in dieser Organisation nicht",
            "{p}"
        );

        let r = app
            .api_in(Method::GET, path, &secret, Value::Null, None)
            .await;
        let p = json_of(&r);
        assert_eq!(
            p["detail"], "There is no such thing in this organization",
            "{p}"
        );
    }
}

on_both_databases!(
    a_conflict_is_detailed_in_the_language_asked_for,
    invalid_input_is_detailed_in_the_language_asked_for,
    not_found_is_detailed_in_the_language_asked_for,
);
