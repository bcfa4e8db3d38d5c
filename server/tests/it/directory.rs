//! Members, roles, groups and projects at the store: the same tests on SQLite and PostgreSQL,
//! including rule 4 under 50 racing requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::support::TestDb;
use app::areas::audit::event::AuditActor;
use app::areas::audit::event::AuditEvent;
use app::areas::audit::event::AuditTarget;
use app::model::Binding;
use app::model::CustomRole;
use app::model::CustomRoleId;
use app::model::GroupId;
use app::model::MembershipStatus;
use app::model::OrgId;
use app::model::OrgSettings;
use app::model::OrgSlug;
use app::model::OrgSummary;
use app::model::ProjectId;
use app::model::TokenId;
use app::model::TokenKind;
use app::model::UserId;
use app::policy::BuiltinRole;
use app::policy::Permission;
use app::policy::PermissionSet;
use app::policy::RoleId;
use app::policy::Scope;
use app::policy::effective_permissions;
use app::server::RequestCtx;
use app::server::store::MemberFilter;
use app::server::store::MemberSearch;
use app::server::store::MemberUser;
use app::server::store::NewOrganization;
use app::server::store::NewToken;
use app::server::store::NewUser;
use app::server::store::Store;
use app::server::store::StoreError;

const NOW: i64 = 1_795_370_520_000;

fn ev(org: OrgId, action: &str) -> AuditEvent {
    AuditEvent::new(
        Some(org),
        AuditActor::system(),
        action,
        AuditTarget::new("test", None, "test"),
        &RequestCtx::default(),
        NOW,
    )
}

fn role(b: BuiltinRole) -> Binding {
    Binding {
        role: RoleId::Builtin(b),
        project: None,
    }
}

struct Org {
    store: Arc<dyn Store>,
    org: OrgSummary,
    admin: UserId,
}

impl Org {
    async fn new(t: &TestDb, name: &str) -> Org {
        let store = t.db.store();
        let id = OrgId::new();
        let admin = UserId::new();
        let org = store
            .create_organization(
                NewOrganization {
                    id,
                    name: name.into(),
                    slug: OrgSlug::from_name(name).unwrap(),
                    admin: NewUser {
                        id: admin,
                        email: format!("admin@{}.example", name.to_lowercase()),
                        name: format!("Admin of {name}"),
                        password_hash: "x".into(),
                    },
                    only_if_first: false,
                    now: NOW,
                },
                ev(id, "organization.created"),
            )
            .await
            .unwrap();
        Org { store, org, admin }
    }

    fn id(&self) -> OrgId {
        self.org.id
    }

    async fn add(&self, name: &str, bindings: &[Binding]) -> UserId {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        self.add_with_email(name, &email, bindings, &[]).await
    }

    async fn add_with_email(
        &self,
        name: &str,
        email: &str,
        bindings: &[Binding],
        groups: &[GroupId],
    ) -> UserId {
        let user = NewUser {
            id: UserId::new(),
            email: email.into(),
            name: name.into(),
            password_hash: "x".into(),
        };
        self.store
            .add_member(
                self.id(),
                MemberUser::New(user),
                bindings,
                groups,
                ev(self.id(), "member.added"),
            )
            .await
            .unwrap()
    }

    async fn perms(&self, user: UserId, scope: Scope) -> PermissionSet {
        let a = self
            .store
            .member_access(self.id(), user)
            .await
            .unwrap()
            .unwrap();
        effective_permissions(a.status, &a.bindings, scope)
    }

