//! Access tokens below the API: creation within one's own role, the secret shown once and
//! stored only as a hash, authentication (rule 2, expiry, deactivated owners), regenerate and
//! delete taking effect on the next request — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::TestDb;
use crate::support::caller;
use crate::support::ctx;
use crate::support::harness::TestApp;
use app::areas::tokens::service::TokenRequest;
use app::error::AppError;
use app::model::OrgId;
use app::model::TokenKind;
use app::model::TokenStatus;
use app::model::UserId;
use app::policy::Actor;
use app::policy::BuiltinRole;
use app::policy::Permission;
use app::policy::RoleId;
use app::policy::Scope;
use app::server::caller::Caller;

struct Org {
    id: OrgId,
    admin: Caller,
}

async fn org(app: &TestApp) -> Org {
    let (id, admin) = crate::support::new_org(&app.state, "Acme").await;
    Org {
        id,
        admin: caller(&app.state, id, admin).await,
    }
}

async fn member(app: &TestApp, org: OrgId, role: BuiltinRole) -> (UserId, Caller) {
    let id = crate::support::add_member(&app.state, org, role).await;
    (id, caller(&app.state, org, id).await)
}

fn req(kind: TokenKind, role: BuiltinRole, days: Option<u32>) -> TokenRequest {
    TokenRequest {
        name: "CI deploys".into(),
        kind,
        role: RoleId::Builtin(role),
        expires_in_days: days,
    }
}

async fn an_editor_creates_a_user_token_within_their_role(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = org(&app).await;
    let (editor_id, editor) = member(&app, o.id, BuiltinRole::Editor).await;
    let e = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor,
        req(TokenKind::User, BuiltinRole::Admin, None),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let e = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor,
        req(TokenKind::Organization, BuiltinRole::Viewer, None),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, AppError::Forbidden(_)),
        "organization tokens need tokens.manage: {e:?}"
    );
    let e = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor,
        TokenRequest {
            name: " ".into(),
            expires_in_days: Some(12),
            ..req(TokenKind::User, BuiltinRole::Editor, None)
        },
    )
    .await
    .unwrap_err();
    assert!(e.field_message("name").is_some() && e.field_message("expires_in_days").is_some());

    let (token, secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &editor,
        req(TokenKind::User, BuiltinRole::Editor, Some(30)),
    )
    .await
    .unwrap();
    assert!(secret.expose().starts_with("gth_u_"));
    assert_eq!(
        token.last_four,
        secret.expose()[secret.expose().len() - 4..]
    );
    assert_eq!(
        token.expires_at,
        Some(crate::support::harness::START + 30 * 86_400_000)
    );
    assert_eq!(token.status, TokenStatus::Active);
    assert_eq!(token.owner.as_ref().map(|o| o.id), Some(editor_id));
    // The secret is not in any listing; only its last four characters.
    let listed = app::areas::tokens::service::list(&app.state, &editor, None)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!format!("{listed:?}").contains(secret.expose()));

    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
    assert_eq!(
        c.principal.actor(),
        &Actor::UserToken {
            token: token.id,
            owner: editor_id
        }
    );
    assert!(
        c.principal
            .can(Permission::ResourcesWrite, Scope::Organization)
    );
    assert!(
        !c.principal
            .can(Permission::MembersManage, Scope::Organization)
    );
    // Use is recorded with the client address.
    let after = app::areas::tokens::service::list(&app.state, &editor, None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(after.last_used_at, Some(app.state.now()));
    assert_eq!(after.last_used_addr.as_deref(), Some("192.0.2.7"));
    // The Admin sees everyone's tokens; the Editor only their own.
    let (_, other_editor) = member(&app, o.id, BuiltinRole::Editor).await;
    assert!(
        app::areas::tokens::service::list(&app.state, &other_editor, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app::areas::tokens::service::list(&app.state, &o.admin, None)
            .await
            .unwrap()
            .len(),
        1
    );
    // Another editor cannot delete it: it answers as unknown.
    assert_eq!(
        app::areas::tokens::service::delete(&app.state, &ctx(), &other_editor, token.id).await,
        Err(AppError::NotFound)
    );
}

async fn a_user_token_shrinks_with_its_owner_and_stops_while_deactivated(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = org(&app).await;
    let (owner_id, owner) = member(&app, o.id, BuiltinRole::Admin).await;
    let (_, secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &owner,
        req(TokenKind::User, BuiltinRole::Admin, None),
    )
    .await
    .unwrap();
    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
    assert!(
        c.principal
            .can(Permission::MembersManage, Scope::Organization)
    );
    // Demoted to Viewer: the Admin-role token can now do only what a Viewer can.
    app::areas::members::service::update_member(
        &app.state,
        &ctx(),
        &o.admin,
        owner_id,
        vec![app::model::Binding {
            role: RoleId::Builtin(BuiltinRole::Viewer),
            project: None,
        }],
        vec![],
    )
    .await
    .unwrap();
    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
    assert!(
        !c.principal
            .can(Permission::MembersManage, Scope::Organization)
    );
    assert!(
        c.principal
            .can(Permission::MembersRead, Scope::Organization)
    );
    // Deactivated: refused; reactivated: works again.
    app::areas::members::service::set_member_active(&app.state, &ctx(), &o.admin, owner_id, false)
        .await
        .unwrap();
    assert!(matches!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose()).await,
        Err(AppError::Unauthorized(_))
    ));
    let listed = app::areas::tokens::service::list(&app.state, &o.admin, None)
        .await
        .unwrap();
    assert_eq!(listed[0].status, TokenStatus::OwnerDeactivated);
    app::areas::members::service::set_member_active(&app.state, &ctx(), &o.admin, owner_id, true)
        .await
        .unwrap();
    app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
        .await
        .unwrap();
}

