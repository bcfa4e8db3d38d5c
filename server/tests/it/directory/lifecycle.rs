//! Bindings, groups, roles and projects through a member's life: effective permissions,
//! deactivation, removal, and founding another organization.

use super::*;

async fn bindings_and_groups_make_effective_permissions(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let p1 = ProjectId::new();
    o.store
        .create_project(
            &o.unchecked(),
            p1,
            "Apollo",
            o.admin,
            ev(o.id(), "project.created"),
        )
        .await
        .unwrap();
    let auditors = CustomRole {
        id: CustomRoleId::new(),
        name: "Auditor".into(),
        description: "Reads the log".into(),
        permissions: PermissionSet::of(&[Permission::AuditRead]),
    };
    o.store
        .create_custom_role(&o.unchecked(), &auditors, ev(o.id(), "role.created"))
        .await
        .unwrap();
    let ada = o.add("Ada", &[role(BuiltinRole::Viewer)]).await;
    let g = o
        .group(
            "Auditors",
            &[Binding {
                role: RoleId::Custom(auditors.id),
                project: None,
            }],
            &[],
        )
        .await;
    o.store
        .set_member_access(
            &o.unchecked(),
            ada,
            &[
                role(BuiltinRole::Viewer),
                Binding {
                    role: RoleId::Builtin(BuiltinRole::Editor),
                    project: Some(p1),
                },
            ],
            &[g],
            ev(o.id(), "member.access_changed"),
        )
        .await
        .unwrap();
    let viewer_and_audit = BuiltinRole::Viewer
        .permissions()
        .union(auditors.permissions);
    assert_eq!(o.perms(ada, Scope::Organization).await, viewer_and_audit);
    assert_eq!(
        o.perms(ada, Scope::Project(p1)).await,
        viewer_and_audit.union(BuiltinRole::Editor.permissions())
    );
    assert_eq!(
        o.perms(ada, Scope::Project(ProjectId::new())).await,
        viewer_and_audit
    );
}

async fn removal_archives_moves_projects_and_never_reactivates(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada", &[role(BuiltinRole::Editor)]).await;
    let grace = o.add("Grace", &[role(BuiltinRole::Viewer)]).await;
    let p = ProjectId::new();
    o.store
        .create_project(
            &o.unchecked(),
            p,
            "Analytical Engine",
            ada,
            ev(o.id(), "project.created"),
        )
        .await
        .unwrap();
    let g = o.group("Engineers", &[], &[ada]).await;

    let e = o
        .store
        .remove_member(&o.unchecked(), ada, None, false, ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(is_code(&e, "owns_projects"), "{e:?}");
    assert!(e.to_string().contains("owns 1 project"));
    let e = o
        .store
        .remove_member(&o.unchecked(), ada, Some(ada), false, ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Invalid {
            field: "new_owner",
            ..
        }
    ));
    assert_eq!(
        o.store.member_status(o.id(), ada).await.unwrap(),
        Some(MembershipStatus::Active),
        "nothing changed"
    );

    o.store
        .remove_member(
            &o.unchecked(),
            ada,
            Some(grace),
            false,
            ev(o.id(), "member.removed"),
        )
        .await
        .unwrap();
    assert_eq!(
        o.store.member_status(o.id(), ada).await.unwrap(),
        Some(MembershipStatus::Archived)
    );
    assert_eq!(o.store.projects(o.id()).await.unwrap()[0].owner.id, grace);
    assert!(
        o.store
            .groups(o.id())
            .await
            .unwrap()
            .iter()
            .find(|x| x.id == g)
            .unwrap()
            .members
            .is_empty()
    );
    assert!(o.perms(ada, Scope::Organization).await.is_empty());
    assert_eq!(
        o.list(MemberFilter::all(MembershipStatus::Archived)).await,
        ["Ada"]
    );
    for status in [MembershipStatus::Active, MembershipStatus::Deactivated] {
        let e = o
            .store
            .set_member_status(&o.unchecked(), ada, status, ev(o.id(), "x"))
            .await
            .unwrap_err();
        assert!(is_code(&e, "archived"), "{e:?}");
    }
    assert!(is_code(
        &o.store
            .set_member_access(&o.unchecked(), ada, &[], &[], ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "archived"
    ));
    // An archived member may be added afresh (a new invitation), with nothing carried over.
    o.store
        .add_member(
            o.id(),
            MemberUser::Existing(ada),
            &[role(BuiltinRole::Viewer)],
            &[],
            ev(o.id(), "member.added"),
        )
        .await
        .unwrap();
    assert_eq!(
        o.perms(ada, Scope::Organization).await,
        BuiltinRole::Viewer.permissions()
    );
    let e = o
        .store
        .add_member(o.id(), MemberUser::Existing(ada), &[], &[], ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(is_code(&e, "already_member"));
}

async fn deactivation_ends_access_here_not_the_session_and_is_audited(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada", &[role(BuiltinRole::Viewer)]).await;
    o.store
        .create_session(
            app::server::store::NewSession {
                id_hash: "s".into(),
                user_id: ada,
                now: NOW,
                expires_at: NOW + 1_000_000,
                client_addr: None,
                user_agent: None,
            },
            AuditEvent::new(
                None,
                AuditActor::user(ada, "ada"),
                "user.signed_in",
                AuditTarget::new("user", None, "ada"),
                &RequestCtx::default(),
                NOW,
            ),
        )
        .await
        .unwrap();
    o.store
        .set_member_status(
            &o.unchecked(),
            ada,
            MembershipStatus::Deactivated,
            ev(o.id(), "member.deactivated"),
        )
        .await
        .unwrap();
    assert!(
        o.store.session("s").await.unwrap().is_some(),
        "the person's session serves their other organizations"
    );
    assert!(
        o.perms(ada, Scope::Organization).await.is_empty(),
        "a deactivated member has no permission"
    );
    o.store
        .set_member_status(
            &o.unchecked(),
            ada,
            MembershipStatus::Active,
            ev(o.id(), "member.reactivated"),
        )
        .await
        .unwrap();
    assert_eq!(
        o.perms(ada, Scope::Organization).await,
        BuiltinRole::Viewer.permissions(),
        "bindings restored"
    );
    let actions: Vec<String> = o
        .store
        .audit_events(Some(o.id()), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..3],
        ["member.reactivated", "member.deactivated", "member.added"]
    );
    // A refused change writes no event.
    let _ = o
        .store
        .set_member_status(
            &o.unchecked(),
            o.admin,
            MembershipStatus::Deactivated,
            ev(o.id(), "member.deactivated"),
        )
        .await;
    assert_eq!(
        o.store.audit_events(Some(o.id()), 1).await.unwrap()[0].action,
        "member.reactivated"
    );
}

async fn an_existing_user_can_found_another_organization(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let id = OrgId::new();
    let second = o
        .store
        .create_organization_for(
            id,
            "Acme",
            &OrgSlug::from_name("Acme").unwrap(),
            o.admin,
            NOW,
            ev(id, "organization.created"),
        )
        .await
        .unwrap();
    assert_eq!(second.slug, "acme-2");
    let view = o.store.session_view(o.admin).await.unwrap().unwrap();
    assert_eq!(view.organizations.len(), 2);
    let a = o.store.member_access(id, o.admin).await.unwrap().unwrap();
    assert!(effective_permissions(a.status, &a.bindings, Scope::Organization).is_everything());
}

on_both_databases!(
    bindings_and_groups_make_effective_permissions,
    removal_archives_moves_projects_and_never_reactivates,
    deactivation_ends_access_here_not_the_session_and_is_audited,
    an_existing_user_can_found_another_organization,
);
