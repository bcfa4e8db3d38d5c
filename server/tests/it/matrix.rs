//! Every directory operation as every kind of caller: exactly what rules 1–5 allow, on both
//! databases. Each (caller, operation) pair runs on a fresh organization. Long because the table
//! of operations and the table of callers belong together: split, they would be read apart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{TestDb, TestOrg, fixture_event, harness::TestApp, org_wide};
use app::{
    areas::{
        invitations::{
            service as inv,
            types::{InvitationStatus, InviteRequest},
        },
        members::types::MemberQuery,
        organizations::types::OrgSettings,
        roles::types::CustomRole,
    },
    core::{
        ids::{CustomRoleId, GroupId, InvitationId, ProjectId, UserId},
        kinds::MembershipStatus,
    },
    error::AppError,
    policy::{Binding, BuiltinRole, Permission, PermissionSet, RoleId},
    server::{
        AppState, RequestCtx,
        caller::Caller,
        store::{NewInvitation, OutgoingMail},
    },
};
use std::{future::Future, pin::Pin, sync::Arc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Viewer,
    Editor,
    Admin,
    /// A custom role: org.read, members.read, members.manage.
    MemberManager,
    /// The Admin of another organization, using this one's ids.
    OtherOrgAdmin,
}

const EVERYONE: [Who; 5] = [
    Who::Viewer,
    Who::Editor,
    Who::Admin,
    Who::MemberManager,
    Who::OtherOrgAdmin,
];

/// The organization under test and ids in it, fresh for every call.
#[derive(Clone)]
struct Fixture {
    state: AppState,
    org: Arc<TestOrg>,
    member: UserId,
    deactivated: UserId,
    group: GroupId,
    project: ProjectId,
    role: CustomRoleId,
    reader_role: CustomRoleId,
    invitation: InvitationId,
    callers: Vec<(Who, Caller)>,
}

async fn fixture(state: &AppState) -> Fixture {
    let store = state.store.clone();
    let acme = TestOrg::new(state, "Acme").await;
    let other = TestOrg::new(state, "Other").await;
    let manager_role = CustomRole {
        id: CustomRoleId::new(),
        name: "Member managers".into(),
        description: String::new(),
        permissions: PermissionSet::of(&[
            Permission::OrgRead,
            Permission::MembersRead,
            Permission::MembersManage,
        ]),
    };
    let reader_role = CustomRole {
        id: CustomRoleId::new(),
        name: "Reader".into(),
        description: String::new(),
        permissions: PermissionSet::of(&[Permission::OrgRead]),
    };
    let spare_role = CustomRole {
        id: CustomRoleId::new(),
        name: "Spare".into(),
        description: String::new(),
        permissions: PermissionSet::of(&[Permission::OrgRead]),
    };
    for r in [&manager_role, &reader_role, &spare_role] {
        store
            .create_custom_role(&acme.unchecked(), r, fixture_event(acme.id))
            .await
            .unwrap();
    }
    let viewer = acme.with_member(BuiltinRole::Viewer).await;
    let editor = acme.with_member(BuiltinRole::Editor).await;
    let manager = acme
        .with_member_bound(&[org_wide(RoleId::Custom(manager_role.id))])
        .await;
    let member = acme.with_member(BuiltinRole::Viewer).await.id;
    let deactivated = acme.with_member(BuiltinRole::Viewer).await.id;
    store
        .set_member_status(
            &acme.unchecked(),
            deactivated,
            MembershipStatus::Deactivated,
            fixture_event(acme.id),
        )
        .await
        .unwrap();
    let group = GroupId::new();
    store
        .create_group(&acme.unchecked(), group, "Readers", fixture_event(acme.id))
        .await
        .unwrap();
    store
        .set_group_bindings(
            &acme.unchecked(),
            group,
            &[org_wide(RoleId::Custom(reader_role.id))],
            fixture_event(acme.id),
        )
        .await
        .unwrap();
    store
        .set_group_members(&acme.unchecked(), group, &[member], fixture_event(acme.id))
        .await
        .unwrap();
    let project = ProjectId::new();
    store
        .create_project(
            &acme.unchecked(),
            project,
            "Apollo",
            member,
            fixture_event(acme.id),
        )
        .await
        .unwrap();
    let invitation = InvitationId::new();
    store
        .create_invitation(
            NewInvitation {
                id: invitation,
                org: acme.id,
                email: "invited@example.com".into(),
                token_hash: uuid::Uuid::now_v7().simple().to_string(),
                bindings: vec![org_wide(RoleId::Builtin(BuiltinRole::Viewer))],
                groups: vec![],
                grants: Default::default(),
                invited_by: Some(acme.admin.id),
                invited_by_token: None,
                invited_by_name: "Admin".into(),
                now: state.now(),
                expires_at: state.now() + 3_600_000,
            },
            OutgoingMail {
                id: uuid::Uuid::now_v7(),
                org: Some(acme.id),
                to: "invited@example.com".into(),
                subject: "s".into(),
                text: "t".into(),
                html: "h".into(),
                link: None,
            },
            fixture_event(acme.id),
        )
        .await
        .unwrap();
    let callers = vec![
        (Who::Viewer, viewer.caller),
        (Who::Editor, editor.caller),
        (Who::Admin, acme.admin.caller.clone()),
        (Who::MemberManager, manager.caller),
        (Who::OtherOrgAdmin, other.admin.caller),
    ];
    Fixture {
        state: state.clone(),
        org: Arc::new(acme),
        member,
        deactivated,
        group,
        project,
        role: spare_role.id,
        reader_role: reader_role.id,
        invitation,
        callers,
    }
}