async fn expiry_regenerate_and_delete_take_effect_at_once(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = org(&app).await;
    let (token, first) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &o.admin,
        req(TokenKind::Organization, BuiltinRole::Viewer, Some(7)),
    )
    .await
    .unwrap();
    assert!(first.expose().starts_with("gth_o_"));
    let (c, _) = app::server::auth::bearer::authenticate(&app.state, &ctx(), first.expose())
        .await
        .unwrap();
    assert_eq!(
        c.principal.actor(),
        &Actor::OrganizationToken { token: token.id }
    );
    assert!(c.principal.can(Permission::OrgRead, Scope::Organization));
    assert!(
        !c.principal
            .can(Permission::ResourcesWrite, Scope::Organization)
    );

    let (_, second) =
        app::areas::tokens::service::regenerate(&app.state, &ctx(), &o.admin, token.id)
            .await
            .unwrap();
    assert!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), first.expose())
            .await
            .is_err()
    );
    app::server::auth::bearer::authenticate(&app.state, &ctx(), second.expose())
        .await
        .unwrap();

    app.clock.advance_ms(7 * 86_400_000);
    assert_eq!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), second.expose())
            .await
            .unwrap_err(),
        AppError::Unauthorized("The access token has expired".into())
    );
    assert_eq!(
        app::areas::tokens::service::list(&app.state, &o.admin, None)
            .await
            .unwrap()[0]
            .status,
        TokenStatus::Expired
    );

    app::areas::tokens::service::delete(&app.state, &ctx(), &o.admin, token.id)
        .await
        .unwrap();
    assert!(
        app::areas::tokens::service::list(&app.state, &o.admin, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), second.expose())
            .await
            .unwrap_err(),
        AppError::Unauthorized("The access token is not valid".into())
    );
    // Malformed and mistyped tokens are refused alike.
    for bad in [
        "",
        "Bearer x",
        "gth_u_short",
        &second.expose().replace('a', "b"),
    ] {
        assert!(
            matches!(
                app::server::auth::bearer::authenticate(&app.state, &ctx(), bad).await,
                Err(AppError::Unauthorized(_))
            ),
            "{bad}"
        );
    }
    let actions: Vec<String> = app
        .state
        .store
        .audit_events(Some(o.id), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["token.created", "token.regenerated", "token.deleted"] {
        assert!(actions.contains(&a.to_string()), "{a}");
    }
}

