//! The OpenAPI document against the routes the router serves, and against what the server
//! accepts.

use super::*;

// ---- the OpenAPI document ------------------------------------------------------------------

/// SPEC §3's table, typed out here rather than taken from the code.
const SPEC_ROUTES: &[(&str, &str)] = &[
    ("get", "/me"),
    ("get", "/members"),
    ("get", "/members/{user_id}"),
    ("patch", "/members/{user_id}"),
    ("post", "/members/{user_id}/deactivate"),
    ("post", "/members/{user_id}/reactivate"),
    ("delete", "/members/{user_id}"),
    ("get", "/invitations"),
    ("post", "/invitations"),
    ("post", "/invitations/{id}/resend"),
    ("delete", "/invitations/{id}"),
    ("get", "/roles"),
    ("post", "/roles"),
    ("get", "/roles/{id}"),
    ("patch", "/roles/{id}"),
    ("delete", "/roles/{id}"),
    ("get", "/groups"),
    ("post", "/groups"),
    ("patch", "/groups/{id}"),
    ("delete", "/groups/{id}"),
    ("put", "/groups/{id}/members/{user_id}"),
    ("delete", "/groups/{id}/members/{user_id}"),
    ("get", "/projects"),
    ("post", "/projects"),
    ("patch", "/projects/{id}"),
    ("delete", "/projects/{id}"),
    ("get", "/tokens"),
    ("post", "/tokens"),
    ("post", "/tokens/{id}/regenerate"),
    ("delete", "/tokens/{id}"),
    ("get", "/audit"),
    ("get", "/openapi.json"),
];

async fn the_openapi_document_lists_every_route_the_router_serves(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let r = app.api(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = json_of(&r);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    let mut op_ids = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(op) = item.get(method) {
                operations.push((method.to_string(), path.clone()));
                let op_id = op["operationId"].as_str().expect("operationId").to_string();
                assert!(
                    !op_ids.contains(&op_id),
                    "operationId {op_id} is not unique"
                );
                op_ids.push(op_id);
                // Every operation documents its success and, when it takes a token, 401.
                let responses = op["responses"].as_object().expect("responses");
                assert!(
                    responses.keys().any(|k| k.starts_with('2')),
                    "{method} {path}"
                );
                if path != "/openapi.json" {
                    assert!(
                        responses.contains_key("401"),
                        "{method} {path} documents 401"
                    );
                }
            }
        }
    }
    for (method, path) in SPEC_ROUTES {
        assert!(
            operations.iter().any(|(m, p)| m == method && p == path),
            "SPEC route {method} {path} is missing from the document"
        );
    }
    // Every documented operation is served: without a token it is refused as unauthenticated
    // (never 404 or 405); the document itself is public.
    let some_id = uuid::Uuid::now_v7().to_string();
    for (method, path) in &operations {
        let concrete = path
            .replace("{user_id}", &some_id)
            .replace("{id}", &some_id);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app.api(method.clone(), &concrete, None, None).await;
        let want = if path == "/openapi.json" { 200 } else { 401 };
        assert_eq!(r.status.as_u16(), want, "{method} {path}: {}", r.body);
    }
    // And a route that is not documented is not served.
    let r = app.api(Method::GET, "/users", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

/// The document states the bounds the server enforces, and the server takes what the document
/// allows: an empty query parameter is an absent one, and a role name a built-in role holds is
/// taken (409), as a custom role's would be.
async fn the_document_and_the_server_agree_on_what_is_valid(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let secret = acme
        .admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;

    let doc = json_of(&app.api(Method::GET, "/openapi.json", None, None).await);
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has no parameter {name}"))["schema"]
            .clone()
    };
    for path in [
        "/members",
        "/invitations",
        "/roles",
        "/groups",
        "/projects",
        "/tokens",
        "/audit",
    ] {
        let limit = param(path, "limit");
        assert_eq!(
            (limit["minimum"].as_i64(), limit["maximum"].as_i64()),
            (Some(1), Some(100)),
            "{path}: {limit}"
        );
        // What the document rules out, the server refuses; its bounds are still served.
        let refused = app
            .api(Method::GET, &format!("{path}?limit=0"), Some(&secret), None)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let served = app
            .api(Method::GET, &format!("{path}?limit=1"), Some(&secret), None)
            .await;
        assert_eq!(served.status, StatusCode::OK, "{path}: {}", served.body);
    }
    assert_eq!(param("/members", "q")["maxLength"], 200);
    assert_eq!(param("/audit", "format")["enum"], json!(["json", "csv"]));

    // Empty parameters, as a form or a URL template leaves them, mean absent.
    for query in [
        "/members?status=&q=&role=&group=&two_factor=&limit=&cursor=",
        "/invitations?status=&limit=&cursor=",
        "/tokens?kind=&limit=",
        "/groups?limit=&cursor=",
        "/audit?actor=&action=&target=&since=&until=&format=&limit=&cursor=",
    ] {
        let r = app.api(Method::GET, query, Some(&secret), None).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    }
    let r = app
        .api(Method::GET, "/members?role=&q=", Some(&secret), None)
        .await;
    assert_eq!(json_of(&r)["total"], 1, "the filter is off: {}", r.body);

    // Names: one line of 1 to 64 characters, stated as such.
    let schemas = &doc["components"]["schemas"];
    for schema in ["NewGroup", "NewProject", "NewRole", "TokenRequest"] {
        let name = &schemas[schema]["properties"]["name"];
        assert_eq!(
            (name["minLength"].as_i64(), name["maxLength"].as_i64()),
            (Some(1), Some(64)),
            "{schema}: {name}"
        );
        assert!(name["pattern"].is_string(), "{schema}: {name}");
    }
    assert_eq!(
        schemas["TokenRequest"]["properties"]["expires_in_days"]["enum"],
        json!([7, 30, 90, 365, null])
    );
    assert_eq!(
        schemas["InviteRequest"]["properties"]["email"]["maxLength"],
        254
    );
    assert_eq!(
        schemas["NewRole"]["properties"]["permissions"]["minItems"],
        1
    );

    let r = app
        .api(
            Method::POST,
            "/roles",
            Some(&secret),
            Some(json!({"name": "ADMIN", "permissions": ["org.read"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(json_of(&r)["code"], "role_name_taken");
}

on_both_databases!(
    the_document_and_the_server_agree_on_what_is_valid,
    the_openapi_document_lists_every_route_the_router_serves,
);
