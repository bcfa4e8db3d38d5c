//! References to what an organization does not have, looked up together, and its limits.

use super::*;

async fn references_to_other_organizations_are_refused(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    let foreign_project = ProjectId::new();
    other
        .store
        .create_project(
            &other.unchecked(),
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
        .set_member_access(&o.unchecked(), ada, &bad_project, &[], ev(o.id(), "x"))
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
        .set_member_access(&o.unchecked(), ada, &[], &[foreign_group], ev(o.id(), "x"))
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
            .set_member_access(&o.unchecked(), ada, &bad_role, &[], ev(o.id(), "x"))
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
            &o.unchecked(),
            other.admin,
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));
    assert!(matches!(
        o.store
            .delete_group(&o.unchecked(), foreign_group, ev(o.id(), "x"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        o.store
            .rename_project(&o.unchecked(), foreign_project, "Mine", ev(o.id(), "x"))
            .await,
        Err(StoreError::NotFound)
    ));
    let e = o
        .store
        .set_group_members(
            &o.unchecked(),
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
            .create_custom_role(&o.unchecked(), &r, ev(o.id(), "role.created"))
            .await
            .unwrap();
        roles.push(r.id);
    }
    let p = ProjectId::new();
    o.store
        .create_project(&o.unchecked(), p, "Apollo", o.admin, ev(o.id(), "x"))
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
        .set_member_access(&o.unchecked(), ada, &bindings, &twice, ev(o.id(), "x"))
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
        .set_member_access(&o.unchecked(), ada, &with_unknown, &[], ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid { field: "bindings", message, .. }
            if *message == format!("There is no role {unknown_role} in this organization")),
        "{e:?}"
    );
    let unknown_project = ProjectId::new();
    let e = o
        .store
        .set_member_access(
            &o.unchecked(),
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
        matches!(&e, StoreError::Invalid { field: "bindings", message, .. }
            if *message == format!("There is no project {unknown_project} in this organization")),
        "{e:?}"
    );
    let unknown_group = GroupId::new();
    let e = o
        .store
        .set_member_access(
            &o.unchecked(),
            ada,
            &[],
            &[groups[0], unknown_group, groups[1]],
            ev(o.id(), "x"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid { field: "groups", message, .. }
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

on_both_databases!(
    references_to_other_organizations_are_refused,
    references_are_looked_up_together_and_repeats_kept_once,
);