async fn removing_a_member_with_active_tokens_is_refused_unless_revoked(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = org(&app).await;
    let (admin2_id, admin2) = member(&app, o.id, BuiltinRole::Admin).await;
    let (_, user_secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &admin2,
        req(TokenKind::User, BuiltinRole::Editor, None),
    )
    .await
    .unwrap();
    let (_, expiring) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &admin2,
        req(TokenKind::User, BuiltinRole::Viewer, Some(7)),
    )
    .await
    .unwrap();
    let (org_token, org_secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &admin2,
        req(TokenKind::Organization, BuiltinRole::Viewer, None),
    )
    .await
    .unwrap();
    let e = app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin,
        admin2_id,
        None,
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        AppError::conflict(
            "has_tokens",
            "This member has 2 active access tokens; revoke them first"
        )
    );
    assert_eq!(
        app.state
            .store
            .member_status(o.id, admin2_id)
            .await
            .unwrap(),
        Some(app::model::MembershipStatus::Active),
        "nothing changed"
    );
    // Expired tokens do not count.
    app.clock.advance_ms(8 * 86_400_000);
    let e = app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin,
        admin2_id,
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("1 active access token;"), "{e}");
    app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin,
        admin2_id,
        None,
        true,
    )
    .await
    .unwrap();
    assert!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), user_secret.expose())
            .await
            .is_err()
    );
    assert!(
        app::server::auth::bearer::authenticate(&app.state, &ctx(), expiring.expose())
            .await
            .is_err()
    );
    // The organization token they created keeps working, and still names its creator.
    app::server::auth::bearer::authenticate(&app.state, &ctx(), org_secret.expose())
        .await
        .unwrap();
    // Their user tokens stay listed, revoked ("user has been deleted"); the organization token
    // is active and marked for review.
    let listed = app::areas::tokens::service::list(&app.state, &o.admin, None)
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let org_row = listed.iter().find(|t| t.id == org_token.id).unwrap();
    assert_eq!(org_row.status, TokenStatus::Active);
    assert_eq!(org_row.created_by, admin2.label);
    assert!(org_row.creator_removed);
    for t in listed.iter().filter(|t| t.id != org_token.id) {
        assert_eq!(t.status, TokenStatus::OwnerRemoved, "{t:?}");
        assert!(!t.creator_removed, "only organization tokens are marked");
    }
}

