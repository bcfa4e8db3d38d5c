//! The language pages are drawn in: the person's own choice, else their organization's
//! default, else the browser's (the language cookie, then `Accept-Language`); the first page
//! comes from the server in that language with `<html lang>` saying so.

use super::*;

/// A value of the catalogue, as the page should show it.
fn text(lang: &str, part: &str, key: &str) -> String {
    let file = match (lang, part) {
        ("de", "auth") => include_str!("../../../../app/locales/de/auth.json"),
        ("zh", "auth") => include_str!("../../../../app/locales/zh/auth.json"),
        ("ru", "auth") => include_str!("../../../../app/locales/ru/auth.json"),
        ("en", "auth") => include_str!("../../../../app/locales/en/auth.json"),
        ("de", "members") => include_str!("../../../../app/locales/de/members.json"),
        ("zh", "members") => include_str!("../../../../app/locales/zh/members.json"),
        ("ru", "members") => include_str!("../../../../app/locales/ru/members.json"),
        ("en", "members") => include_str!("../../../../app/locales/en/members.json"),
        _ => panic!("no catalogue file {lang}/{part} in this test"),
    };
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(file).unwrap();
    map[key].as_str().unwrap().to_string()
}

fn lang_of(body: &str) -> Option<&str> {
    let start = body.find("<html")?;
    let tag = &body[start..start + body[start..].find('>')?];
    let at = tag.find("lang=\"")? + 6;
    Some(&tag[at..at + tag[at..].find('"')?])
}

async fn a_visitor_gets_the_browsers_language(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    for (header, lang) in [
        ("de-CH,de;q=0.9,en;q=0.5", "de"),
        ("zh-CN,zh;q=0.9", "zh"),
        ("ru", "ru"),
        ("fr-FR,fr;q=0.9", "en"),
    ] {
        let r = app
            .get_page_with("/signin", &[("accept-language", header)])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(lang_of(&r.body), Some(lang), "{header}");
        assert!(
            r.body.contains(&text(lang, "auth", "sign_in_title")),
            "{header}: {}",
            r.body
        );
    }
    // The switcher's cookie wins over the header.
    let r = app
        .get_page_with(
            "/signin",
            &[("accept-language", "de"), ("cookie", "i18n_pref_locale=ru")],
        )
        .await;
    assert_eq!(lang_of(&r.body), Some("ru"));
    assert!(r.body.contains(&text("ru", "auth", "sign_in_title")));
    // The server only reads it: the browser writes it, for the whole site and a year. Echoed
    // back without a path or a lifetime it would become a cookie of this page's folder, gone
    // when the browser closes.
    assert!(
        !r.headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.starts_with("i18n_pref_locale"))),
        "{:?}",
        r.headers
    );
}

/// The members page with this session and an English browser.
async fn members(app: &TestApp, session: String) -> crate::support::harness::Reply {
    app.get_page_with(
        "/o/acme-corp/members",
        &[("cookie", &session), ("accept-language", "en")],
    )
    .await
}

async fn a_persons_own_language_comes_first_then_the_organizations(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let session = format!("gatehouse_session={cookie}; i18n_pref_locale=en");
    // Nothing chosen: the browser's language.
    let r = members(&app, session.clone()).await;
    assert_eq!(lang_of(&r.body), Some("en"), "{}", r.body);
    // The organization's default, for members who chose nothing.
    let r = app
        .post_form(
            "/api/settings_save",
            &[
                ("org", "acme-corp"),
                ("name", "Acme Corp"),
                ("invitation_lifetime_hours", "72"),
                ("pending_invitation_limit", "50"),
                ("custom_role_limit", "100"),
                ("group_limit", "1000"),
                ("project_limit", "1000"),
                ("token_limit", "1000"),
                ("default_language", "ru"),
            ],
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    let r = members(&app, session.clone()).await;
    assert_eq!(lang_of(&r.body), Some("ru"));
    assert!(
        r.body.contains(&text("ru", "members", "title")),
        "{}",
        r.body
    );
    // A page outside any organization (the profile) follows their organization's default.
    let r = app
        .get_page_with(
            "/profile",
            &[("cookie", &session), ("accept-language", "en")],
        )
        .await;
    assert_eq!(lang_of(&r.body), Some("ru"));
    // The person's own choice beats both.
    let r = app
        .post_form(
            "/api/language",
            &[("language", "zh")],
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = members(&app, session.clone()).await;
    assert_eq!(lang_of(&r.body), Some("zh"));
    assert!(r.body.contains(&text("zh", "members", "title")));
    let r = app
        .get_page_with(
            "/profile",
            &[("cookie", &session), ("accept-language", "de")],
        )
        .await;
    assert_eq!(lang_of(&r.body), Some("zh"));
    // A language we do not have is refused, and nothing changes.
    let r = app
        .post_form(
            "/api/language",
            &[("language", "fr")],
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = members(&app, session.clone()).await;
    assert_eq!(lang_of(&r.body), Some("zh"));
    // Clearing it hands the choice back to the organization.
    let r = app
        .post_form(
            "/api/language",
            &[("language", "")],
            Some(&cookie),
            "192.0.2.10",
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = members(&app, session).await;
    assert_eq!(lang_of(&r.body), Some("ru"));
    // Without a session the choice is the browser's again.
    let r = app
        .get_page_with(
            "/signin",
            &[
                ("cookie", "gatehouse_session=forged"),
                ("accept-language", "de"),
            ],
        )
        .await;
    assert_eq!(lang_of(&r.body), Some("de"));
}

on_both_databases!(
    a_visitor_gets_the_browsers_language,
    a_persons_own_language_comes_first_then_the_organizations,
);
