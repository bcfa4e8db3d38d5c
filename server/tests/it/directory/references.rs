//! References to what an organization does not have, looked up together, and its limits.

use super::*;

async fn references_to_other_organizations_are_refused(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    let foreign_project = ProjectId::new();
    other
        .store
        .create_project(
            other.id(),
            foreign_project,
            "Theirs",
            other.admin,
            ev(other.id(), "project.created"),
        )
        .await
        .unwrap();
    let foreign_group = other.group("Theirs", &[], &[]).await;
    let ada = o.add("Ada", &[role(BuiltinRole::Viewer)]).await;

    let bad_project = [Binding {
        role: RoleId::Builtin(BuiltinRole::Admin),
        project: Some(foreign_project),
    }];
    let e = o
        .store
        .set_member_access(o.id(), ada, &bad_project, &[], ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Invalid {
                field: "bindings",
                ..
            }
        ),
        "{e:?}"
    );
    let e = o
        .store
        .set_member_access(o.id(), ada, &[], &[foreign_group], ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Invalid {
                field: "groups",
                ..
            }
        ),
        "{e:?}"
    );
    let bad_role = [Binding {
        role: RoleId::Custom(CustomRoleId::new()),
        project: None,
    }];
    assert!(
        o.store
            .set_member_access(o.id(), ada, &bad_role, &[], ev(o.id(), "x"))
            .await
            .is_err()
    );
    // Nothing changed.
    assert_eq!(
        o.perms(ada, Scope::Organization).await,
        BuiltinRole::Viewer.permissions()
    );

    // Another organization's member, group or project answers as not found.
    let e = o
        .store
        .set_member_status(
            o.id(),
            other.admin,
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));
    assert!(matches!(
        o.store
            .delete_group(o.id(), foreign_group, ev(o.id(), "x"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        o.store
            .rename_project(o.id(), foreign_project, "Mine", ev(o.id(), "x"))
            .await,
        Err(StoreError::NotFound)
    ));
    let e = o
        .store
        .set_group_members(
            o.id(),
            o.group("Ours", &[], &[]).await,
            &[other.admin],
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Invalid {
            field: "members",
            ..
        }
    ));
    assert_eq!(
        other.store.projects(other.id()).await.unwrap()[0].name,
        "Theirs"
    );
}

async fn references_are_looked_up_together_and_repeats_kept_once(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada", &[role(BuiltinRole::Viewer)]).await;
    let mut roles = Vec::new();
    for i in 0..3 {
        let r = CustomRole {
            id: CustomRoleId::new(),
            name: format!("Role {i}"),
            description: String::new(),
            permissions: PermissionSet::of(&[Permission::OrgRead]),
        };
        o.store
            .create_custom_role(o.id(), &r, ev(o.id(), "role.created"))
            .await
            .unwrap();
        roles.push(r.id);
    }
    let p = ProjectId::new();
    o.store
        .create_project(o.id(), p, "Apollo", o.admin, ev(o.id(), "x"))
        .await
        .unwrap();
    let groups = [
        o.group("Ops", &[], &[]).await,
        o.group("Support", &[], &[]).await,
    ];
    // Every entry twice: each is looked up and stored once.
    let mut bindings: Vec<Binding> = roles
        .iter()
        .map(|r| Binding {
            role: RoleId::Custom(*r),
            project: None,
        })
        .collect();
    bindings.push(Binding {
        role: RoleId::Builtin(BuiltinRole::Editor),
        project: Some(p),
    });
    bindings.extend(bindings.clone());
    let twice = [groups[0], groups[1], groups[1], groups[0]];
    o.store
        .set_member_access(o.id(), ada, &bindings, &twice, ev(o.id(), "x"))
        .await
        .unwrap();
    let access = o.store.member_access(o.id(), ada).await.unwrap().unwrap();
    assert_eq!(access.bindings.len(), 4, "{:?}", access.bindings);
    for g in o.store.groups(o.id()).await.unwrap() {
        assert_eq!(
            g.members.iter().map(|m| m.id).collect::<Vec<_>>(),
            [ada],
            "{}",
            g.name
        );
    }

    // One unknown entry among known ones is named, and nothing changes.
    let unknown_role = CustomRoleId::new();
    let mut with_unknown = bindings.clone();
    with_unknown.insert(
        2,
        Binding {
            role: RoleId::Custom(unknown_role),
            project: None,
        },
    );
    let e = o
        .store
        .set_member_access(o.id(), ada, &with_unknown, &[], ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid { field: "bindings", message }
            if *message == format!("There is no role {unknown_role} in this organization")),
        "{e:?}"
    );
    let unknown_project = ProjectId::new();
    let e = o
        .store
        .set_member_access(
            o.id(),
            ada,
            &[Binding {
                role: RoleId::Builtin(BuiltinRole::Viewer),
                project: Some(unknown_project),
            }],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid { field: "bindings", message }
            if *message == format!("There is no project {unknown_project} in this organization")),
        "{e:?}"
    );
    let unknown_group = GroupId::new();
    let e = o
        .store
        .set_member_access(
            o.id(),
            ada,
            &[],
            &[groups[0], unknown_group, groups[1]],
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid { field: "groups", message }
            if *message == format!("There is no group {unknown_group} in this organization")),
        "{e:?}"
    );
    let after = o.store.member_access(o.id(), ada).await.unwrap().unwrap();
    assert_eq!(after.bindings, access.bindings);

    // Admitting a member checks the same way: an unknown group leaves no member behind.
    let user = NewUser {
        id: UserId::new(),
        email: "bo@example.com".into(),
        name: "Bo".into(),
        password_hash: "x".into(),
    };
    let e = o
        .store
        .add_member(
            o.id(),
            MemberUser::New(user),
            &[role(BuiltinRole::Viewer)],
            &[groups[0], groups[0], unknown_group],
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Invalid {
                field: "groups",
                ..
            }
        ),
        "{e:?}"
    );
    let mut f = MemberFilter::all(MembershipStatus::Active);
    f.search = Some(MemberSearch::Text("bo@".into()));
    assert_eq!(o.store.list_members(o.id(), &f).await.unwrap().total, 0);
}

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
                    .create_custom_role(org, &r, event)
                    .await
                    .map(|()| r.id.0)
            }
            Counted::Group => {
                let id = GroupId::new();
                store
                    .create_group(org, id, &format!("Group {i}"), event)
                    .await
                    .map(|()| id.0)
            }
            Counted::Project => {
                let id = ProjectId::new();
                store
                    .create_project(org, id, &format!("Project {i}"), owner, event)
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
            Counted::Role => store.delete_custom_role(org, CustomRoleId(id), event).await,
            Counted::Group => store.delete_group(org, GroupId(id), event).await,
            Counted::Project => store.delete_project(org, ProjectId(id), event).await,
            Counted::Token => store.delete_token(org, TokenId(id), event).await,
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
            o.id(),
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
            StoreError::Conflict { code, message } => {
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

on_both_databases!(
    references_to_other_organizations_are_refused,
    references_are_looked_up_together_and_repeats_kept_once,
    each_limit_refuses_one_more_and_says_which,
    twenty_racing_creations_stop_at_each_limit,
);