/// A token's lookup is reused between requests where the store can tell when its data changed
/// (SQLite), and every kind of change that alters what the token may do reaches the very next
/// request all the same: group membership, a group's roles, a custom role's permissions.
async fn reused_lookups_follow_every_change_at_once(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = org(&app).await;
    let (m_id, m) = member(&app, o.id, BuiltinRole::Editor).await;
    let strings = |ps: &[Permission]| {
        ps.iter()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>()
    };
    let deployers = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &o.admin,
        "Deployers",
        "",
        &strings(&[Permission::MembersRead, Permission::GroupsManage]),
    )
    .await
    .unwrap();
    let deployers_role = RoleId::Custom(deployers.id);
    let group = app::areas::groups::service::create_group(&app.state, &ctx(), &o.admin, "Release")
        .await
        .unwrap();
    let group_roles = |roles: Vec<RoleId>| {
        let (state, admin) = (app.state.clone(), o.admin.clone());
        async move {
            let bindings = roles
                .into_iter()
                .map(|role| app::model::Binding {
                    role,
                    project: None,
                })
                .collect();
            app::areas::groups::service::set_group_bindings(
                &state,
                &ctx(),
                &admin,
                group,
                bindings,
            )
            .await
            .unwrap();
        }
    };
    group_roles(vec![deployers_role]).await;
    app::areas::groups::service::add_group_member(&app.state, &ctx(), &o.admin, group, m_id)
        .await
        .unwrap();
    // Their access now includes the group's role.
    drop(m);
    let m = caller(&app.state, o.id, m_id).await;
    let token_req = |kind| TokenRequest {
        name: "deploys".into(),
        kind,
        role: deployers_role,
        expires_in_days: None,
    };
    let (_, user_secret) =
        app::areas::tokens::service::create(&app.state, &ctx(), &m, token_req(TokenKind::User))
            .await
            .unwrap();
    let (_, org_secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &o.admin,
        token_req(TokenKind::Organization),
    )
    .await
    .unwrap();
    let can_manage_groups = |secret: String| {
        let state = app.state.clone();
        async move {
            app::server::auth::bearer::authenticate(&state, &ctx(), &secret)
                .await
                .map(|(c, _)| {
                    c.principal
                        .can(Permission::GroupsManage, Scope::Organization)
                })
        }
    };
    let user = || can_manage_groups(user_secret.expose().to_string());
    let org_token = || can_manage_groups(org_secret.expose().to_string());

    assert_eq!(user().await, Ok(true));
    assert_eq!(org_token().await, Ok(true));
    // Twice each: the second time from the cache where there is one.
    assert_eq!(user().await, Ok(true));
    assert_eq!(org_token().await, Ok(true));
    let reusable = app.state.store.generation().is_some();
    assert_eq!(app.state.auth_cache.len(), if reusable { 2 } else { 0 });

    // Out of the group: the owner no longer holds groups.manage, so neither does the token.
    app::areas::groups::service::remove_group_member(&app.state, &ctx(), &o.admin, group, m_id)
        .await
        .unwrap();
    assert_eq!(user().await, Ok(false));
    assert_eq!(org_token().await, Ok(true));
    app::areas::groups::service::add_group_member(&app.state, &ctx(), &o.admin, group, m_id)
        .await
        .unwrap();
    assert_eq!(user().await, Ok(true));

    // The group loses its role.
    group_roles(vec![]).await;
    assert_eq!(user().await, Ok(false));
    group_roles(vec![deployers_role]).await;
    assert_eq!(user().await, Ok(true));

    // The role itself changes: both tokens lose the permission on their next request.
    app::areas::roles::service::update_role(
        &app.state,
        &ctx(),
        &o.admin,
        deployers.id,
        "Deployers",
        "",
        &strings(&[Permission::MembersRead]),
    )
    .await
    .unwrap();
    assert_eq!(user().await, Ok(false));
    assert_eq!(org_token().await, Ok(false));

    // The owner leaves the organization: the user token stops, the organization token does not.
    app::areas::members::service::remove_member(&app.state, &ctx(), &o.admin, m_id, None, true)
        .await
        .unwrap();
    assert!(matches!(user().await, Err(AppError::Unauthorized(_))));
    assert_eq!(org_token().await, Ok(false));
}