type Op = fn(Fixture, Caller) -> Pin<Box<dyn Future<Output = Result<(), AppError>> + Send>>;

/// (name, permission it needs, whether it names an id of the organization, the call)
fn operations() -> Vec<(&'static str, Permission, bool, Op)> {
    vec![
        ("list members", Permission::MembersRead, false, |f, c| {
            Box::pin(async move {
                app::areas::members::service::list_members(&f.state, &c, &MemberQuery::active())
                    .await
                    .map(|_| ())
            })
        }),
        ("read a member", Permission::MembersRead, true, |f, c| {
            Box::pin(async move {
                app::areas::members::service::member(&f.state, &c, f.member)
                    .await
                    .map(|_| ())
            })
        }),
        (
            "edit a member's roles",
            Permission::MembersManage,
            true,
            |f, c| {
                Box::pin(async move {
                    app::areas::members::service::update_member(
                        &f.state,
                        &RequestCtx::default(),
                        &c,
                        f.member,
                        vec![org_wide(RoleId::Custom(f.reader_role))],
                        vec![],
                    )
                    .await
                })
            },
        ),
        ("deactivate", Permission::MembersManage, true, |f, c| {
            Box::pin(async move {
                app::areas::members::service::set_member_active(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.member,
                    false,
                )
                .await
            })
        }),
        ("reactivate", Permission::MembersManage, true, |f, c| {
            Box::pin(async move {
                app::areas::members::service::set_member_active(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.deactivated,
                    true,
                )
                .await
            })
        }),
        ("remove", Permission::MembersManage, true, |f, c| {
            Box::pin(async move {
                let new_owner = match c.principal.actor() {
                    app::policy::Actor::User(u) => *u,
                    _ => unreachable!(),
                };
                app::areas::members::service::remove_member(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.member,
                    Some(new_owner),
                    false,
                )
                .await
            })
        }),
        ("list roles", Permission::OrgRead, false, |f, c| {
            Box::pin(async move {
                app::areas::roles::service::roles(&f.state, &c)
                    .await
                    .map(|_| ())
            })
        }),
        ("create a role", Permission::RolesManage, false, |f, c| {
            Box::pin(async move {
                app::areas::roles::service::create_role(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    "Auditors",
                    "",
                    &["org.read".into()],
                )
                .await
                .map(|_| ())
            })
        }),
        ("edit a role", Permission::RolesManage, true, |f, c| {
            Box::pin(async move {
                app::areas::roles::service::update_role(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.role,
                    "Spare",
                    "edited",
                    &["org.read".into()],
                )
                .await
                .map(|_| ())
            })
        }),
        ("delete a role", Permission::RolesManage, true, |f, c| {
            Box::pin(async move {
                app::areas::roles::service::delete_role(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.role,
                )
                .await
            })
        }),
        ("list groups", Permission::OrgRead, false, |f, c| {
            Box::pin(async move {
                app::areas::groups::service::groups(&f.state, &c)
                    .await
                    .map(|_| ())
            })
        }),
        ("create a group", Permission::GroupsManage, false, |f, c| {
            Box::pin(async move {
                app::areas::groups::service::create_group(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    "New group",
                )
                .await
                .map(|_| ())
            })
        }),
        ("rename a group", Permission::GroupsManage, true, |f, c| {
            Box::pin(async move {
                app::areas::groups::service::rename_group(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.group,
                    "Renamed",
                )
                .await
            })
        }),
        ("delete a group", Permission::GroupsManage, true, |f, c| {
            Box::pin(async move {
                app::areas::groups::service::delete_group(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.group,
                )
                .await
            })
        }),
        (
            "add a group member",
            Permission::GroupsManage,
            true,
            |f, c| {
                Box::pin(async move {
                    app::areas::groups::service::add_group_member(
                        &f.state,
                        &RequestCtx::default(),
                        &c,
                        f.group,
                        f.deactivated,
                    )
                    .await
                })
            },
        ),
        (
            "remove a group member",
            Permission::GroupsManage,
            true,
            |f, c| {
                Box::pin(async move {
                    app::areas::groups::service::remove_group_member(
                        &f.state,
                        &RequestCtx::default(),
                        &c,
                        f.group,
                        f.member,
                    )
                    .await
                })
            },
        ),
        ("set group roles", Permission::GroupsManage, true, |f, c| {
            Box::pin(async move {
                app::areas::groups::service::set_group_bindings(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.group,
                    vec![],
                )
                .await
            })
        }),
        ("list projects", Permission::OrgRead, false, |f, c| {
            Box::pin(async move {
                app::areas::projects::service::projects(&f.state, &c)
                    .await
                    .map(|_| ())
            })
        }),
        ("create a project", Permission::OrgManage, false, |f, c| {
            Box::pin(async move {
                app::areas::projects::service::create_project(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    "Gemini",
                    None,
                )
                .await
                .map(|_| ())
            })
        }),
        ("rename a project", Permission::OrgManage, true, |f, c| {
            Box::pin(async move {
                app::areas::projects::service::rename_project(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.project,
                    "Artemis",
                )
                .await
            })
        }),
        ("delete a project", Permission::OrgManage, true, |f, c| {
            Box::pin(async move {
                app::areas::projects::service::delete_project(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    f.project,
                )
                .await
            })
        }),
        (
            "change a project's owner",
            Permission::OrgManage,
            true,
            |f, c| {
                Box::pin(async move {
                    let me = match c.principal.actor() {
                        app::policy::Actor::User(u) => *u,
                        _ => unreachable!(),
                    };
                    app::areas::projects::service::change_project_owner(
                        &f.state,
                        &RequestCtx::default(),
                        &c,
                        f.project,
                        me,
                    )
                    .await
                })
            },
        ),
        (
            "list invitations",
            Permission::MembersRead,
            false,
            |f, c| {
                Box::pin(async move {
                    inv::list(&f.state, &c, Some(InvitationStatus::Pending), None, 50)
                        .await
                        .map(|_| ())
                })
            },
        ),
        ("invite", Permission::MembersInvite, false, |f, c| {
            Box::pin(async move {
                let invitation = InviteRequest {
                    email: format!("{}@example.com", uuid::Uuid::now_v7().simple()),
                    bindings: vec![org_wide(RoleId::Builtin(BuiltinRole::Viewer))],
                    groups: vec![],
                };
                inv::invite(&f.state, &RequestCtx::default(), &c, invitation)
                    .await
                    .map(|_| ())
            })
        }),
        (
            "resend an invitation",
            Permission::MembersInvite,
            true,
            |f, c| {
                Box::pin(async move {
                    inv::resend(&f.state, &RequestCtx::default(), &c, f.invitation).await
                })
            },
        ),
        (
            "withdraw an invitation",
            Permission::MembersInvite,
            true,
            |f, c| {
                Box::pin(async move {
                    inv::withdraw(&f.state, &RequestCtx::default(), &c, f.invitation).await
                })
            },
        ),
        ("read settings", Permission::OrgManage, false, |f, c| {
            Box::pin(async move {
                app::areas::organizations::service::settings(&f.state, &c)
                    .await
                    .map(|_| ())
            })
        }),
        ("change settings", Permission::OrgManage, false, |f, c| {
            Box::pin(async move {
                let settings = OrgSettings {
                    name: "Renamed".into(),
                    invitation_lifetime_hours: 24,
                    pending_invitation_limit: 10,
                    ..OrgSettings::defaults("")
                };
                app::areas::organizations::service::update_settings(
                    &f.state,
                    &RequestCtx::default(),
                    &c,
                    settings,
                )
                .await
                .map(|_| ())
            })
        }),
    ]
}

