//! Console requests authenticated by a session: what a server reuses between them (the
//! single-node lookup cache) follows every change at once, and on several nodes a change made
//! through one holds on the very next request to another.

use super::*;
use crate::support::{caller_of, fixture_event, org_wide};
use app::{
    core::{ids::UserId, validate::Password},
    policy::{Binding, BuiltinRole, RoleId},
    server::{
        caller::Caller,
        store::{MemberUser, NewUser},
    },
};

const FROM: &str = "192.0.2.40";

/// Acme Corp (founded by Ada, its Admin) with Bob, an Admin too; Ada as a caller, Bob's id.
async fn acme_with_bob(app: &TestApp) -> (Caller, UserId) {
    let store = &app.state.store;
    let org = store
        .organization_by_slug("acme-corp")
        .await
        .unwrap()
        .unwrap();
    let ada = store
        .user_credentials("ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let hash = app
        .state
        .passwords
        .hash(Password::parse_new(PASSWORD).unwrap())
        .await
        .unwrap();
    let bob = UserId::new();
    store
        .add_member(
            org.id,
            MemberUser::New(NewUser {
                id: bob,
                email: "bob@example.com".into(),
                name: "Bob".into(),
                password_hash: hash,
            }),
            &[admin()],
            &[],
            fixture_event(org.id),
        )
        .await
        .unwrap();
    (caller_of(&app.state, org.id, ada).await, bob)
}

fn admin() -> Binding {
    org_wide(RoleId::Builtin(BuiltinRole::Admin))
}

fn viewer() -> Binding {
    org_wide(RoleId::Builtin(BuiltinRole::Viewer))
}

async fn sign_in_bob(app: &TestApp) -> String {
    let r = app.sign_in("bob@example.com", PASSWORD, FROM).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.session_cookie().unwrap()
}

/// The settings page's server function (`org.manage`): 200 for an Admin, 403 for a Viewer or
/// a deactivated member, 401 without a valid session.
async fn settings(app: &TestApp, cookie: &str) -> (StatusCode, String) {
    let r = app
        .post_form("/api/settings", &[("org", "acme-corp")], Some(cookie), FROM)
        .await;
    (r.status, r.body)
}

async fn set_role(app: &TestApp, ada: &Caller, bob: UserId, binding: Binding) {
    app::areas::members::service::update_member(
        &app.state,
        &ctx(),
        ada,
        bob,
        vec![binding],
        vec![],
    )
    .await
    .unwrap();
}

fn ctx() -> app::server::RequestCtx {
    crate::support::ctx()
}

/// Every change that alters what a session may do reaches the very next request: a role
/// change, a group's role, deactivation and reactivation, a chosen language, sign-out. Where
/// the store can tell when its data changed (SQLite, a single-node PostgreSQL server), the
/// lookups are reused in between.
async fn reused_sessions_follow_every_change_at_once(t: &TestDb) {
    let (app, _) = signed_up(t).await;
    let (ada, bob) = acme_with_bob(&app).await;
    let cookie = sign_in_bob(&app).await;
    for _ in 0..2 {
        assert_eq!(settings(&app, &cookie).await.0, StatusCode::OK);
    }
    let cache = &app.state.auth_cache;
    if let Some(before) = app.state.store.generation() {
        assert_eq!(cache.sessions.len(), 1, "the session is reused");
        assert_eq!(cache.memberships.len(), 1, "and Bob's place in Acme");
        // Starting another session changes nothing anybody's lookups read: they stay reused.
        let other = sign_in_bob(&app).await;
        assert_eq!(app.state.store.generation(), Some(before));
        assert_eq!(settings(&app, &other).await.0, StatusCode::OK);
        assert_eq!(cache.sessions.len(), 2);
    } else {
        assert!(cache.is_empty(), "nothing is reused");
    }

    // Demoted to Viewer: no longer allowed, at once; promoted again: allowed.
    set_role(&app, &ada, bob, viewer()).await;
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::FORBIDDEN);
    set_role(&app, &ada, bob, admin()).await;
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::OK);

    // Admin only through a group, then out of it.
    let group = app::areas::groups::service::create_group(&app.state, &ctx(), &ada, "Ops")
        .await
        .unwrap();
    app::areas::groups::service::set_group_bindings(&app.state, &ctx(), &ada, group, vec![admin()])
        .await
        .unwrap();
    app::areas::members::service::update_member(
        &app.state,
        &ctx(),
        &ada,
        bob,
        vec![viewer()],
        vec![group],
    )
    .await
    .unwrap();
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::OK);
    app::areas::groups::service::remove_group_member(&app.state, &ctx(), &ada, group, bob)
        .await
        .unwrap();
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::FORBIDDEN);
    set_role(&app, &ada, bob, admin()).await;

    // Deactivated: refused at once, with the reason; reactivated: back.
    app::areas::members::service::set_member_active(&app.state, &ctx(), &ada, bob, false)
        .await
        .unwrap();
    let (status, body) = settings(&app, &cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("deactivated"), "{body}");
    app::areas::members::service::set_member_active(&app.state, &ctx(), &ada, bob, true)
        .await
        .unwrap();
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::OK);

    // A language chosen is the pages' language on the next request.
    let (_, body) = settings(&app, &cookie).await;
    assert!(body.contains("\"language\":null"), "{body}");
    let r = app
        .post_form("/api/language", &[("language", "de")], Some(&cookie), FROM)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (_, body) = settings(&app, &cookie).await;
    assert!(body.contains("\"language\":\"de\""), "{body}");

    // Signed out: the cookie opens nothing any more.
    let out = app
        .post_form("/api/signout", &[], Some(&cookie), FROM)
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::UNAUTHORIZED);
    let page = app.get_page("/o/acme-corp/members", Some(&cookie)).await;
    assert_eq!(page.header("location"), Some("/signin"));
}

