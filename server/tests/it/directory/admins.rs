//! Rule 4: an organization keeps an active full Admin, also under 50 racing requests.

use super::*;

async fn the_last_admin_cannot_be_demoted_deactivated_or_removed(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let viewer = o.add("Vic", &[role(BuiltinRole::Viewer)]).await;
    let demote = o
        .store
        .set_member_access(
            &o.unchecked(),
            o.admin,
            &[role(BuiltinRole::Editor)],
            &[],
            ev(o.id(), "x"),
        )
        .await;
    let deactivate = o
        .store
        .set_member_status(
            &o.unchecked(),
            o.admin,
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await;
    let remove = o
        .store
        .remove_member(&o.unchecked(), o.admin, None, false, ev(o.id(), "x"))
        .await;
    for r in [demote, deactivate, remove] {
        let e = r.unwrap_err();
        assert!(is_code(&e, "last_admin"), "{e:?}");
        assert_eq!(
            e.to_string(),
            "An organization needs at least one active Admin"
        );
    }
    assert!(
        o.perms(o.admin, Scope::Organization).await.is_everything(),
        "nothing changed"
    );
    // With a second Admin the first may go.
    o.store
        .set_member_access(
            &o.unchecked(),
            viewer,
            &[role(BuiltinRole::Admin)],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .set_member_access(
            &o.unchecked(),
            o.admin,
            &[role(BuiltinRole::Viewer)],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_eq!(
        o.perms(o.admin, Scope::Organization).await,
        BuiltinRole::Viewer.permissions()
    );
}

async fn admins_through_groups_and_custom_roles_count(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let bob = o.add("Bob", &[]).await;
    // Bob is an Admin only through a group: the founder may then step down...
    let g = o.group("Owners", &[role(BuiltinRole::Admin)], &[bob]).await;
    o.store
        .set_member_access(
            &o.unchecked(),
            o.admin,
            &[role(BuiltinRole::Viewer)],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    // ...but emptying or deleting the group, or unbinding it, would leave no Admin.
    assert!(is_code(
        &o.store
            .set_group_members(&o.unchecked(), g, &[], ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "last_admin"
    ));
    assert!(is_code(
        &o.store
            .delete_group(&o.unchecked(), g, ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "last_admin"
    ));
    assert!(is_code(
        &o.store
            .set_group_bindings(&o.unchecked(), g, &[], ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "last_admin"
    ));

    // Two custom roles that add up to everything make an Admin too (rule 1's union).
    let half: Vec<Permission> = Permission::ALL[..6].to_vec();
    let rest: Vec<Permission> = Permission::ALL[6..].to_vec();
    let a = CustomRole {
        id: CustomRoleId::new(),
        name: "First half".into(),
        description: String::new(),
        permissions: PermissionSet::of(&half),
    };
    let b = CustomRole {
        id: CustomRoleId::new(),
        name: "Second half".into(),
        description: String::new(),
        permissions: PermissionSet::of(&rest),
    };
    for r in [&a, &b] {
        o.store
            .create_custom_role(&o.unchecked(), r, ev(o.id(), "role.created"))
            .await
            .unwrap();
    }
    let carol = o
        .add(
            "Carol",
            &[
                Binding {
                    role: RoleId::Custom(a.id),
                    project: None,
                },
                Binding {
                    role: RoleId::Custom(b.id),
                    project: None,
                },
            ],
        )
        .await;
    assert!(o.perms(carol, Scope::Organization).await.is_everything());
    o.store
        .set_group_members(&o.unchecked(), g, &[], ev(o.id(), "x"))
        .await
        .unwrap();
    // Now Carol is the only Admin: shrinking one of her roles is refused.
    let mut smaller = b.clone();
    smaller.permissions = PermissionSet::of(&rest[1..]);
    assert!(is_code(
        &o.store
            .update_custom_role(&o.unchecked(), &smaller, ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "last_admin"
    ));
}

async fn fifty_racing_deactivations_leave_exactly_one_admin(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let mut admins = vec![o.admin];
    for i in 0..49 {
        admins.push(
            o.add(&format!("Admin {i:02}"), &[role(BuiltinRole::Admin)])
                .await,
        );
    }
    let org = o.id();
    let tasks: Vec<_> = admins
        .iter()
        .map(|a| {
            let store = o.store.clone();
            let a = *a;
            tokio::spawn(async move {
                store
                    .set_member_status(
                        &unchecked_authorized(org),
                        a,
                        MembershipStatus::Deactivated,
                        ev(org, "member.deactivated"),
                    )
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) if is_code(&e, "last_admin") => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, refused), (49, 1));
    let mut active_admins = 0;
    for a in admins {
        if o.perms(a, Scope::Organization).await.is_everything() {
            active_admins += 1;
        }
    }
    assert_eq!(active_admins, 1);
}

async fn fifty_racing_demotions_leave_exactly_one_admin(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let mut admins = vec![o.admin];
    for i in 0..49 {
        admins.push(
            o.add(&format!("Admin {i:02}"), &[role(BuiltinRole::Admin)])
                .await,
        );
    }
    let org = o.id();
    let tasks: Vec<_> = admins
        .iter()
        .map(|a| {
            let store = o.store.clone();
            let a = *a;
            tokio::spawn(async move {
                store
                    .set_member_access(
                        &unchecked_authorized(org),
                        a,
                        &[role(BuiltinRole::Viewer)],
                        &[],
                        ev(org, "member.access_changed"),
                    )
                    .await
            })
        })
        .collect();
    let results: Vec<_> = futures_all(tasks).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 49);
    assert_eq!(
        results
            .iter()
            .filter(|r| r.as_ref().is_err_and(|e| is_code(e, "last_admin")))
            .count(),
        1
    );
}

on_both_databases!(
    the_last_admin_cannot_be_demoted_deactivated_or_removed,
    admins_through_groups_and_custom_roles_count,
    fifty_racing_deactivations_leave_exactly_one_admin,
    fifty_racing_demotions_leave_exactly_one_admin,
);
