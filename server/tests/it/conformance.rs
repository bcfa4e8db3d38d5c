//! The store conformance suite: the same behaviour, checked on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::TestDb;
use app::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    core::{
        ids::{OrgId, UserId},
        kinds::MembershipStatus,
        validate::OrgSlug,
    },
    policy::{BuiltinRole, Permission, Scope, effective_permissions},
    server::{
        RequestCtx,
        store::{MemberFilter, NewOrganization, NewSession, NewUser, Store, StoreError},
    },
};
use gatehouse::store::Database;
use std::sync::Arc;

const NOW: i64 = 1_795_370_520_000;

fn new_org(name: &str, email: &str, only_if_first: bool) -> (NewOrganization, AuditEvent) {
    let id = OrgId::new();
    let user = UserId::new();
    let org = NewOrganization {
        id,
        name: name.into(),
        slug: OrgSlug::from_name(name).unwrap(),
        admin: NewUser {
            id: user,
            email: email.into(),
            name: format!("Admin of {name}"),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y".into(),
        },
        only_if_first,
        now: NOW,
    };
    let audit = AuditEvent::new(
        Some(id),
        AuditActor::user(user, email),
        "organization.created",
        AuditTarget::new("organization", Some(id.to_string()), name),
        &RequestCtx {
            client_addr: Some("192.0.2.1".into()),
            ..Default::default()
        },
        NOW,
    );
    (org, audit)
}

async fn create(
    store: &dyn Store,
    name: &str,
    email: &str,
) -> (app::areas::accounts::types::OrgSummary, UserId) {
    let (org, audit) = new_org(name, email, false);
    let user = org.admin.id;
    (store.create_organization(org, audit).await.unwrap(), user)
}

fn session(user: UserId, hash: &str, now: i64) -> NewSession {
    NewSession {
        id_hash: hash.into(),
        user_id: user,
        now,
        expires_at: now + 30 * 86_400_000,
        client_addr: Some("192.0.2.1".into()),
        user_agent: Some("test".into()),
    }
}

fn event(action: &str, user: UserId, at: i64) -> AuditEvent {
    AuditEvent::new(
        None,
        AuditActor::user(user, "someone"),
        action,
        AuditTarget::new("user", Some(user.to_string()), "someone"),
        &RequestCtx::default(),
        at,
    )
}

async fn creating_an_organization_makes_its_admin_and_records_it(t: &TestDb) {
    let store = t.db.store();
    assert_eq!(store.organization_count().await.unwrap(), 0);
    let (org, admin) = create(&*store, "Acme Corp", "ada@example.com").await;
    assert_eq!(org.slug, "acme-corp");
    assert_eq!(store.organization_count().await.unwrap(), 1);
    assert_eq!(
        store.organization_by_slug("acme-corp").await.unwrap(),
        Some(org.clone())
    );

    let access = store
        .member_access(org.id, admin)
        .await
        .unwrap()
        .expect("a member");
    assert_eq!(access.status, MembershipStatus::Active);
    let perms = effective_permissions(access.status, &access.bindings, Scope::Organization);
    assert_eq!(perms, BuiltinRole::Admin.permissions());

    let events = store.audit_events(Some(org.id), 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "organization.created");
    assert_eq!(events[0].actor.id, Some(admin.to_string()));
    assert_eq!(events[0].target.id, Some(org.id.to_string()));
    assert_eq!(events[0].client_addr.as_deref(), Some("192.0.2.1"));
    assert_eq!(events[0].at, NOW);

    let creds = store
        .user_credentials("ada@example.com")
        .await
        .unwrap()
        .expect("credentials");
    assert_eq!(creds.id, admin);
    assert!(
        store
            .user_credentials("nobody@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

async fn first_run_signup_is_refused_once_an_organization_exists(t: &TestDb) {
    let store = t.db.store();
    create(&*store, "First", "first@example.com").await;
    let (org, audit) = new_org("Second", "second@example.com", true);
    let err = store.create_organization(org, audit).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                code: "not_first",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        store.organization_count().await.unwrap(),
        1,
        "nothing changed"
    );
    assert!(
        store
            .user_credentials("second@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

async fn racing_first_run_signups_create_exactly_one_organization(t: &TestDb) {
    let store: Arc<dyn Store> = t.db.store();
    let attempts = (0..20).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let (org, audit) =
                new_org(&format!("Race {i}"), &format!("racer{i}@example.com"), true);
            store.create_organization(org, audit).await
        })
    });
    let results = futures_join(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "exactly one first organization: {results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                r,
                StoreError::Conflict {
                    code: "not_first",
                    ..
                }
            ),
            "{r:?}"
        );
    }
    assert_eq!(store.organization_count().await.unwrap(), 1);
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

