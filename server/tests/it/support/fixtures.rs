//! Who a test needs, built in one chain: an organization with its Admin, members holding given
//! roles, and their tokens — written straight to the store, so a test starts where its subject
//! begins.
//!
//! ```ignore
//! let app = TestApp::new(&db, false).await;
//! let acme = app.org("Acme").await;                       // and its Admin: acme.admin
//! let ed = acme.with_member(BuiltinRole::Editor).await;   // ed.id, ed.caller
//! let tok = ed.with_token(TokenKind::Organization, BuiltinRole::Editor).await;  // tok.secret
//! ```
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::{fixture_event, harness::START, harness::TestApp};
use app::{
    areas::tokens::service::TokenRequest,
    core::{
        ids::{OrgId, UserId},
        kinds::TokenKind,
        validate::OrgSlug,
    },
    policy::{Authorized, Binding, BuiltinRole, Principal, RoleId, unchecked_authorized},
    server::{
        AppState, RequestCtx,
        caller::Caller,
        store::{MemberUser, NewOrganization, NewUser},
    },
};

/// An organization and its first Admin.
pub struct TestOrg {
    pub id: OrgId,
    pub slug: String,
    pub admin: TestMember,
    state: AppState,
}

/// A member of one organization, and that member as a caller of the services (their access as
/// it was when they were added: `caller_now` reads it again).
#[derive(Clone)]
pub struct TestMember {
    pub id: UserId,
    pub org: OrgId,
    pub email: String,
    pub caller: Caller,
    state: AppState,
}

/// An access token: its id and the secret shown once.
pub struct TestToken {
    pub id: String,
    pub secret: String,
}

impl TestApp {
    /// A new organization named `name` with its Admin.
    pub async fn org(&self, name: &str) -> TestOrg {
        TestOrg::new(&self.state, name).await
    }
}

impl TestOrg {
    /// A new organization named `name` with its Admin, where a test has only the state.
    pub async fn new(state: &AppState, name: &str) -> TestOrg {
        let id = OrgId::new();
        let admin = UserId::new();
        let email = format!("admin-{}@example.com", id.0.simple());
        let slug = OrgSlug::from_name(name).unwrap();
        state
            .store
            .create_organization(
                NewOrganization {
                    id,
                    name: name.into(),
                    slug: slug.clone(),
                    admin: NewUser {
                        id: admin,
                        email: email.clone(),
                        name: format!("{name} Admin"),
                        password_hash: "x".into(),
                    },
                    only_if_first: false,
                    now: START,
                },
                fixture_event(id),
            )
            .await
            .unwrap();
        TestOrg {
            id,
            slug: slug.as_str().to_string(),
            admin: TestMember::of(state, id, admin, email).await,
            state: state.clone(),
        }
    }

    /// A new member holding `role` across the organization.
    pub async fn with_member(&self, role: BuiltinRole) -> TestMember {
        self.with_member_bound(&[org_wide(RoleId::Builtin(role))])
            .await
    }

    /// A new member with exactly these role bindings.
    pub async fn with_member_bound(&self, bindings: &[Binding]) -> TestMember {
        let id = UserId::new();
        self.add(id, &format!("{}@example.com", id.0.simple()), bindings)
            .await
    }

    /// A new member with this email, holding `role` across the organization.
    pub async fn with_member_email(&self, email: &str, role: RoleId) -> TestMember {
        self.add(UserId::new(), email, &[org_wide(role)]).await
    }

    /// A member of another organization joins this one with these bindings.
    pub async fn with_existing(&self, person: &TestMember, bindings: &[Binding]) -> TestMember {
        self.state
            .store
            .add_member(
                self.id,
                MemberUser::Existing(person.id),
                bindings,
                &[],
                fixture_event(self.id),
            )
            .await
            .unwrap();
        TestMember::of(&self.state, self.id, person.id, person.email.clone()).await
    }

    /// What a test of the store itself passes where the services pass a checked authorization.
    pub fn unchecked(&self) -> Authorized {
        unchecked_authorized(self.id)
    }

    async fn add(&self, id: UserId, email: &str, bindings: &[Binding]) -> TestMember {
        self.state
            .store
            .add_member(
                self.id,
                MemberUser::New(NewUser {
                    id,
                    email: email.into(),
                    name: format!("Member {}", &id.0.simple().to_string()[..8]),
                    password_hash: "x".into(),
                }),
                bindings,
                &[],
                fixture_event(self.id),
            )
            .await
            .unwrap();
        TestMember::of(&self.state, self.id, id, email.into()).await
    }
}

impl TestMember {
    async fn of(state: &AppState, org: OrgId, id: UserId, email: String) -> TestMember {
        TestMember {
            id,
            org,
            email,
            caller: caller_of(state, org, id).await,
            state: state.clone(),
        }
    }

    /// The member as a caller with their access as it is now (after a change to it).
    pub async fn caller_now(&self) -> Caller {
        caller_of(&self.state, self.org, self.id).await
    }

    /// A token this member creates through the service, for `role`, that never expires.
    pub async fn with_token(&self, kind: TokenKind, role: BuiltinRole) -> TestToken {
        self.with_token_for(kind, role, None).await
    }

    /// A token this member creates through the service, expiring in `days` when given.
    pub async fn with_token_for(
        &self,
        kind: TokenKind,
        role: BuiltinRole,
        days: Option<u32>,
    ) -> TestToken {
        let (t, secret) = app::areas::tokens::service::create(
            &self.state,
            &RequestCtx::default(),
            &self.caller,
            TokenRequest {
                name: format!("{kind:?} {role:?}"),
                kind,
                role: RoleId::Builtin(role),
                expires_in_days: days,
            },
        )
        .await
        .unwrap();
        TestToken {
            id: t.id.to_string(),
            secret: secret.expose().to_string(),
        }
    }
}

/// A member of `org` as a caller of the services, with their access as it is now.
pub async fn caller_of(state: &AppState, org: OrgId, user: UserId) -> Caller {
    let a = state.store.member_access(org, user).await.unwrap().unwrap();
    Caller {
        principal: Principal::member(user, org, a.status, a.bindings),
        label: user.to_string(),
    }
}

/// A role held across the whole organization.
pub fn org_wide(role: RoleId) -> Binding {
    Binding {
        role,
        project: None,
    }
}
