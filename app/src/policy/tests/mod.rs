//! Table tests for rules 1–3: every permission × built-in role × scope.

use crate::policy::*;
use uuid::Uuid;

const P1: ProjectId = ProjectId(Uuid::from_u128(1));
const P2: ProjectId = ProjectId(Uuid::from_u128(2));
const ORG: OrgId = OrgId(Uuid::from_u128(10));
const ALICE: UserId = UserId(Uuid::from_u128(20));
const TOKEN: TokenId = TokenId(Uuid::from_u128(30));

fn bound(role: BuiltinRole, project: Option<ProjectId>) -> ResolvedBinding {
    ResolvedBinding {
        permissions: role.permissions(),
        project,
    }
}

const SCOPES: [Scope; 3] = [Scope::Organization, Scope::Project(P1), Scope::Project(P2)];

#[test]
fn rule1_org_scope_binding_applies_everywhere_in_the_org() {
    for role in BuiltinRole::ALL {
        for scope in SCOPES {
            let perms =
                effective_permissions(MembershipStatus::Active, &[bound(role, None)], scope);
            for p in Permission::ALL {
                assert_eq!(
                    perms.contains(p),
                    role.permissions().contains(p),
                    "{role:?} bound at org, asking {p} at {scope:?}"
                );
            }
        }
    }
}

#[test]
fn rule1_project_binding_applies_only_at_that_project() {
    for role in BuiltinRole::ALL {
        let bindings = [bound(role, Some(P1))];
        for scope in SCOPES {
            let perms = effective_permissions(MembershipStatus::Active, &bindings, scope);
            for p in Permission::ALL {
                let expected = scope == Scope::Project(P1) && role.permissions().contains(p);
                assert_eq!(
                    perms.contains(p),
                    expected,
                    "{role:?} bound at P1, asking {p} at {scope:?}"
                );
            }
        }
    }
}

#[test]
fn rule1_is_the_union_of_direct_and_group_bindings() {
    // Viewer directly at org, Editor through a group at P1, a custom role through another group.
    let custom = PermissionSet::of(&[Permission::AuditRead]);
    let bindings = [
        bound(BuiltinRole::Viewer, None),
        bound(BuiltinRole::Editor, Some(P1)),
        ResolvedBinding {
            permissions: custom,
            project: None,
        },
    ];
    for scope in SCOPES {
        let perms = effective_permissions(MembershipStatus::Active, &bindings, scope);
        let mut expected = BuiltinRole::Viewer.permissions().union(custom);
        if scope == Scope::Project(P1) {
            expected = expected.union(BuiltinRole::Editor.permissions());
        }
        assert_eq!(perms, expected, "at {scope:?}");
    }
}

#[test]
fn rule1_only_an_active_membership_has_any_permission() {
    for status in [MembershipStatus::Deactivated, MembershipStatus::Archived] {
        for role in BuiltinRole::ALL {
            for scope in SCOPES {
                let perms = effective_permissions(
                    status,
                    &[bound(role, None), bound(role, Some(P1))],
                    scope,
                );
                assert!(
                    perms.is_empty(),
                    "{status:?} {role:?} at {scope:?} has {perms:?}"
                );
            }
        }
    }
    assert!(effective_permissions(MembershipStatus::Active, &[], Scope::Organization).is_empty());
}

