//! Existing tokens: who may see, regenerate and revoke which, for every kind of caller.

use crate::{core::kinds::TokenKind, policy::tests::*};

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
