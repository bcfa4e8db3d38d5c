//! Reused lookups (the single-node cache) follow every change at once, also when a deletion
//! is abandoned halfway.

use super::*;

/// A token's lookup is reused between requests where the store can tell when its data changed
/// (SQLite), and every kind of change that alters what the token may do reaches the very next
/// request all the same: group membership, a group's roles, a custom role's permissions.
async fn reused_lookups_follow_every_change_at_once(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = app.org("Acme").await;
    let m = o.with_member(BuiltinRole::Editor).await;
    let strings = |ps: &[Permission]| {
        ps.iter()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>()
    };
    let deployers = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &o.admin.caller,
        "Deployers",
        "",
        &strings(&[Permission::MembersRead, Permission::GroupsManage]),
    )
    .await
    .unwrap();
    let deployers_role = RoleId::Custom(deployers.id);
    let group =
        app::areas::groups::service::create_group(&app.state, &ctx(), &o.admin.caller, "Release")
            .await
            .unwrap();
    let group_roles = |roles: Vec<RoleId>| {
        let (state, admin) = (app.state.clone(), o.admin.caller.clone());
        async move {
            let bindings = roles
                .into_iter()
                .map(|role| app::policy::Binding {
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
    app::areas::groups::service::add_group_member(&app.state, &ctx(), &o.admin.caller, group, m.id)
        .await
        .unwrap();
    // Their access now includes the group's role.
    let m_id = m.id;
    let m = m.caller_now().await;
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
        &o.admin.caller,
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
    assert_eq!(
        app.state.auth_cache.tokens.len(),
        if reusable { 2 } else { 0 }
    );

    // Out of the group: the owner no longer holds groups.manage, so neither does the token.
    app::areas::groups::service::remove_group_member(
        &app.state,
        &ctx(),
        &o.admin.caller,
        group,
        m_id,
    )
    .await
    .unwrap();
    assert_eq!(user().await, Ok(false));
    assert_eq!(org_token().await, Ok(true));
    app::areas::groups::service::add_group_member(&app.state, &ctx(), &o.admin.caller, group, m_id)
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
        &o.admin.caller,
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
    app::areas::members::service::remove_member(
        &app.state,
        &ctx(),
        &o.admin.caller,
        m_id,
        None,
        true,
    )
    .await
    .unwrap();
    assert!(matches!(user().await, Err(AppError::Unauthorized(_))));
    assert_eq!(org_token().await, Ok(false));
}

/// A deletion whose request is abandoned halfway (a client hanging up) either happened or did
/// not, and authentication agrees with the database either way, however late the abandonment.
async fn an_abandoned_deletion_never_leaves_a_deleted_token_working(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let o = app.org("Acme").await;
    let mut deleted = 0;
    for tenths in 0..40u32 {
        let (token, secret) = app::areas::tokens::service::create(
            &app.state,
            &ctx(),
            &o.admin.caller,
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
        let admin = o.admin.caller.clone();
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
            let exists = app::areas::tokens::service::list(&app.state, &o.admin.caller, None)
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
                app::areas::tokens::service::delete(&app.state, &ctx(), &o.admin.caller, token.id)
                    .await;
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

on_both_databases!(
    reused_lookups_follow_every_change_at_once,
    an_abandoned_deletion_never_leaves_a_deleted_token_working,
);