    async fn list(&self, filter: MemberFilter) -> Vec<String> {
        self.store
            .list_members(self.id(), &filter)
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    async fn group(&self, name: &str, bindings: &[Binding], members: &[UserId]) -> GroupId {
        let id = GroupId::new();
        self.store
            .create_group(self.id(), id, name, ev(self.id(), "group.created"))
            .await
            .unwrap();
        self.store
            .set_group_bindings(
                self.id(),
                id,
                bindings,
                ev(self.id(), "group.bindings_changed"),
            )
            .await
            .unwrap();
        self.store
            .set_group_members(
                self.id(),
                id,
                members,
                ev(self.id(), "group.members_changed"),
            )
            .await
            .unwrap();
        id
    }
}

fn is_code(e: &StoreError, want: &str) -> bool {
    matches!(e, StoreError::Conflict { code, .. } if *code == want)
}

async fn members_page_alphabetically_with_a_total(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    for i in 0..30 {
        o.add(&format!("Member {i:02}"), &[role(BuiltinRole::Viewer)])
            .await;
    }
    let mut filter = MemberFilter::all(MembershipStatus::Active);
    filter.limit = 25;
    let first = o.store.list_members(o.id(), &filter).await.unwrap();
    assert_eq!(first.total, 31);
    assert_eq!(first.rows.len(), 25);
    assert_eq!(first.rows[0].name, "Admin of Acme");
    assert_eq!(first.rows[1].name, "Member 00");
    filter.after = first.next.clone();
    let second = o.store.list_members(o.id(), &filter).await.unwrap();
    assert_eq!(second.total, 31, "the total counts every page");
    let names: Vec<_> = second.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Member 24",
            "Member 25",
            "Member 26",
            "Member 27",
            "Member 28",
            "Member 29"
        ]
    );
    assert_eq!(second.next, None, "no page after the last");
}