async fn an_email_belongs_to_one_account(t: &TestDb) {
    let store = t.db.store();
    create(&*store, "One", "ada@example.com").await;
    let (org, audit) = new_org("Two", "ada@example.com", false);
    let err = store.create_organization(org, audit).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                code: "email_taken",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        store.organization_count().await.unwrap(),
        1,
        "nothing changed"
    );
}

async fn slugs_get_a_suffix_when_taken(t: &TestDb) {
    let store = t.db.store();
    let (a, _) = create(&*store, "Acme", "a@example.com").await;
    let (b, _) = create(&*store, "ACME", "b@example.com").await;
    let (c, _) = create(&*store, "acme!", "c@example.com").await;
    assert_eq!(
        (a.slug.as_str(), b.slug.as_str(), c.slug.as_str()),
        ("acme", "acme-2", "acme-3")
    );
}

async fn sessions_are_created_touched_and_ended_with_their_events(t: &TestDb) {
    let store = t.db.store();
    let (_, user) = create(&*store, "Acme", "ada@example.com").await;
    let later = NOW + 5_000;
    store
        .create_session(
            session(user, "h1", later),
            event("user.signed_in", user, later),
        )
        .await
        .unwrap();
    let s = store.session("h1").await.unwrap().expect("session");
    assert_eq!(
        (s.user_id, s.created_at, s.last_seen_at),
        (user, later, later)
    );
    assert!(store.session("h2").await.unwrap().is_none());

    let members = store
        .list_members(
            store
                .session_view(user)
                .await
                .unwrap()
                .unwrap()
                .organizations[0]
                .id,
            &MemberFilter::all(MembershipStatus::Active),
        )
        .await
        .unwrap()
        .rows;
    assert_eq!(
        members[0].last_sign_in_at,
        Some(later),
        "sign-in time recorded"
    );

    store.touch_session("h1", later + 60_000).await.unwrap();
    assert_eq!(
        store.session("h1").await.unwrap().unwrap().last_seen_at,
        later + 60_000
    );

    store
        .delete_session("h1", Some(event("user.signed_out", user, later + 70_000)))
        .await
        .unwrap();
    assert!(store.session("h1").await.unwrap().is_none());
    let actions: Vec<String> = store
        .audit_events(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, vec!["user.signed_out", "user.signed_in"]);
}

async fn expired_sessions_are_swept(t: &TestDb) {
    let store = t.db.store();
    let (_, user) = create(&*store, "Acme", "ada@example.com").await;
    store
        .create_session(
            session(user, "old", NOW),
            event("user.signed_in", user, NOW),
        )
        .await
        .unwrap();
    let fresh = NOW + 13 * 3_600_000;
    store
        .create_session(
            session(user, "new", fresh),
            event("user.signed_in", user, fresh),
        )
        .await
        .unwrap();
    // Twelve hours idle ends "old"; "new" was just made.
    let removed = store
        .delete_expired_sessions(fresh - 12 * 3_600_000, fresh)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(store.session("old").await.unwrap().is_none());
    assert!(store.session("new").await.unwrap().is_some());
}

