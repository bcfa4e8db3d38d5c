//! The organization settings that shape invitations: checked, and applied to new links.

use super::*;

async fn settings_are_checked_and_apply_to_new_links(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let before = app::areas::organizations::service::settings(&app.state, &admin)
        .await
        .unwrap();
    assert_eq!(before, OrgSettings::defaults("Acme"));
    assert_eq!(
        (
            before.invitation_lifetime_hours,
            before.pending_invitation_limit,
            before.custom_role_limit,
            before.group_limit,
            before.project_limit,
            before.token_limit
        ),
        (72, 50, 100, 1_000, 1_000, 1_000)
    );
    let e = app::areas::organizations::service::update_settings(
        &app.state,
        &ctx(),
        &admin,
        OrgSettings {
            name: " ".into(),
            invitation_lifetime_hours: 721,
            pending_invitation_limit: 0,
            custom_role_limit: 1_001,
            group_limit: 0,
            project_limit: 10_001,
            token_limit: 0,
            default_language: None,
        },
    )
    .await
    .unwrap_err();
    for field in [
        "name",
        "invitation_lifetime_hours",
        "pending_invitation_limit",
        "custom_role_limit",
        "group_limit",
        "project_limit",
        "token_limit",
    ] {
        assert!(e.field_message(field).is_some(), "{field}: {e:?}");
    }
    assert_eq!(
        e.field_message("custom_role_limit"),
        Some("The custom role limit is a whole number from 1 to 1,000")
    );
    assert_eq!(
        e.field_message("project_limit"),
        Some("The project limit is a whole number from 1 to 10,000")
    );
    assert_eq!(
        app::areas::organizations::service::settings(&app.state, &admin)
            .await
            .unwrap(),
        before
    );
    let changed = OrgSettings {
        name: "Acme Corp".into(),
        invitation_lifetime_hours: 720,
        pending_invitation_limit: 5,
        custom_role_limit: 1_000,
        group_limit: 1,
        project_limit: 10_000,
        token_limit: 7,
        default_language: Some(app::areas::accounts::types::Language::De),
    };
    app::areas::organizations::service::update_settings(
        &app.state,
        &ctx(),
        &admin,
        changed.clone(),
    )
    .await
    .unwrap();
    assert_eq!(
        app::areas::organizations::service::settings(&app.state, &admin)
            .await
            .unwrap(),
        changed
    );
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("x@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let row = inv::list(&app.state, &admin, None, None, 10)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(row.expires_at - row.sent_at, 720 * 3_600_000);
    // The new default language writes the mail to a new address, too.
    let mail = deliver(&app).await.remove(0);
    assert_eq!(
        mail.subject,
        "Acme Admin hat Sie zu Acme Corp auf Gatehouse eingeladen"
    );
    assert!(mail.text.contains("(in 30 Tagen)"), "{}", mail.text);
    assert!(
        actions(&app, acme.id)
            .await
            .contains(&"organization.settings_changed".to_string())
    );
}

on_both_databases!(settings_are_checked_and_apply_to_new_links);