async fn members_are_searched_and_filtered(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o
        .add_with_email(
            "Ada Lovelace",
            "ada@math.example",
            &[role(BuiltinRole::Editor)],
            &[],
        )
        .await;
    let grace = o
        .add_with_email(
            "Grace Hopper",
            "grace@navy.example",
            &[role(BuiltinRole::Viewer)],
            &[],
        )
        .await;
    o.add_with_email(
        "Alan Turing",
        "alan@bletchley.example",
        &[role(BuiltinRole::Viewer)],
        &[],
    )
    .await;
    let ops = o
        .group("Operations", &[role(BuiltinRole::Editor)], &[grace])
        .await;

    let search = |s: MemberSearch| {
        let mut f = MemberFilter::all(MembershipStatus::Active);
        f.search = Some(s);
        f
    };
    assert_eq!(
        o.list(search(MemberSearch::EmailPrefix("grace@".into())))
            .await,
        ["Grace Hopper"]
    );
    assert_eq!(
        o.list(search(MemberSearch::Text("hop".into()))).await,
        ["Grace Hopper"],
        "a word of the name"
    );
    assert_eq!(
        o.list(search(MemberSearch::Text("a".into()))).await,
        ["Ada Lovelace", "Admin of Acme", "Alan Turing"]
    );
    assert_eq!(
        o.list(search(MemberSearch::Text("100%_".into()))).await,
        Vec::<String>::new(),
        "wildcards are literal"
    );
    assert_eq!(
        o.list(search(MemberSearch::UserId(ada))).await,
        ["Ada Lovelace"]
    );

    let mut editors = MemberFilter::all(MembershipStatus::Active);
    editors.role = Some(RoleId::Builtin(BuiltinRole::Editor));
    assert_eq!(
        o.list(editors).await,
        ["Ada Lovelace", "Grace Hopper"],
        "directly or through a group"
    );
    let mut in_ops = MemberFilter::all(MembershipStatus::Active);
    in_ops.group = Some(ops);
    assert_eq!(o.list(in_ops).await, ["Grace Hopper"]);
    let mut with_2fa = MemberFilter::all(MembershipStatus::Active);
    with_2fa.two_factor = Some(true);
    assert!(o.list(with_2fa).await.is_empty());

    let page = o
        .store
        .list_members(o.id(), &search(MemberSearch::UserId(grace)))
        .await
        .unwrap();
    let row = &page.rows[0];
    assert_eq!(
        row.groups
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["Operations"]
    );
    let roles: Vec<_> = row
        .roles
        .iter()
        .map(|r| {
            (
                r.role_name.as_str(),
                r.via_group.as_ref().map(|g| g.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [("Viewer", None), ("Editor", Some("Operations"))],
        "own first, then inherited"
    );

    o.store
        .set_member_status(
            o.id(),
            ada,
            MembershipStatus::Deactivated,
            ev(o.id(), "member.deactivated"),
        )
        .await
        .unwrap();
    assert_eq!(
        o.list(MemberFilter::all(MembershipStatus::Deactivated))
            .await,
        ["Ada Lovelace"]
    );
    assert!(
        !o.list(MemberFilter::all(MembershipStatus::Active))
            .await
            .contains(&"Ada Lovelace".to_string())
    );
}

async fn bindings_and_groups_make_effective_permissions(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let p1 = ProjectId::new();
    o.store
        .create_project(o.id(), p1, "Apollo", o.admin, ev(o.id(), "project.created"))
        .await
        .unwrap();
    let auditors = CustomRole {
        id: CustomRoleId::new(),
        name: "Auditor".into(),
        description: "Reads the log".into(),
        permissions: PermissionSet::of(&[Permission::AuditRead]),
    };
    o.store
        .create_custom_role(o.id(), &auditors, ev(o.id(), "role.created"))
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
            o.id(),
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

async fn the_last_admin_cannot_be_demoted_deactivated_or_removed(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let viewer = o.add("Vic", &[role(BuiltinRole::Viewer)]).await;
    let demote = o
        .store
        .set_member_access(
            o.id(),
            o.admin,
            &[role(BuiltinRole::Editor)],
            &[],
            ev(o.id(), "x"),
        )
        .await;
    let deactivate = o
        .store
        .set_member_status(
            o.id(),
            o.admin,
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await;
    let remove = o
        .store
        .remove_member(o.id(), o.admin, None, false, ev(o.id(), "x"))
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
            o.id(),
            viewer,
            &[role(BuiltinRole::Admin)],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .set_member_access(
            o.id(),
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
            o.id(),
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
            .set_group_members(o.id(), g, &[], ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "last_admin"
    ));
    assert!(is_code(
        &o.store
            .delete_group(o.id(), g, ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "last_admin"
    ));
    assert!(is_code(
        &o.store
            .set_group_bindings(o.id(), g, &[], ev(o.id(), "x"))
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
            .create_custom_role(o.id(), r, ev(o.id(), "role.created"))
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
        .set_group_members(o.id(), g, &[], ev(o.id(), "x"))
        .await
        .unwrap();
    // Now Carol is the only Admin: shrinking one of her roles is refused.
    let mut smaller = b.clone();
    smaller.permissions = PermissionSet::of(&rest[1..]);
    assert!(is_code(
        &o.store
            .update_custom_role(o.id(), &smaller, ev(o.id(), "x"))
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
                        org,
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
                        org,
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

async fn futures_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn removal_archives_moves_projects_and_never_reactivates(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada", &[role(BuiltinRole::Editor)]).await;
    let grace = o.add("Grace", &[role(BuiltinRole::Viewer)]).await;
    let p = ProjectId::new();
    o.store
        .create_project(
            o.id(),
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
        .remove_member(o.id(), ada, None, false, ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(is_code(&e, "owns_projects"), "{e:?}");
    assert!(e.to_string().contains("owns 1 project"));
    let e = o
        .store
        .remove_member(o.id(), ada, Some(ada), false, ev(o.id(), "x"))
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
            o.id(),
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
            .set_member_status(o.id(), ada, status, ev(o.id(), "x"))
            .await
            .unwrap_err();
        assert!(is_code(&e, "archived"), "{e:?}");
    }
    assert!(is_code(
        &o.store
            .set_member_access(o.id(), ada, &[], &[], ev(o.id(), "x"))
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

async fn custom_roles_are_unique_and_not_deleted_while_bound(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let r = CustomRole {
        id: CustomRoleId::new(),
        name: "Support".into(),
        description: "Helps".into(),
        permissions: PermissionSet::of(&[Permission::MembersRead]),
    };
    o.store
        .create_custom_role(o.id(), &r, ev(o.id(), "role.created"))
        .await
        .unwrap();
    let dup = CustomRole {
        id: CustomRoleId::new(),
        name: "SUPPORT".into(),
        ..r.clone()
    };
    assert!(is_code(
        &o.store
            .create_custom_role(o.id(), &dup, ev(o.id(), "x"))
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
        .delete_custom_role(o.id(), r.id, ev(o.id(), "x"))
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
        .update_custom_role(o.id(), &edited, ev(o.id(), "role.updated"))
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
        .set_member_access(o.id(), ada, &[], &[], ev(o.id(), "x"))
        .await
        .unwrap();
    let groups = o.store.groups(o.id()).await.unwrap();
    o.store
        .set_group_bindings(o.id(), groups[0].id, &[], ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .delete_custom_role(o.id(), r.id, ev(o.id(), "role.deleted"))
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
        .create_project(o.id(), p, "Apollo", UserId::new(), ev(o.id(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid { field: "owner", .. }));
    o.store
        .create_project(o.id(), p, "Apollo", ada, ev(o.id(), "project.created"))
        .await
        .unwrap();
    assert!(is_code(
        &o.store
            .create_project(o.id(), ProjectId::new(), "apollo", ada, ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "project_name_taken"
    ));
    o.store
        .rename_project(o.id(), p, "Artemis", ev(o.id(), "project.renamed"))
        .await
        .unwrap();
    o.store
        .change_project_owner(o.id(), p, o.admin, ev(o.id(), "project.owner_changed"))
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
            .create_group(o.id(), GroupId::new(), "flight", ev(o.id(), "x"))
            .await
            .unwrap_err(),
        "group_name_taken"
    ));
    o.store
        .rename_group(o.id(), g, "Flight crew", ev(o.id(), "group.renamed"))
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
        .delete_project(o.id(), p, ev(o.id(), "project.deleted"))
        .await
        .unwrap();
    assert!(
        o.store.groups(o.id()).await.unwrap()[0].bindings.is_empty(),
        "its bindings went with it"
    );
    o.store
        .delete_group(o.id(), g, ev(o.id(), "group.deleted"))
        .await
        .unwrap();
    assert!(o.store.groups(o.id()).await.unwrap().is_empty());
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
            o.id(),
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
            o.id(),
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
            o.id(),
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

/// The unfiltered total (kept by triggers) against a real count (forced by a filter that every
/// member here passes: nobody has 2FA).
async fn assert_totals(o: &Org) {
    for status in [
        MembershipStatus::Active,
        MembershipStatus::Deactivated,
        MembershipStatus::Archived,
    ] {
        let kept = o
            .store
            .list_members(o.id(), &MemberFilter::all(status))
            .await
            .unwrap()
            .total;
        let mut f = MemberFilter::all(status);
        f.two_factor = Some(false);
        let counted = o.store.list_members(o.id(), &f).await.unwrap().total;
        assert_eq!(kept, counted, "{status:?}");
    }
}

async fn totals_stay_exact_through_every_change(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    assert_totals(&o).await;
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(
            o.add(&format!("Person {i}"), &[role(BuiltinRole::Viewer)])
                .await,
        );
    }
    other.add("Elsewhere", &[]).await;
    assert_totals(&o).await;
    o.store
        .set_member_status(
            o.id(),
            people[0],
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .set_member_status(
            o.id(),
            people[1],
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .set_member_status(o.id(), people[1], MembershipStatus::Active, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .remove_member(o.id(), people[2], None, false, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .remove_member(o.id(), people[0], None, false, ev(o.id(), "x"))
        .await
        .unwrap();
    // A refused change leaves the totals alone too.
    let _ = o
        .store
        .remove_member(o.id(), o.admin, None, false, ev(o.id(), "x"))
        .await;
    assert_totals(&o).await;
    assert_eq!(
        o.store
            .list_members(o.id(), &MemberFilter::all(MembershipStatus::Active))
            .await
            .unwrap()
            .total,
        4
    );
    assert_eq!(
        o.store
            .list_members(o.id(), &MemberFilter::all(MembershipStatus::Archived))
            .await
            .unwrap()
            .total,
        2
    );
    assert_eq!(
        other
            .store
            .list_members(other.id(), &MemberFilter::all(MembershipStatus::Active))
            .await
            .unwrap()
            .total,
        2
    );
    o.store
        .add_member(
            o.id(),
            MemberUser::Existing(people[2]),
            &[],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_totals(&o).await;
}

/// The role filter (served from trigger-kept holders and counters, migration 0004) against the
/// roles each member's row shows, for every role and status, paged two at a time.
async fn assert_role_filter(o: &Org, roles: &[RoleId]) {
    for status in [
        MembershipStatus::Active,
        MembershipStatus::Deactivated,
        MembershipStatus::Archived,
    ] {
        let everyone = o
            .store
            .list_members(o.id(), &MemberFilter::all(status))
            .await
            .unwrap()
            .rows;
        for r in roles {
            let want: Vec<UserId> = everyone
                .iter()
                .filter(|m| m.roles.iter().any(|g| g.role == *r))
                .map(|m| m.user_id)
                .collect();
            let mut f = MemberFilter::all(status);
            f.role = Some(*r);
            f.limit = 2;
            let mut got = Vec::new();
            loop {
                let page = o.store.list_members(o.id(), &f).await.unwrap();
                assert_eq!(page.total, want.len() as i64, "{r} {status:?}: kept total");
                got.extend(page.rows.iter().map(|m| m.user_id));
                match page.next {
                    Some(k) => f.after = Some(k),
                    None => break,
                }
            }
            assert_eq!(got, want, "{r} {status:?}: holders");
            // The same filter with another one is counted, not read from the counter.
            let mut counted = MemberFilter::all(status);
            counted.role = Some(*r);
            counted.two_factor = Some(false);
            let page = o.store.list_members(o.id(), &counted).await.unwrap();
            assert_eq!(
                page.total,
                want.len() as i64,
                "{r} {status:?}: counted total"
            );
        }
    }
}

async fn role_filter_follows_every_change(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    let auditor = CustomRole {
        id: CustomRoleId::new(),
        name: "Auditor".into(),
        description: String::new(),
        permissions: PermissionSet::of(&[Permission::MembersRead]),
    };
    o.store
        .create_custom_role(o.id(), &auditor, ev(o.id(), "role.created"))
        .await
        .unwrap();
    let audit_role = Binding {
        role: RoleId::Custom(auditor.id),
        project: None,
    };
    let roles = [
        RoleId::Builtin(BuiltinRole::Viewer),
        RoleId::Builtin(BuiltinRole::Editor),
        RoleId::Builtin(BuiltinRole::Admin),
        RoleId::Custom(auditor.id),
    ];
    let ada = o.add("Ada", &[role(BuiltinRole::Viewer)]).await;
    let bob = o.add("Bob", &[role(BuiltinRole::Editor)]).await;
    let cy = o.add("Cy", &[]).await;
    let dee = o.add("Dee", &[role(BuiltinRole::Viewer)]).await;
    other.add("Eve", &[role(BuiltinRole::Viewer)]).await;
    assert_role_filter(&o, &roles).await;

    // A group's role reaches its members; a member with the role twice is listed once.
    let g = o
        .group(
            "Auditors",
            &[audit_role, role(BuiltinRole::Viewer)],
            &[cy, ada],
        )
        .await;
    assert_role_filter(&o, &roles).await;
    o.store
        .add_group_member(o.id(), g, bob, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .remove_group_member(o.id(), g, ada, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .set_group_bindings(o.id(), g, &[role(BuiltinRole::Editor)], ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;

    // A role at project scope counts; deleting the project takes it away.
    let p = ProjectId::new();
    o.store
        .create_project(o.id(), p, "Apollo", dee, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .set_member_access(
            o.id(),
            dee,
            &[
                role(BuiltinRole::Viewer),
                Binding {
                    role: RoleId::Custom(auditor.id),
                    project: Some(p),
                },
            ],
            &[g],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .change_project_owner(o.id(), p, o.admin, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .delete_project(o.id(), p, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;

    // Status moves the holder between tabs; removal takes the roles away; a returning member
    // starts afresh.
    o.store
        .set_member_status(o.id(), bob, MembershipStatus::Deactivated, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .set_member_status(o.id(), bob, MembershipStatus::Active, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .remove_member(o.id(), cy, None, false, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .add_member(
            o.id(),
            MemberUser::Existing(cy),
            &[role(BuiltinRole::Editor)],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .delete_group(o.id(), g, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    // The other organization's holders never show here.
    let mut f = MemberFilter::all(MembershipStatus::Active);
    f.role = Some(RoleId::Builtin(BuiltinRole::Viewer));
    let viewers = o.store.list_members(o.id(), &f).await.unwrap();
    assert_eq!(
        viewers
            .rows
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Ada", "Dee"]
    );
    assert_eq!(viewers.total, 2);
}

// ---- list lookups and per-organization limits ---------------------------------------------

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
    role_filter_follows_every_change,
    totals_stay_exact_through_every_change,
    members_page_alphabetically_with_a_total,
    members_are_searched_and_filtered,
    bindings_and_groups_make_effective_permissions,
    references_to_other_organizations_are_refused,
    the_last_admin_cannot_be_demoted_deactivated_or_removed,
    admins_through_groups_and_custom_roles_count,
    fifty_racing_deactivations_leave_exactly_one_admin,
    fifty_racing_demotions_leave_exactly_one_admin,
    removal_archives_moves_projects_and_never_reactivates,
    custom_roles_are_unique_and_not_deleted_while_bound,
    groups_and_projects_round_trip,
    deactivation_ends_access_here_not_the_session_and_is_audited,
    an_existing_user_can_found_another_organization,
    references_are_looked_up_together_and_repeats_kept_once,
    each_limit_refuses_one_more_and_says_which,
    twenty_racing_creations_stop_at_each_limit,
);