async fn members_are_listed_alphabetically_and_only_for_their_organization(t: &TestDb) {
    let store = t.db.store();
    let (zed, _) = create(&*store, "Zed Org", "zed@example.com").await;
    let (acme, _) = create(&*store, "Acme", "ada@example.com").await;
    let members = store
        .list_members(acme.id, &MemberFilter::all(MembershipStatus::Active))
        .await
        .unwrap()
        .rows;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].email, "ada@example.com");
    assert_eq!(members[0].roles.len(), 1);
    assert_eq!(members[0].roles[0].role_name, "Admin");
    assert!(members[0].roles[0].via_group.is_none() && members[0].roles[0].project.is_none());
    assert!(
        store
            .list_members(acme.id, &MemberFilter::all(MembershipStatus::Deactivated),)
            .await
            .unwrap()
            .rows
            .is_empty()
    );
    let zed_members = store
        .list_members(zed.id, &MemberFilter::all(MembershipStatus::Active))
        .await
        .unwrap()
        .rows;
    assert_eq!(zed_members.len(), 1);
    assert_eq!(zed_members[0].email, "zed@example.com");
}

async fn access_is_scoped_to_the_organization(t: &TestDb) {
    let store = t.db.store();
    let (a, ada) = create(&*store, "Acme", "ada@example.com").await;
    let (b, bob) = create(&*store, "Beta", "bob@example.com").await;
    assert!(store.member_access(a.id, ada).await.unwrap().is_some());
    assert!(
        store.member_access(b.id, ada).await.unwrap().is_none(),
        "no access across organizations"
    );
    assert!(store.member_access(a.id, bob).await.unwrap().is_none());
    assert!(
        store
            .member_access(OrgId::new(), ada)
            .await
            .unwrap()
            .is_none()
    );
    let view = store.session_view(ada).await.unwrap().unwrap();
    assert_eq!(view.organizations, vec![a]);
    assert!(store.session_view(UserId::new()).await.unwrap().is_none());
    let admin_access = store.member_access(b.id, bob).await.unwrap().unwrap();
    let perms = effective_permissions(
        admin_access.status,
        &admin_access.bindings,
        Scope::Organization,
    );
    assert!(perms.contains(Permission::MembersManage));
}

async fn audit_events_cannot_be_changed_or_deleted(t: &TestDb) {
    let store = t.db.store();
    create(&*store, "Acme", "ada@example.com").await;
    let (update, delete) = match &t.db {
        Database::Sqlite(s) => (
            sqlx::query("UPDATE audit_events SET action = 'x'")
                .execute(s.writer())
                .await
                .map(|_| ()),
            sqlx::query("DELETE FROM audit_events")
                .execute(s.writer())
                .await
                .map(|_| ()),
        ),
        Database::Postgres(p) => (
            sqlx::query("UPDATE audit_events SET action = 'x'")
                .execute(p.pool())
                .await
                .map(|_| ()),
            sqlx::query("DELETE FROM audit_events")
                .execute(p.pool())
                .await
                .map(|_| ()),
        ),
    };
    for r in [update, delete] {
        let e = r.expect_err("refused");
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    let all: Vec<_> = store
        .audit_events(
            store
                .organization_by_slug("acme")
                .await
                .unwrap()
                .map(|o| o.id),
            10,
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].action, "organization.created");
}

async fn migrations_are_idempotent(t: &TestDb) {
    t.db.migrate()
        .await
        .expect("second migration run is a no-op");
    t.db.store().ping().await.unwrap();
}

on_both_databases!(
    creating_an_organization_makes_its_admin_and_records_it,
    first_run_signup_is_refused_once_an_organization_exists,
    racing_first_run_signups_create_exactly_one_organization,
    an_email_belongs_to_one_account,
    slugs_get_a_suffix_when_taken,
    sessions_are_created_touched_and_ended_with_their_events,
    expired_sessions_are_swept,
    members_are_listed_alphabetically_and_only_for_their_organization,
    access_is_scoped_to_the_organization,
    audit_events_cannot_be_changed_or_deleted,
    migrations_are_idempotent,
);