/// A deletion whose request is abandoned halfway (a client hanging up) either happened or did
/// not, and authentication agrees with the database either way, however late the abandonment.
async fn an_abandoned_deletion_never_leaves_a_deleted_token_working(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = org(&app).await;
    let mut deleted = 0;
    for tenths in 0..40u32 {
        let (token, secret) = app::areas::tokens::service::create(
            &app.state,
            &ctx(),
            &o.admin,
            req(TokenKind::Organization, BuiltinRole::Viewer, None),
        )
        .await
        .unwrap();
        // Each round from its own network: the failures that show a deletion took effect are
        // what this test is made of, and must not add up to the failed-authentication limit.
        let from = app::server::RequestCtx {
            client_addr: Some(format!("2001:db8:{tenths:x}::1")),
            ..ctx()
        };
        app::server::auth::bearer::authenticate(&app.state, &from, secret.expose())
            .await
            .unwrap();
        let state = app.state.clone();
        let admin = o.admin.clone();
        let deleting = tokio::spawn(async move {
            app::areas::tokens::service::delete(&state, &ctx(), &admin, token.id)
                .await
                .unwrap();
        });
        // Abandoned after 0 to 4 ms, on this thread while the deletion runs on the other.
        let until =
            std::time::Instant::now() + std::time::Duration::from_micros(100 * u64::from(tenths));
        while std::time::Instant::now() < until {
            std::hint::spin_loop();
        }
        deleting.abort();
        let _ = deleting.await;
        // A commit already under way may still land, so the two may disagree for a moment;
        // they must agree once it has (a stale cached lookup would disagree for good).
        let settle = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let exists = loop {
            let exists = app::areas::tokens::service::list(&app.state, &o.admin, None)
                .await
                .unwrap()
                .iter()
                .any(|x| x.id == token.id);
            let works = app::server::auth::bearer::authenticate(&app.state, &from, secret.expose())
                .await
                .is_ok();
            if works == exists {
                break exists;
            }
            assert!(
                std::time::Instant::now() < settle,
                "abandoned after {tenths}00 µs: exists {exists}, works {works}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        };
        if exists {
            // (A commit landing only now makes this a second deletion: not found.)
            let _ =
                app::areas::tokens::service::delete(&app.state, &ctx(), &o.admin, token.id).await;
        } else {
            deleted += 1;
        }
        assert!(
            app::server::auth::bearer::authenticate(&app.state, &from, secret.expose())
                .await
                .is_err()
        );
    }
    eprintln!("{deleted} of 40 abandoned deletions had happened");
}

on_both_databases!(
    removing_a_member_with_active_tokens_is_refused_unless_revoked,
    an_editor_creates_a_user_token_within_their_role,
    a_user_token_shrinks_with_its_owner_and_stops_while_deactivated,
    expiry_regenerate_and_delete_take_effect_at_once,
    reused_lookups_follow_every_change_at_once,
    an_abandoned_deletion_never_leaves_a_deleted_token_working,
);

/// PostgreSQL with `GATEHOUSE_SINGLE_NODE`: the servers' lock keeps a single-node server alone
/// (and servers without the setting together); alone, it reuses lookups exactly as SQLite does;
/// and when it loses the connection holding its lock it stops reusing them until it has the
/// lock again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_single_node_runs_alone_and_then_reuses_lookups() {
    let Some(t) = TestDb::new(crate::support::Backend::Postgres).await else {
        return;
    };
    let store = t.db.store();
    let claim = |single| {
        let db = t.db.clone();
        async move {
            // A lock released by a closed connection is freed a moment later.
            let mut tries = 0;
            loop {
                match db.claim_server(single).await {
                    Ok(c) => break Ok(c),
                    Err(e) if tries == 50 => break Err(e),
                    Err(_) => {
                        tries += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
        }
    };
    let a = claim(false).await.unwrap();
    let b = claim(false).await.unwrap();
    let refused = t.db.claim_server(true).await.err().unwrap();
    assert!(
        refused.contains("another Gatehouse server is using this database"),
        "{refused}"
    );
    assert_eq!(
        store.generation(),
        None,
        "servers side by side reuse nothing"
    );
    drop((a, b));
    let alone = claim(true).await.unwrap();
    let refused = t.db.claim_server(false).await.err().unwrap();
    assert!(
        refused.contains("GATEHOUSE_SINGLE_NODE=true is using this database"),
        "{refused}"
    );
    assert!(store.generation().is_some());

    reused_lookups_follow_every_change_at_once(&t).await;

    // The lock's connection is cut: reuse stops, then resumes with the lock taken again.
    let before = store.generation().unwrap();
    let admin = sqlx::PgPool::connect(&t.url).await.unwrap();
    let cut: bool = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_locks \
         WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(cut);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut stopped = false;
    let after = loop {
        match store.generation() {
            None => stopped = true,
            Some(g) if stopped => break g,
            Some(_) => {}
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stopped reusing: {stopped}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(after > before, "lookups from before the loss are forgotten");
    admin.close().await;
    drop(alone);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_single_node_never_leaves_an_abandoned_deletion_working() {
    let Some(t) = TestDb::new(crate::support::Backend::Postgres).await else {
        return;
    };
    let _alone = t.db.claim_server(true).await.unwrap();
    assert!(t.db.store().generation().is_some());
    an_abandoned_deletion_never_leaves_a_deleted_token_working(&t).await;
}
