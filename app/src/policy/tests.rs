//! Table tests for rules 1–3: every permission × built-in role × scope.

use uuid::Uuid;

use crate::policy::*;

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
                    assert_eq!(a.actor(), &Actor::User(ALICE));
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

// ---- existing tokens: see, regenerate, revoke ------------------------------------------------

mod token_actions {
    use super::*;
    use crate::core::kinds::TokenKind;

    const BOB: UserId = UserId(Uuid::from_u128(21));
    const OTHER_TOKEN: TokenId = TokenId(Uuid::from_u128(31));

    fn org_wide(perms: PermissionSet) -> Vec<ResolvedBinding> {
        vec![ResolvedBinding {
            permissions: perms,
            project: None,
        }]
    }

    fn token_manager() -> PermissionSet {
        PermissionSet::of(&[
            Permission::OrgRead,
            Permission::MembersRead,
            Permission::TokensManage,
        ])
    }

    /// Every kind of caller, named.
    fn callers() -> Vec<(&'static str, Principal)> {
        let active = MembershipStatus::Active;
        let admin = BuiltinRole::Admin.permissions();
        let editor = BuiltinRole::Editor.permissions();
        vec![
            (
                "Alice, Admin",
                Principal::member(ALICE, ORG, active, org_wide(admin)),
            ),
            (
                "Alice, Editor",
                Principal::member(ALICE, ORG, active, org_wide(editor)),
            ),
            (
                "Alice, deactivated Admin",
                Principal::member(ALICE, ORG, MembershipStatus::Deactivated, org_wide(admin)),
            ),
            (
                "Alice, token manager",
                Principal::member(ALICE, ORG, active, org_wide(token_manager())),
            ),
            (
                "Alice's Editor token, Alice Admin",
                Principal::user_token(TOKEN, ALICE, ORG, editor, active, org_wide(admin)),
            ),
            (
                "Editor org token",
                Principal::organization_token(TOKEN, ORG, editor),
            ),
            (
                "Admin org token",
                Principal::organization_token(TOKEN, ORG, admin),
            ),
            (
                "token-manager org token",
                Principal::organization_token(TOKEN, ORG, token_manager()),
            ),
        ]
    }

    fn targets() -> Vec<(&'static str, TokenFacts)> {
        let admin = BuiltinRole::Admin.permissions();
        let viewer = BuiltinRole::Viewer.permissions();
        vec![
            (
                "Alice's Admin user token",
                TokenFacts {
                    kind: TokenKind::User,
                    owner: Some(ALICE),
                    role: admin,
                },
            ),
            (
                "Alice's Viewer user token",
                TokenFacts {
                    kind: TokenKind::User,
                    owner: Some(ALICE),
                    role: viewer,
                },
            ),
            (
                "Bob's Viewer user token",
                TokenFacts {
                    kind: TokenKind::User,
                    owner: Some(BOB),
                    role: viewer,
                },
            ),
            (
                "Admin org token",
                TokenFacts {
                    kind: TokenKind::Organization,
                    owner: None,
                    role: admin,
                },
            ),
            (
                "Viewer org token",
                TokenFacts {
                    kind: TokenKind::Organization,
                    owner: None,
                    role: viewer,
                },
            ),
        ]
    }

    #[derive(Debug, PartialEq, Eq)]
    enum Answer {
        Ok,
        NotFound,
        Forbidden,
    }

