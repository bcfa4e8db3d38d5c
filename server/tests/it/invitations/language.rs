//! Invitation mail is written in the recipient's language: their own choice when they have an
//! account and made one, else the inviting organization's default, else English; decided
//! again on each resend.

use super::*;
use app::areas::accounts::types::Language;

/// Sets Acme's default language (the other settings as they are).
async fn set_default_language(app: &TestApp, admin: &Caller, language: Option<Language>) {
    let current = app::areas::organizations::service::settings(&app.state, admin)
        .await
        .unwrap();
    app::areas::organizations::service::update_settings(
        &app.state,
        &ctx(),
        admin,
        OrgSettings {
            default_language: language,
            ..current
        },
    )
    .await
    .unwrap();
}

/// A registered user (the Admin of their own organization) with `language` as their choice.
async fn user_speaking(app: &TestApp, org_name: &str, email: &str, language: Option<Language>) {
    let (own, c) = org(app, org_name, email).await;
    let id = c.principal.acting_user().unwrap();
    app.state
        .store
        .set_language(id, language, fixture_event(own.id))
        .await
        .unwrap();
}

async fn invite_one(app: &TestApp, admin: &Caller, email: &str) -> InvitationId {
    inv::invite(
        &app.state,
        &ctx(),
        admin,
        request(email, vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap()
}

async fn only_mail(app: &TestApp) -> OutgoingMail {
    let mut mails = deliver(app).await;
    assert_eq!(mails.len(), 1);
    mails.remove(0)
}

async fn a_new_address_gets_the_organization_s_default_language(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_, admin) = org(&app, "Acme", "ada@example.com").await;
    set_default_language(&app, &admin, Some(Language::De)).await;
    invite_one(&app, &admin, "new@example.com").await;
    let m = only_mail(&app).await;
    assert_eq!(m.to, "new@example.com");
    assert_eq!(
        m.subject,
        "Acme Admin hat Sie zu Acme auf Gatehouse eingeladen"
    );
    for body in [&m.text, &m.html] {
        assert!(
            body.contains("Acme Admin hat Sie eingeladen, Acme beizutreten."),
            "{body}"
        );
        assert!(body.contains("Einladung annehmen"), "{body}");
        assert!(
            body.contains("Der Link funktioniert einmal und läuft am "),
            "{body}"
        );
        assert!(body.contains(" UTC ab (in 3 Tagen)."), "{body}");
        assert!(!body.contains("invited you"), "no English left: {body}");
    }
    assert!(m.html.contains("<html lang=\"de\">"));
    assert!(m.html.contains(
        "Oder fügen Sie diese Adresse in Ihren Browser ein: http://gatehouse.test/invite/"
    ));
}

async fn a_user_s_own_language_comes_before_the_organization_s(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_, admin) = org(&app, "Acme", "ada@example.com").await;
    set_default_language(&app, &admin, Some(Language::De)).await;
    user_speaking(&app, "Beta", "ivan@example.com", Some(Language::Ru)).await;
    // Without a choice of their own, a registered user gets the organization's default.
    user_speaking(&app, "Gamma", "grete@example.com", None).await;
    invite_one(&app, &admin, "ivan@example.com").await;
    let m = only_mail(&app).await;
    assert_eq!(m.subject, "Вам предоставлен доступ к Acme");
    for body in [&m.text, &m.html] {
        assert!(
            body.contains("Acme Admin предоставляет вам доступ к Acme."),
            "{body}"
        );
        assert!(body.contains("Принять и открыть организацию"), "{body}");
        assert!(body.contains(" UTC (через 3 дня)."), "{body}");
    }
    invite_one(&app, &admin, "grete@example.com").await;
    let m = only_mail(&app).await;
    assert_eq!(m.subject, "Sie haben Zugriff auf Acme erhalten");
}

async fn without_a_default_mail_is_in_english(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_, admin) = org(&app, "Acme", "ada@example.com").await;
    invite_one(&app, &admin, "new@example.com").await;
    let m = only_mail(&app).await;
    assert_eq!(m.subject, "Acme Admin invited you to Acme on Gatehouse");
    assert!(
        m.text
            .contains("Accept the invitation: http://gatehouse.test/invite/")
    );
    assert!(m.text.contains("(in 3 days)."));
    assert!(m.html.contains("<html lang=\"en\">"));
    // A registered user without a choice of their own, too.
    user_speaking(&app, "Beta", "bob@example.com", None).await;
    invite_one(&app, &admin, "bob@example.com").await;
    assert_eq!(
        only_mail(&app).await.subject,
        "You have been given access to Acme"
    );
}

async fn a_resend_is_written_in_the_language_of_the_moment(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_, admin) = org(&app, "Acme", "ada@example.com").await;
    let id = invite_one(&app, &admin, "new@example.com").await;
    assert_eq!(
        only_mail(&app).await.subject,
        "Acme Admin invited you to Acme on Gatehouse"
    );
    set_default_language(&app, &admin, Some(Language::Zh)).await;
    inv::resend(&app.state, &ctx(), &admin, id).await.unwrap();
    let m = only_mail(&app).await;
    assert_eq!(m.subject, "Acme Admin 邀请您加入 Gatehouse 上的 Acme");
    assert!(m.text.contains("（3 天后）"), "{}", m.text);
}

on_both_databases!(
    a_new_address_gets_the_organization_s_default_language,
    a_user_s_own_language_comes_before_the_organization_s,
    without_a_default_mail_is_in_english,
    a_resend_is_written_in_the_language_of_the_moment,
);
