//! Signing in while many others do: every right password gets in and every wrong one is
//! refused, whichever hashing thread serves it.

use super::*;
use app::{
    core::{ids::UserId, validate::Password},
    policy::{BuiltinRole, RoleId},
    server::store::{MemberUser, NewUser},
};
use std::sync::Arc;

async fn sign_ins_at_once_each_get_their_own_answer(t: &TestDb) {
    let (app, _) = signed_up(t).await;
    let org = app
        .state
        .store
        .organization_by_slug("acme-corp")
        .await
        .unwrap()
        .unwrap();
    let hash = app
        .state
        .passwords
        .hash(Password::parse_new(PASSWORD).unwrap())
        .await
        .unwrap();
    const PEOPLE: usize = 8;
    for i in 0..PEOPLE {
        app.state
            .store
            .add_member(
                org.id,
                MemberUser::New(NewUser {
                    id: UserId::new(),
                    email: format!("member{i}@example.com"),
                    name: format!("Member {i}"),
                    password_hash: hash.clone(),
                }),
                &[crate::support::org_wide(RoleId::Builtin(
                    BuiltinRole::Viewer,
                ))],
                &[],
                crate::support::fixture_event(org.id),
            )
            .await
            .unwrap();
    }
    let before = app.hasher.verifies.load(Ordering::SeqCst);
    let app = Arc::new(app);
    // Four attempts at each account (under its limit), every other one wrong, each from an
    // address of its own, all at once.
    let attempts: Vec<_> = (0..4 * PEOPLE)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let right = i % 2 == 0;
                let password = if right { PASSWORD } else { "not the password" };
                let email = format!("member{}@example.com", i % PEOPLE);
                let r = app
                    .sign_in(&email, password, &format!("198.51.100.{}", i + 1))
                    .await;
                (right, r)
            })
        })
        .collect();
    let mut sessions = std::collections::HashSet::new();
    for attempt in attempts {
        let (right, r) = attempt.await.unwrap();
        if right {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(
                sessions.insert(r.session_cookie().unwrap()),
                "a new session each"
            );
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
            assert!(r.session_cookie().is_none());
        }
    }
    assert_eq!(sessions.len(), 2 * PEOPLE);
    assert_eq!(
        app.hasher.verifies.load(Ordering::SeqCst) - before,
        4 * PEOPLE
    );
    // Every session works.
    for cookie in sessions {
        let page = app.get_page("/o/acme-corp/members", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
    }
}

on_both_databases!(sign_ins_at_once_each_get_their_own_answer);