    fn answer(r: Result<Authorized, AppError>) -> Answer {
        match r {
            Ok(_) => Answer::Ok,
            Err(AppError::NotFound) => Answer::NotFound,
            Err(AppError::Forbidden(_)) => Answer::Forbidden,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    /// The table SPEC §2 gives, row by row: (caller, target, regenerate, revoke).
    #[test]
    fn regenerate_and_revoke_answer_every_caller_as_the_rules_say() {
        use Answer::*;
        let want: &[(&str, &str, Answer, Answer)] = &[
            // An Admin: revokes anything; regenerates their own and organization tokens, never
            // another person's user token.
            ("Alice, Admin", "Alice's Admin user token", Ok, Ok),
            ("Alice, Admin", "Alice's Viewer user token", Ok, Ok),
            ("Alice, Admin", "Bob's Viewer user token", Forbidden, Ok),
            ("Alice, Admin", "Admin org token", Ok, Ok),
            ("Alice, Admin", "Viewer org token", Ok, Ok),
            // An Editor (tokens.create): only their own, and only within their role.
            ("Alice, Editor", "Alice's Admin user token", Forbidden, Ok),
            ("Alice, Editor", "Alice's Viewer user token", Ok, Ok),
            (
                "Alice, Editor",
                "Bob's Viewer user token",
                NotFound,
                NotFound,
            ),
            ("Alice, Editor", "Admin org token", NotFound, NotFound),
            ("Alice, Editor", "Viewer org token", NotFound, NotFound),
            // Deactivated: no permission at all.
            (
                "Alice, deactivated Admin",
                "Alice's Admin user token",
                Forbidden,
                Forbidden,
            ),
            (
                "Alice, deactivated Admin",
                "Admin org token",
                Forbidden,
                Forbidden,
            ),
            // tokens.manage sees and revokes everyone's; regenerates only what it could create.
            (
                "Alice, token manager",
                "Alice's Admin user token",
                Forbidden,
                Ok,
            ),
            (
                "Alice, token manager",
                "Bob's Viewer user token",
                Forbidden,
                Ok,
            ),
            ("Alice, token manager", "Admin org token", Forbidden, Ok),
            ("Alice, token manager", "Viewer org token", Forbidden, Ok),
            // A user token acts for its owner, within its own role.
            (
                "Alice's Editor token, Alice Admin",
                "Alice's Admin user token",
                Forbidden,
                Ok,
            ),
            (
                "Alice's Editor token, Alice Admin",
                "Alice's Viewer user token",
                Ok,
                Ok,
            ),
            (
                "Alice's Editor token, Alice Admin",
                "Bob's Viewer user token",
                NotFound,
                NotFound,
            ),
            (
                "Alice's Editor token, Alice Admin",
                "Admin org token",
                NotFound,
                NotFound,
            ),
            // An organization token owns nothing: with tokens.create alone it sees no token.
            (
                "Editor org token",
                "Alice's Admin user token",
                NotFound,
                NotFound,
            ),
            ("Editor org token", "Admin org token", NotFound, NotFound),
            ("Editor org token", "Viewer org token", NotFound, NotFound),
            ("Admin org token", "Alice's Admin user token", Forbidden, Ok),
            ("Admin org token", "Admin org token", Ok, Ok),
            ("token-manager org token", "Admin org token", Forbidden, Ok),
            (
                "token-manager org token",
                "Bob's Viewer user token",
                Forbidden,
                Ok,
            ),
        ];
        let callers = callers();
        let targets = targets();
        for (who, target, regenerate, revoke) in want {
            let p = &callers.iter().find(|(n, _)| n == who).expect(who).1;
            let t = &targets.iter().find(|(n, _)| n == target).expect(target).1;
            assert_eq!(
                &answer(require_token_action(p, t, TokenAction::Regenerate)),
                regenerate,
                "{who} regenerates {target}"
            );
            assert_eq!(
                &answer(require_token_action(p, t, TokenAction::Revoke)),
                revoke,
                "{who} revokes {target}"
            );
        }
    }

    #[test]
    fn an_organization_token_owns_nothing() {
        let org_token =
            Principal::organization_token(OTHER_TOKEN, ORG, BuiltinRole::Admin.permissions());
        assert_eq!(org_token.acting_user(), None);
        for (name, t) in targets() {
            assert!(!owns_token(&org_token, &t), "{name}");
        }
        let unowned = TokenFacts {
            kind: TokenKind::User,
            owner: None,
            role: PermissionSet::EMPTY,
        };
        assert!(
            !owns_token(&org_token, &unowned),
            "None is nobody's, not everybody's"
        );
    }
}
