//! Server functions answer errors in the request's language (the language cookie, else
//! `Accept-Language`, else English): field messages and conflicts alike.

use super::*;

fn settings_form(custom_roles: &'static str) -> [(&'static str, &'static str); 8] {
    [
        ("org", "acme-corp"),
        ("name", "Acme Corp"),
        ("invitation_lifetime_hours", "48"),
        ("pending_invitation_limit", "20"),
        ("custom_role_limit", custom_roles),
        ("group_limit", "30"),
        ("project_limit", "40"),
        ("token_limit", "50"),
    ]
}

async fn a_field_message_follows_the_language_cookie(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let german = format!("gatehouse_session={cookie}; i18n_pref_locale=de");
    let r = app
        .post_form_with(
            "/api/settings_save",
            &settings_form("1001"),
            &[("cookie", &german)],
            "192.0.2.10",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let said = "Das Limit für benutzerdefinierte Rollen ist eine ganze Zahl von 1 bis 1,000";
    assert_eq!(v["Validation"]["fields"]["custom_role_limit"], said, "{v}");
    assert_eq!(v["Validation"]["message"], said, "{v}");

    // Without a cookie or Accept-Language: English, as before.
    let r = app
        .post_form(
            "/api/settings_save",
            &settings_form("1001"),
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v["Validation"]["fields"]["custom_role_limit"],
        "The custom role limit is a whole number from 1 to 1,000"
    );

    // Accept-Language decides when there is no cookie.
    let r = app
        .post_form_with(
            "/api/settings_save",
            &settings_form("0"),
            &[
                ("cookie", &format!("gatehouse_session={cookie}")),
                ("accept-language", "ru-RU,ru;q=0.9"),
            ],
            "192.0.2.10",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v["Validation"]["fields"]["custom_role_limit"],
        "Лимит пользовательских ролей — целое число от 1 до 1,000"
    );
}

async fn a_conflict_follows_the_language_cookie(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let invite = r#"{"org":"acme-corp","invitation":{"email":"ada@example.com","bindings":[{"role":"viewer","project":null}]}}"#;
    let r = app
        .post_json(
            "/api/invite",
            invite,
            Some(&format!("{cookie}; i18n_pref_locale=de")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["Conflict"]["code"], "already_member", "{v}");
    assert_eq!(
        v["Conflict"]["message"],
        "ada@example.com ist bereits Mitglied dieser Organisation"
    );

    let r = app.post_json("/api/invite", invite, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["Conflict"]["code"], "already_member");
    assert_eq!(
        v["Conflict"]["message"],
        "ada@example.com is already a member of this organization"
    );
}

on_both_databases!(
    a_field_message_follows_the_language_cookie,
    a_conflict_follows_the_language_cookie,
);