#[test]
fn rule2_user_token_is_its_role_intersected_with_the_owner_now() {
    for token_role in BuiltinRole::ALL {
        for owner_role in BuiltinRole::ALL {
            let p = Principal::user_token(
                TOKEN,
                ALICE,
                ORG,
                token_role.permissions(),
                MembershipStatus::Active,
                vec![bound(owner_role, None)],
            );
            for scope in SCOPES {
                for perm in Permission::ALL {
                    let expected = token_role.permissions().contains(perm)
                        && owner_role.permissions().contains(perm);
                    assert_eq!(
                        p.can(perm, scope),
                        expected,
                        "{token_role:?} token of a {owner_role:?} owner, {perm} at {scope:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn rule2_demoting_or_deactivating_the_owner_shrinks_the_token() {
    let admin_token = |owner_status, owner_role: BuiltinRole| {
        Principal::user_token(
            TOKEN,
            ALICE,
            ORG,
            BuiltinRole::Admin.permissions(),
            owner_status,
            vec![bound(owner_role, None)],
        )
    };
    let before = admin_token(MembershipStatus::Active, BuiltinRole::Admin);
    assert!(before.can(Permission::MembersManage, Scope::Organization));
    let demoted = admin_token(MembershipStatus::Active, BuiltinRole::Viewer);
    assert_eq!(
        demoted.permissions_at(Scope::Organization),
        BuiltinRole::Viewer.permissions()
    );
    for status in [MembershipStatus::Deactivated, MembershipStatus::Archived] {
        assert!(
            admin_token(status, BuiltinRole::Admin)
                .permissions_at(Scope::Organization)
                .is_empty()
        );
    }
}

#[test]
fn rule2_user_token_follows_owner_project_bindings() {
    // An owner who is Viewer in the org and Admin at P1: an Admin token is Admin at P1 only.
    let p = Principal::user_token(
        TOKEN,
        ALICE,
        ORG,
        BuiltinRole::Admin.permissions(),
        MembershipStatus::Active,
        vec![
            bound(BuiltinRole::Viewer, None),
            bound(BuiltinRole::Admin, Some(P1)),
        ],
    );
    assert!(p.can(Permission::MembersManage, Scope::Project(P1)));
    assert!(!p.can(Permission::MembersManage, Scope::Project(P2)));
    assert!(!p.can(Permission::MembersManage, Scope::Organization));
}

#[test]
fn rule2_organization_token_has_exactly_its_role() {
    for role in BuiltinRole::ALL {
        let p = Principal::organization_token(TOKEN, ORG, role.permissions());
        for scope in SCOPES {
            assert_eq!(
                p.permissions_at(scope),
                role.permissions(),
                "{role:?} at {scope:?}"
            );
        }
    }
}

#[test]
fn rule3_grant_allowed_exactly_when_granter_holds_every_granted_permission() {
    for granter in BuiltinRole::ALL {
        for granted in BuiltinRole::ALL {
            let result = check_grant(granter.permissions(), granted.permissions());
            let allowed = granter.permissions().is_superset_of(granted.permissions());
            assert_eq!(result.is_ok(), allowed, "{granter:?} granting {granted:?}");
        }
    }
    // Built-ins are ordered: each may grant itself and below, never above.
    assert!(
        check_grant(
            BuiltinRole::Editor.permissions(),
            BuiltinRole::Viewer.permissions()
        )
        .is_ok()
    );
    assert!(
        check_grant(
            BuiltinRole::Editor.permissions(),
            BuiltinRole::Admin.permissions()
        )
        .is_err()
    );
    assert!(
        check_grant(
            BuiltinRole::Viewer.permissions(),
            BuiltinRole::Editor.permissions()
        )
        .is_err()
    );
}

#[test]
fn rule3_each_single_permission_is_checked() {
    // A granter holding everything but one permission cannot grant a role with that one.
    for missing in Permission::ALL {
        let granter: PermissionSet = Permission::ALL
            .into_iter()
            .filter(|p| *p != missing)
            .collect();
        let err = check_grant(granter, PermissionSet::of(&[missing])).expect_err("escalation");
        assert!(err.to_string().contains(missing.as_str()), "{err}");
        assert!(check_grant(granter, granter).is_ok());
    }
}

#[test]
fn rule3_applies_at_the_scope_of_the_grant() {
    // Admin at P1 only: may grant Admin at P1, not at the organization or at P2.
    let granter = Principal::member(
        ALICE,
        ORG,
        MembershipStatus::Active,
        vec![bound(BuiltinRole::Admin, Some(P1))],
    );
    let admin = BuiltinRole::Admin.permissions();
    assert!(check_grant(granter.permissions_at(Scope::Project(P1)), admin).is_ok());
    assert!(check_grant(granter.permissions_at(Scope::Project(P2)), admin).is_err());
    assert!(check_grant(granter.permissions_at(Scope::Organization), admin).is_err());
}

#[test]
fn require_checks_permission_and_carries_the_org() {
    for role in BuiltinRole::ALL {
        let p = Principal::member(
            ALICE,
            ORG,
            MembershipStatus::Active,
            vec![bound(role, None)],
        );
        for perm in Permission::ALL {
            let r = require(&p, perm, Scope::Organization);
            assert_eq!(
                r.is_ok(),
                role.permissions().contains(perm),
                "{role:?} {perm}"
            );
            match r {
                Ok(a) => {
                    assert_eq!(a.org(), ORG);
                    assert_eq!(a.actor(), Some(&Actor::User(ALICE)));
                }
                Err(e) => assert!(matches!(e, AppError::Forbidden(_))),
            }
        }
    }
    let deactivated = Principal::member(
        ALICE,
        ORG,
        MembershipStatus::Deactivated,
        vec![bound(BuiltinRole::Admin, None)],
    );
    assert!(require(&deactivated, Permission::OrgRead, Scope::Organization).is_err());
}

#[test]
fn only_the_whole_catalogue_is_a_full_admin() {
    assert!(is_full_admin(BuiltinRole::Admin.permissions()));
    assert!(!is_full_admin(BuiltinRole::Editor.permissions()));
    for missing in Permission::ALL {
        let almost: PermissionSet = Permission::ALL
            .into_iter()
            .filter(|p| *p != missing)
            .collect();
        assert!(!is_full_admin(almost), "missing {missing}");
    }
}

/// Leaving needs no permission but a signed-in person: no token leaves for anyone, and the
/// proof it gives is for the person's own organization.
#[test]
fn only_a_signed_in_person_may_leave() {
    let org = OrgId(Uuid::from_u128(1));
    let token = TokenId(Uuid::from_u128(30));
    let person = Principal::member(ALICE, org, MembershipStatus::Active, Vec::new());
    let (auth, who) = may_leave(&person).expect("a person may leave");
    assert_eq!((auth.org(), who), (org, ALICE));
    assert_eq!(auth.actor(), Some(&Actor::User(ALICE)));
    let users_token = Principal::user_token(
        token,
        ALICE,
        org,
        BuiltinRole::Admin.permissions(),
        MembershipStatus::Active,
        Vec::new(),
    );
    assert!(matches!(
        may_leave(&users_token),
        Err(AppError::Forbidden(_))
    ));
    let org_token = Principal::organization_token(token, org, BuiltinRole::Admin.permissions());
    assert!(matches!(may_leave(&org_token), Err(AppError::Forbidden(_))));
    assert_eq!(unchecked_authorized(org).actor(), None);
}

mod token_actions;
