//! Per-organization limits: each refuses one more and says which, also under 20 races.

use super::*;

/// The four things an organization may have only so many of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Role,
    Group,
    Project,
    Token,
}

const COUNTED: [Counted; 4] = [
    Counted::Role,
    Counted::Group,
    Counted::Project,
    Counted::Token,
];

/// Sets all four limits of the organization to `n`, the other settings as they are.
async fn set_quotas(o: &Org, n: u32) {
    let settings = OrgSettings {
        custom_role_limit: n,
        group_limit: n,
        project_limit: n,
        token_limit: n,
        ..o.store.org_settings(o.id()).await.unwrap()
    };
    o.store
        .update_org_settings(
            &o.unchecked(),
            &settings,
            ev(o.id(), "organization.settings_changed"),
        )
        .await
        .unwrap();
}

async fn each_limit_refuses_one_more_and_says_which(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    let defaults = o.store.org_settings(o.id()).await.unwrap();
    assert_eq!(
        (
            defaults.custom_role_limit,
            defaults.group_limit,
            defaults.project_limit,
            defaults.token_limit
        ),
        (100, 1_000, 1_000, 1_000)
    );
    set_quotas(&o, 2).await;
    set_quotas(&other, 2).await;
    let store = &*o.store;
    for what in COUNTED {
        let first = what.create(store, o.id(), o.admin, 0).await.unwrap();
        what.create(store, o.id(), o.admin, 1).await.unwrap();
        let e = what
            .create(store, o.id(), o.admin, 2)
            .await
            .expect_err("a third is over the limit");
        match &e {
            StoreError::Conflict { code, message, .. } => {
                assert_eq!(*code, "limit_reached");
                assert_eq!(
                    *message,
                    format!(
                        "This organization has reached its limit of 2 {}; \
                         raise it in the organization settings or delete one",
                        what.noun()
                    )
                );
            }
            other => panic!("{what:?}: {other:?}"),
        }
        assert_eq!(what.count(store, o.id()).await, 2, "{what:?}");
        // Each organization counts its own.
        what.create(store, other.id(), other.admin, 0)
            .await
            .unwrap();
        // Deleting one makes room again.
        what.delete(store, o.id(), first).await;
        what.create(store, o.id(), o.admin, 3).await.unwrap();
        assert!(what.create(store, o.id(), o.admin, 4).await.is_err());
    }
    // Raising the limits makes room too; lowering them keeps what exists.
    set_quotas(&o, 3).await;
    for what in COUNTED {
        what.create(store, o.id(), o.admin, 5).await.unwrap();
    }
    set_quotas(&o, 1).await;
    for what in COUNTED {
        assert_eq!(what.count(store, o.id()).await, 3, "{what:?}");
        assert!(what.create(store, o.id(), o.admin, 6).await.is_err());
    }
}

async fn twenty_racing_creations_stop_at_each_limit(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    set_quotas(&o, 5).await;
    for what in COUNTED {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = o.store.clone();
                let (org, admin) = (o.id(), o.admin);
                tokio::spawn(async move { what.create(&*store, org, admin, i).await })
            })
            .collect();
        let (mut created, mut refused) = (0, 0);
        for r in futures_all(tasks).await {
            match r {
                Ok(_) => created += 1,
                Err(StoreError::Conflict {
                    code: "limit_reached",
                    ..
                }) => refused += 1,
                Err(e) => panic!("{what:?}: {e:?}"),
            }
        }
        assert_eq!((created, refused), (5, 15), "{what:?}");
        assert_eq!(what.count(&*o.store, o.id()).await, 5, "{what:?}");
    }
}

impl Counted {
    /// How the limit is named in the refusal.
    fn noun(self) -> &'static str {
        match self {
            Counted::Role => "custom roles",
            Counted::Group => "groups",
            Counted::Project => "projects",
            Counted::Token => "access tokens (revoked and expired ones count until deleted)",
        }
    }

    /// Creates one more, named after `i`; returns its id.
    async fn create(
        self,
        store: &dyn Store,
        org: OrgId,
        owner: UserId,
        i: usize,
    ) -> Result<uuid::Uuid, StoreError> {
        let event = ev(org, "created");
        match self {
            Counted::Role => {
                let r = CustomRole {
                    id: CustomRoleId::new(),
                    name: format!("Role {i}"),
                    description: String::new(),
                    permissions: PermissionSet::of(&[Permission::OrgRead]),
                };
                store
                    .create_custom_role(&unchecked_authorized(org), &r, event)
                    .await
                    .map(|()| r.id.0)
            }
            Counted::Group => {
                let id = GroupId::new();
                store
                    .create_group(&unchecked_authorized(org), id, &format!("Group {i}"), event)
                    .await
                    .map(|()| id.0)
            }
            Counted::Project => {
                let id = ProjectId::new();
                store
                    .create_project(
                        &unchecked_authorized(org),
                        id,
                        &format!("Project {i}"),
                        owner,
                        event,
                    )
                    .await
                    .map(|()| id.0)
            }
            Counted::Token => {
                let id = TokenId::new();
                let token = NewToken {
                    id,
                    org,
                    kind: TokenKind::Organization,
                    name: format!("Token {i}"),
                    role: RoleId::Builtin(BuiltinRole::Viewer),
                    owner: None,
                    created_by: None,
                    created_by_name: "test".into(),
                    hash: format!("hash-{}", id.0),
                    last_four: "abcd".into(),
                    now: NOW,
                    expires_at: None,
                };
                store.create_token(token, event).await.map(|()| id.0)
            }
        }
    }

    async fn delete(self, store: &dyn Store, org: OrgId, id: uuid::Uuid) {
        let event = ev(org, "deleted");
        match self {
            Counted::Role => {
                store
                    .delete_custom_role(&unchecked_authorized(org), CustomRoleId(id), event)
                    .await
            }
            Counted::Group => {
                store
                    .delete_group(&unchecked_authorized(org), GroupId(id), event)
                    .await
            }
            Counted::Project => {
                store
                    .delete_project(&unchecked_authorized(org), ProjectId(id), event)
                    .await
            }
            Counted::Token => {
                store
                    .delete_token(&unchecked_authorized(org), TokenId(id), event)
                    .await
            }
        }
        .unwrap();
    }

    async fn count(self, store: &dyn Store, org: OrgId) -> usize {
        match self {
            Counted::Role => store.custom_roles(org).await.unwrap().len(),
            Counted::Group => store.groups(org).await.unwrap().len(),
            Counted::Project => store.projects(org).await.unwrap().len(),
            Counted::Token => store.tokens(org, None, NOW).await.unwrap().len(),
        }
    }
}

on_both_databases!(
    each_limit_refuses_one_more_and_says_which,
    twenty_racing_creations_stop_at_each_limit,
);