/// A session's idle time is counted from its last use also when its lookup is reused: the
/// minute-by-minute touches reach the cache, so an active session never expires as idle.
async fn a_reused_session_stays_alive_while_used_and_ends_when_idle(t: &TestDb) {
    let (app, cookie) = signed_up(t).await;
    let idle = app.state.config.session_idle_ms;
    // Used every hour for a day: still signed in (the idle limit is 12 hours).
    for _ in 0..24 {
        app.clock.advance_ms(3_600_000);
        assert_eq!(settings(&app, &cookie).await.0, StatusCode::OK);
    }
    app.clock.advance_ms(idle);
    assert_eq!(settings(&app, &cookie).await.0, StatusCode::UNAUTHORIZED);
}

/// Several servers on one PostgreSQL database: Bob's session, used through node B, follows what
/// node A changes on the very next request: a role change, then sign-out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sessions_follow_changes_made_through_another_node() {
    let Some(t) = TestDb::new(crate::support::Backend::Postgres).await else {
        return;
    };
    let a = TestApp::new(&t, false).await;
    let b = TestApp::another_node(&t).await;
    let _claim_a = t.db.claim_server(false).await.unwrap();
    assert!(a.state.store.generation().is_none() && b.state.store.generation().is_none());
    let r = a
        .sign_up("Acme Corp", "Ada Lovelace", "Ada@Example.com", PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (ada, bob) = acme_with_bob(&a).await;
    let cookie = sign_in_bob(&a).await;
    for _ in 0..2 {
        assert_eq!(settings(&b, &cookie).await.0, StatusCode::OK);
    }

    set_role(&a, &ada, bob, viewer()).await;
    assert_eq!(settings(&b, &cookie).await.0, StatusCode::FORBIDDEN);
    set_role(&a, &ada, bob, admin()).await;
    assert_eq!(settings(&b, &cookie).await.0, StatusCode::OK);

    app::areas::members::service::set_member_active(&a.state, &ctx(), &ada, bob, false)
        .await
        .unwrap();
    assert_eq!(settings(&b, &cookie).await.0, StatusCode::FORBIDDEN);
    app::areas::members::service::set_member_active(&a.state, &ctx(), &ada, bob, true)
        .await
        .unwrap();
    assert_eq!(settings(&b, &cookie).await.0, StatusCode::OK);

    let out = a.post_form("/api/signout", &[], Some(&cookie), FROM).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(settings(&b, &cookie).await.0, StatusCode::UNAUTHORIZED);
    assert!(a.state.auth_cache.is_empty() && b.state.auth_cache.is_empty());
}

/// A single-node PostgreSQL server reuses session lookups exactly as SQLite does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_single_node_reuses_session_lookups_and_follows_every_change() {
    let Some(t) = TestDb::new(crate::support::Backend::Postgres).await else {
        return;
    };
    let _alone = t.db.claim_server(true).await.unwrap();
    assert!(t.db.store().generation().is_some());
    reused_sessions_follow_every_change_at_once(&t).await;
}

on_both_databases!(
    reused_sessions_follow_every_change_at_once,
    a_reused_session_stays_alive_while_used_and_ends_when_idle,
);
