//! Members, roles, groups and projects at the store: the same tests on SQLite and PostgreSQL,
//! including rule 4 under 50 racing requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::TestDb;
use app::{
    areas::{
        accounts::types::OrgSummary,
        audit::event::{AuditActor, AuditEvent, AuditTarget},
        members::types::MemberRow,
        organizations::types::OrgSettings,
        roles::types::CustomRole,
    },
    core::{
        ids::{CustomRoleId, GroupId, OrgId, ProjectId, TokenId, UserId},
        kinds::{MembershipStatus, TokenKind},
        validate::OrgSlug,
    },
    policy::{
        Authorized, Binding, BuiltinRole, Permission, PermissionSet, RoleId, Scope,
        effective_permissions, unchecked_authorized,
    },
    server::{
        RequestCtx,
        store::{
            MemberFilter, MemberSearch, MemberUser, NewOrganization, NewToken, NewUser, Store,
            StoreError,
        },
    },
};
use std::sync::Arc;

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

    /// What a test of the store itself passes where the services pass a checked authorization.
    fn unchecked(&self) -> Authorized {
        unchecked_authorized(self.id())
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

    /// Every member in `status`, read page by page in name order.
    async fn all_members(&self, status: MembershipStatus) -> Vec<MemberRow> {
        let mut all = Vec::new();
        let mut f = MemberFilter::all(status);
        loop {
            let page = self.store.list_members(self.id(), &f).await.unwrap();
            all.extend(page.rows);
            match page.next {
                Some(next) => f.after = Some(next),
                None => return all,
            }
        }
    }

    async fn group(&self, name: &str, bindings: &[Binding], members: &[UserId]) -> GroupId {
        let id = GroupId::new();
        self.store
            .create_group(&self.unchecked(), id, name, ev(self.id(), "group.created"))
            .await
            .unwrap();
        self.store
            .set_group_bindings(
                &self.unchecked(),
                id,
                bindings,
                ev(self.id(), "group.bindings_changed"),
            )
            .await
            .unwrap();
        self.store
            .set_group_members(
                &self.unchecked(),
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

async fn futures_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

// ---- list lookups and per-organization limits ---------------------------------------------

mod admins;
mod catalogue;
mod filters;
mod lifecycle;
mod limits;
mod listing;
mod references;
mod search;
