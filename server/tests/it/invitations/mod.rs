//! Invitations end to end below the browser: invite, mail, accept (new and existing users),
//! resend, withdraw, expiry, bulk, the pending cap and single use under 50-way races, and the
//! outbox's retries — the same tests on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{TestDb, caller_of, fixture_event, harness::TestApp};
use app::{
    areas::{
        accounts::{service::NewOrganizationInput, types::OrgSummary},
        invitations::{
            service as inv,
            types::{BulkOutcome, InvitationStatus, InviteLink, InviteRequest},
        },
        members::types::MemberQuery,
        organizations::types::OrgSettings,
    },
    core::{
        ids::{InvitationId, OrgId, UserId},
        kinds::MembershipStatus,
    },
    error::AppError,
    policy::{Binding, BuiltinRole, Permission, RoleId},
    server::{
        RequestCtx,
        caller::Caller,
        mail::Mailer,
        secrets as random,
        store::{Acceptor, NewInvitation, NewUser, OutgoingMail, Store, StoreError},
    },
};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};

const PASSWORD: &str = "correct horse battery";

/// Collects what the outbox delivers.
#[derive(Default)]
struct Recorder(Mutex<Vec<OutgoingMail>>);

#[async_trait]
impl Mailer for Recorder {
    async fn deliver(&self, mail: &OutgoingMail) -> Result<(), String> {
        self.0.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

/// Fails every delivery.
struct Refuser;

#[async_trait]
impl Mailer for Refuser {
    async fn deliver(&self, _: &OutgoingMail) -> Result<(), String> {
        Err("connection refused".into())
    }
}

/// Runs one round of the outbox and returns what it delivered.
async fn deliver(app: &TestApp) -> Vec<OutgoingMail> {
    let r = Recorder::default();
    gatehouse::mail::deliver_due(&*app.state.store, &r, &app.clock).await;
    r.0.into_inner().unwrap()
}

fn token(mail: &OutgoingMail) -> String {
    let link = mail.link.as_deref().expect("an invitation has a link");
    assert!(link.starts_with("http://gatehouse.test/invite/"), "{link}");
    link.rsplit('/').next().unwrap().to_string()
}

fn ctx() -> RequestCtx {
    RequestCtx {
        client_addr: Some("192.0.2.1".into()),
        ..RequestCtx::default()
    }
}

fn with_session(secret: &str) -> RequestCtx {
    RequestCtx {
        session_secret: Some(secret.into()),
        ..ctx()
    }
}

fn role(b: BuiltinRole) -> Binding {
    Binding {
        role: RoleId::Builtin(b),
        project: None,
    }
}

/// An organization with a real Admin (who can sign in), and that Admin as a caller.
async fn org(app: &TestApp, name: &str, admin_email: &str) -> (OrgSummary, Caller) {
    let created = app::areas::accounts::service::create_organization(
        &app.state,
        &ctx(),
        NewOrganizationInput {
            org_name: name,
            name: &format!("{name} Admin"),
            email: admin_email,
            password: PASSWORD,
        },
        None,
        false,
    )
    .await
    .unwrap();
    let c = caller_of(&app.state, created.org.id, created.admin).await;
    (created.org, c)
}

/// Sets the organization's invitation lifetime and pending limit (name "Acme").
async fn set_limits(app: &TestApp, admin: &Caller, lifetime_hours: u32, pending_limit: u32) {
    app::areas::organizations::service::update_settings(
        &app.state,
        &ctx(),
        admin,
        OrgSettings {
            name: "Acme".into(),
            invitation_lifetime_hours: lifetime_hours,
            pending_invitation_limit: pending_limit,
            ..OrgSettings::defaults("")
        },
    )
    .await
    .unwrap();
}

fn request(email: &str, bindings: Vec<Binding>) -> InviteRequest {
    InviteRequest {
        email: email.into(),
        bindings,
        groups: vec![],
    }
}

fn is_conflict(e: &AppError, want: &str) -> bool {
    matches!(e, AppError::Conflict { code, .. } if code == want)
}

async fn actions(app: &TestApp, org: OrgId) -> Vec<String> {
    app.state
        .store
        .audit_events(Some(org), 200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn listed(app: &TestApp, c: &Caller, status: InvitationStatus) -> Vec<String> {
    inv::list(&app.state, c, Some(status), None, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.email)
        .collect()
}

/// An invitation straight into the store, with a known link secret.
async fn stored_invitation(
    store: &Arc<dyn Store>,
    org: OrgId,
    email: &str,
    secret: &str,
    now: i64,
) -> Result<(), StoreError> {
    store
        .create_invitation(
            NewInvitation {
                id: InvitationId::new(),
                org,
                email: email.into(),
                token_hash: random::sha256_hex(secret),
                bindings: vec![role(BuiltinRole::Viewer)],
                groups: vec![],
                grants: Default::default(),
                invited_by: None,
                invited_by_token: None,
                invited_by_name: "Test".into(),
                now,
                expires_at: now + 3_600_000,
            },
            OutgoingMail {
                id: uuid::Uuid::now_v7(),
                org: Some(org),
                to: email.into(),
                subject: "Invitation".into(),
                text: "text".into(),
                html: "<p>html</p>".into(),
                link: None,
            },
            fixture_event(org),
        )
        .await
}

mod accepting;
mod authority;
mod bulk;
mod language;
mod outbox;
mod sending;
mod settings;