fn holds(who: Who, p: Permission) -> bool {
    match who {
        Who::Viewer => BuiltinRole::Viewer.permissions().contains(p),
        Who::Editor => BuiltinRole::Editor.permissions().contains(p),
        Who::Admin | Who::OtherOrgAdmin => true,
        Who::MemberManager => matches!(
            p,
            Permission::OrgRead | Permission::MembersRead | Permission::MembersManage
        ),
    }
}

/// What an operation gives the member beyond its own permission, which rule 3 asks the caller to
/// hold too: reactivating the deactivated Viewer gives back the Viewer's permissions.
fn grants_needed(operation: &str) -> PermissionSet {
    match operation {
        "reactivate" => BuiltinRole::Viewer.permissions(),
        _ => PermissionSet::EMPTY,
    }
}

async fn every_operation_answers_each_caller_as_the_rules_say(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let mut checked = 0;
    for (name, permission, names_an_id, op) in operations() {
        for who in EVERYONE {
            let f = fixture(&app.state).await;
            let c = f.callers.iter().find(|(w, _)| *w == who).unwrap().1.clone();
            let result = op(f.clone(), c).await;
            let allowed =
                holds(who, permission) && grants_needed(name).iter().all(|p| holds(who, p));
            match (who, names_an_id, allowed) {
                (Who::OtherOrgAdmin, true, _) => {
                    assert_eq!(
                        result,
                        Err(AppError::NotFound),
                        "{name} as {who:?}: another organization's id is unknown"
                    );
                }
                (_, _, true) => assert_eq!(result, Ok(()), "{name} as {who:?}"),
                (_, _, false) => assert!(
                    matches!(result, Err(AppError::Forbidden(_))),
                    "{name} as {who:?}: {result:?}"
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, operations().len() * EVERYONE.len());
}

async fn lists_never_show_another_organizations_data(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let f = fixture(&app.state).await;
    let other = &f
        .callers
        .iter()
        .find(|(w, _)| *w == Who::OtherOrgAdmin)
        .unwrap()
        .1;
    let members =
        app::areas::members::service::list_members(&f.state, other, &MemberQuery::active())
            .await
            .unwrap();
    assert_eq!(members.total, 1, "only their own Admin");
    assert!(members.items.iter().all(|m| m.user_id != f.member));
    assert!(
        app::areas::groups::service::groups(&f.state, other)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app::areas::projects::service::projects(&f.state, other)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app::areas::roles::service::roles(&f.state, other)
            .await
            .unwrap()
            .is_empty()
    );
    let invitations = inv::list(&f.state, other, None, None, 100).await.unwrap();
    assert_eq!(invitations.total, 0);
    assert!(invitations.items.is_empty());
}

async fn nobody_grants_more_than_they_hold(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let f = fixture(&app.state).await;
    let manager = &f
        .callers
        .iter()
        .find(|(w, _)| *w == Who::MemberManager)
        .unwrap()
        .1;
    let ctx = RequestCtx::default();
    // A member manager may manage members but not hand out Admin, Viewer (resources.read) …
    for role in [BuiltinRole::Admin, BuiltinRole::Viewer] {
        let r = app::areas::members::service::update_member(
            &f.state,
            &ctx,
            manager,
            f.member,
            vec![org_wide(RoleId::Builtin(role))],
            vec![],
        )
        .await;
        assert!(
            matches!(&r, Err(AppError::Forbidden(m)) if m.contains("cannot grant")),
            "{role:?}: {r:?}"
        );
    }
    // … nor put someone in a group whose roles they lack.
    let admins = GroupId::new();
    f.state
        .store
        .create_group(
            &f.org.unchecked(),
            admins,
            "Admins",
            fixture_event(f.org.id),
        )
        .await
        .unwrap();
    f.state
        .store
        .set_group_bindings(
            &f.org.unchecked(),
            admins,
            &[org_wide(RoleId::Builtin(BuiltinRole::Admin))],
            fixture_event(f.org.id),
        )
        .await
        .unwrap();
    let r = app::areas::members::service::update_member(
        &f.state,
        &ctx,
        manager,
        f.member,
        vec![],
        vec![admins],
    )
    .await;
    assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    // Their own roles are fine.
    app::areas::members::service::update_member(
        &f.state,
        &ctx,
        manager,
        f.member,
        vec![org_wide(RoleId::Custom(f.reader_role))],
        vec![],
    )
    .await
    .unwrap();
    // An Admin cannot create a role with more than they hold either: checked against a
    // project-only Admin, who holds everything at the project but not at the organization.
    let proj_admin = f
        .org
        .with_member_bound(&[
            Binding {
                role: RoleId::Builtin(BuiltinRole::Admin),
                project: Some(f.project),
            },
            org_wide(RoleId::Builtin(BuiltinRole::Viewer)),
        ])
        .await;
    let r = app::areas::members::service::update_member(
        &f.state,
        &ctx,
        &proj_admin.caller,
        f.member,
        vec![Binding {
            role: RoleId::Builtin(BuiltinRole::Editor),
            project: Some(f.project),
        }],
        vec![],
    )
    .await;
    assert!(
        matches!(r, Err(AppError::Forbidden(_))),
        "members.manage is needed at organization scope: {r:?}"
    );
    // Nothing above changed the member beyond the one allowed edit.
    let m = app::areas::members::service::member(&f.state, &f.callers[2].1, f.member)
        .await
        .unwrap();
    assert_eq!(
        m.roles
            .iter()
            .filter(|r| r.via_group.is_none())
            .map(|r| r.role_name.as_str())
            .collect::<Vec<_>>(),
        ["Reader"]
    );
}

async fn signed_out_callers_reach_nothing(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let f = fixture(&app.state).await;
    let r =
        app::areas::organizations::service::org_context(&f.state, &RequestCtx::default(), "acme")
            .await;
    assert!(matches!(r, Err(AppError::Unauthorized(_))), "{r:?}");
    let forged = RequestCtx {
        session_secret: Some("not-a-session".into()),
        ..Default::default()
    };
    assert!(matches!(
        app::areas::organizations::service::org_context(&f.state, &forged, "acme").await,
        Err(AppError::Unauthorized(_))
    ));
}

/// Reactivating gives a member's access back, so it is a grant (rule 3): a member manager
/// without Admin cannot bring back a deactivated Admin, nor one whose power comes from a group.
async fn reactivation_gives_back_only_what_the_caller_holds(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let f = fixture(&app.state).await;
    let ctx = RequestCtx::default();
    let find = |who| f.callers.iter().find(|(w, _)| *w == who).unwrap().1.clone();
    let (manager, admin) = (find(Who::MemberManager), find(Who::Admin));
    let second_admin = f.org.with_member(BuiltinRole::Admin).await.id;
    // Admin only through a group.
    let admins = GroupId::new();
    f.state
        .store
        .create_group(
            &f.org.unchecked(),
            admins,
            "Admins",
            fixture_event(f.org.id),
        )
        .await
        .unwrap();
    f.state
        .store
        .set_group_bindings(
            &f.org.unchecked(),
            admins,
            &[org_wide(RoleId::Builtin(BuiltinRole::Admin))],
            fixture_event(f.org.id),
        )
        .await
        .unwrap();
    let group_admin = f
        .org
        .with_member_bound(&[org_wide(RoleId::Custom(f.reader_role))])
        .await
        .id;
    f.state
        .store
        .set_group_members(
            &f.org.unchecked(),
            admins,
            &[group_admin],
            fixture_event(f.org.id),
        )
        .await
        .unwrap();
    // A member who reads only (what the manager holds too).
    let reader = f
        .org
        .with_member_bound(&[org_wide(RoleId::Custom(f.reader_role))])
        .await
        .id;
    for u in [second_admin, group_admin, reader] {
        app::areas::members::service::set_member_active(&f.state, &ctx, &admin, u, false)
            .await
            .unwrap();
    }
    for u in [second_admin, group_admin] {
        let r = app::areas::members::service::set_member_active(&f.state, &ctx, &manager, u, true)
            .await;
        assert!(
            matches!(&r, Err(AppError::Forbidden(m)) if m.contains("cannot grant")),
            "{r:?}"
        );
        let status = f.state.store.member_status(f.org.id, u).await.unwrap();
        assert_eq!(
            status,
            Some(MembershipStatus::Deactivated),
            "nothing changed"
        );
    }
    // An organization token holding exactly the member manager's permissions fares the same.
    let manager_token = Caller {
        principal: app::policy::Principal::organization_token(
            app::core::ids::TokenId::new(),
            f.org.id,
            manager
                .principal
                .permissions_at(app::policy::Scope::Organization),
        ),
        label: "token “member managers”".into(),
    };
    for u in [second_admin, group_admin] {
        let r = app::areas::members::service::set_member_active(
            &f.state,
            &ctx,
            &manager_token,
            u,
            true,
        )
        .await;
        assert!(matches!(&r, Err(AppError::Forbidden(_))), "{r:?}");
    }
    app::areas::members::service::set_member_active(&f.state, &ctx, &manager, reader, true)
        .await
        .unwrap();
    for u in [second_admin, group_admin] {
        app::areas::members::service::set_member_active(&f.state, &ctx, &admin, u, true)
            .await
            .unwrap();
    }
}

on_both_databases!(
    reactivation_gives_back_only_what_the_caller_holds,
    every_operation_answers_each_caller_as_the_rules_say,
    lists_never_show_another_organizations_data,
    nobody_grants_more_than_they_hold,
    signed_out_callers_reach_nothing,
);
