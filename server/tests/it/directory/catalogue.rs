//! Custom roles, groups and projects: names unique, roles kept while bound, round trips.

use super::*;

async fn custom_roles_are_unique_and_not_deleted_while_bound(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let r = CustomRole {
        id: CustomRoleId::new(),
        name: "Support".into(),
        description: "Helps".into(),
        permissions: PermissionSet::of(&[Permission::MembersRead]),
    };
    o.store
        .create_custom_role(&o.unchecked(), &r, ev(o.id(), "role.created"))
        .await
        .unwrap();
    let dup = CustomRole {
        id: CustomRoleId::new(),
        name: "SUPPORT".into(),
        ..r.clone()
    };
    assert!(is_code(
        &o.store
            .create_custom_role(&o.unchecked(), &dup, ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "role_name_taken"
    ));
    let ada = o
        .add(
            "Ada",
            &[Binding {
                role: RoleId::Custom(r.id),
                project: None,
            }],
        )
        .await;
    o.group(
        "Helpers",
        &[Binding {
            role: RoleId::Custom(r.id),
            project: None,
        }],
        &[],
    )
    .await;
    let e = o
        .store
        .delete_custom_role(&o.unchecked(), r.id, ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(is_code(&e, "role_in_use"));
    assert_eq!(
        e.to_string(),
        "This role is still bound to 1 member and 1 group; remove those bindings first"
    );
    let mut edited = r.clone();
    edited.permissions = PermissionSet::of(&[Permission::MembersRead, Permission::AuditRead]);
    edited.name = "Support desk".into();
    o.store
        .update_custom_role(&o.unchecked(), &edited, ev(o.id(), "role.updated"))
        .await
        .unwrap();
    assert_eq!(
        o.store.custom_roles(o.id()).await.unwrap(),
        vec![edited.clone()]
    );
    assert!(
        o.perms(ada, Scope::Organization)
            .await
            .contains(Permission::AuditRead),
        "edits reach holders"
    );
    o.store
        .set_member_access(&o.unchecked(), ada, &[], &[], ev(o.id(), "x"))
        .await
        .unwrap();
    let groups = o.store.groups(o.id()).await.unwrap();
    o.store
        .set_group_bindings(&o.unchecked(), groups[0].id, &[], ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .delete_custom_role(&o.unchecked(), r.id, ev(o.id(), "role.deleted"))
        .await
        .unwrap();
    assert!(o.store.custom_roles(o.id()).await.unwrap().is_empty());
}

async fn groups_and_projects_round_trip(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada", &[]).await;
    let p = ProjectId::new();
    let e = o
        .store
        .create_project(&o.unchecked(), p, "Apollo", UserId::new(), ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid { field: "owner", .. }));
    o.store
        .create_project(
            &o.unchecked(),
            p,
            "Apollo",
            ada,
            ev(o.id(), "project.created"),
        )
        .await
        .unwrap();
    assert!(is_code(
        &o.store
            .create_project(
                &o.unchecked(),
                ProjectId::new(),
                "apollo",
                ada,
                ev(o.id(), "x")
            )
            .await
            .unwrap_err(),
        "project_name_taken"
    ));
    o.store
        .rename_project(&o.unchecked(), p, "Artemis", ev(o.id(), "project.renamed"))
        .await
        .unwrap();
    o.store
        .change_project_owner(
            &o.unchecked(),
            p,
            o.admin,
            ev(o.id(), "project.owner_changed"),
        )
        .await
        .unwrap();
    let projects = o.store.projects(o.id()).await.unwrap();
    assert_eq!(
        (projects[0].name.as_str(), projects[0].owner.id),
        ("Artemis", o.admin)
    );

    let g = o
        .group(
            "Flight",
            &[Binding {
                role: RoleId::Builtin(BuiltinRole::Editor),
                project: Some(p),
            }],
            &[ada],
        )
        .await;
    assert!(is_code(
        &o.store
            .create_group(&o.unchecked(), GroupId::new(), "flight", ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "group_name_taken"
    ));
    o.store
        .rename_group(
            &o.unchecked(),
            g,
            "Flight crew",
            ev(o.id(), "group.renamed"),
        )
        .await
        .unwrap();
    let groups = o.store.groups(o.id()).await.unwrap();
    assert_eq!(groups[0].name, "Flight crew");
    assert_eq!(
        groups[0].members.iter().map(|m| m.id).collect::<Vec<_>>(),
        [ada]
    );
    assert_eq!(groups[0].bindings[0].role_name, "Editor");
    assert_eq!(
        groups[0].bindings[0]
            .project
            .as_ref()
            .map(|p| p.name.as_str()),
        Some("Artemis")
    );
    assert!(
        o.perms(ada, Scope::Project(p))
            .await
            .contains(Permission::ResourcesWrite)
    );

    o.store
        .delete_project(&o.unchecked(), p, ev(o.id(), "project.deleted"))
        .await
        .unwrap();
    assert!(
        o.store.groups(o.id()).await.unwrap()[0].bindings.is_empty(),
        "its bindings went with it"
    );
    o.store
        .delete_group(&o.unchecked(), g, ev(o.id(), "group.deleted"))
        .await
        .unwrap();
    assert!(o.store.groups(o.id()).await.unwrap().is_empty());
}

on_both_databases!(
    custom_roles_are_unique_and_not_deleted_while_bound,
    groups_and_projects_round_trip,
);
