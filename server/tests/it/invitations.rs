//! Invitations end to end below the browser: invite, mail, accept (new and existing users),
//! resend, withdraw, expiry, bulk, the pending cap and single use under 50-way races, and the
//! outbox's retries — the same tests on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::Mutex;

use crate::support::TestDb;
use crate::support::fixture_event;
use crate::support::harness::TestApp;
use app::areas::accounts::service::NewOrganizationInput;
use app::areas::invitations::service as inv;
use app::error::AppError;
use app::model::Binding;
use app::model::BulkOutcome;
use app::model::InvitationId;
use app::model::InvitationStatus;
use app::model::InviteLink;
use app::model::InviteRequest;
use app::model::MemberQuery;
use app::model::MembershipStatus;
use app::model::OrgId;
use app::model::OrgSettings;
use app::model::OrgSummary;
use app::model::UserId;
use app::policy::BuiltinRole;
use app::policy::Permission;
use app::policy::RoleId;
use app::server::RequestCtx;
use app::server::caller::Caller;
use app::server::mail::Mailer;
use app::server::secrets as random;
use app::server::store::Acceptor;
use app::server::store::NewInvitation;
use app::server::store::NewUser;
use app::server::store::OutgoingMail;
use app::server::store::Store;
use app::server::store::StoreError;
use async_trait::async_trait;

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
    let c = crate::support::caller(&app.state, created.org.id, created.admin).await;
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

async fn a_new_person_accepts_once_and_becomes_a_member(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let ops = app::areas::groups::service::create_group(&app.state, &ctx(), &admin, "Ops")
        .await
        .unwrap();
    let id = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        InviteRequest {
            email: "  New.Person@Example.com ".into(),
            bindings: vec![role(BuiltinRole::Editor)],
            groups: vec![ops],
        },
    )
    .await
    .unwrap();
    let pending = inv::list(
        &app.state,
        &admin,
        Some(InvitationStatus::Pending),
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(pending.total, 1);
    let row = &pending.items[0];
    assert_eq!(row.id, id);
    assert_eq!(row.email, "new.person@example.com");
    assert_eq!(row.grants, "Editor; groups: Ops");
    assert_eq!(row.invited_by, "Acme Admin");
    assert_eq!(row.expires_at - row.sent_at, 72 * 3_600_000);

    // The message went out once, and says who, where and until when.
    let mail = deliver(&app).await;
    assert_eq!(mail.len(), 1);
    assert!(deliver(&app).await.is_empty(), "delivered once");
    let m = &mail[0];
    assert_eq!(m.to, "new.person@example.com");
    assert_eq!(m.subject, "Acme Admin invited you to Acme on Gatehouse");
    assert!(m.text.contains("expires on 2026-11-25"), "{}", m.text);
    let secret = token(m);
    assert!(m.html.contains(&secret));
    // Only the hash is stored.
    assert!(
        app.state
            .store
            .invitation_by_token(&secret)
            .await
            .unwrap()
            .is_none()
    );

    match app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
        .await
        .unwrap()
    {
        InviteLink::Open {
            org_name,
            email,
            account_exists,
            signed_in_as,
            ..
        } => {
            assert_eq!(org_name, "Acme");
            assert_eq!(email, "new.person@example.com");
            assert!(!account_exists);
            assert_eq!(signed_in_as, None);
        }
        other => panic!("{other:?}"),
    }
    // Bad input changes nothing.
    let e =
        app::areas::invitations::acceptance::accept_new(&app.state, &ctx(), &secret, "", "short")
            .await
            .unwrap_err();
    assert!(e.field_message("name").is_some() && e.field_message("password").is_some());
    let done = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "New Person",
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(done.landing, format!("/o/{}/members", acme.slug));

    let members =
        app::areas::members::service::list_members(&app.state, &admin, &MemberQuery::active())
            .await
            .unwrap();
    let new = members
        .items
        .iter()
        .find(|m| m.email == "new.person@example.com")
        .expect("a member");
    assert_eq!(new.name, "New Person");
    assert!(
        new.roles
            .iter()
            .any(|r| r.role == RoleId::Builtin(BuiltinRole::Editor))
    );
    assert_eq!(new.groups.len(), 1);
    // They are signed in with the session the acceptance started.
    let view = app::areas::accounts::service::session_view(
        &app.state,
        &with_session(&done.session_secret),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(view.email, "new.person@example.com");

    // The link works once.
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
            .await
            .unwrap(),
        InviteLink::Used
    );
    let again = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "Someone Else",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&again, "invitation_used"), "{again:?}");
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Accepted).await,
        ["new.person@example.com"]
    );
    assert!(
        listed(&app, &admin, InvitationStatus::Pending)
            .await
            .is_empty()
    );
    let log = actions(&app, acme.id).await;
    assert!(log.contains(&"member.invited".to_string()));
    assert!(log.contains(&"invitation.accepted".to_string()));
}

async fn malformed_and_unknown_links_change_nothing(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, _) = org(&app, "Acme", "ada@example.com").await;
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), "not-a-link")
            .await
            .unwrap(),
        InviteLink::Malformed
    );
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &random::secret_256())
            .await
            .unwrap(),
        InviteLink::Unknown
    );
    let before = actions(&app, acme.id).await.len();
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &random::secret_256(),
        "X Y",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::NotFound);
    assert_eq!(actions(&app, acme.id).await.len(), before);
}

async fn resend_replaces_the_link_and_withdraw_ends_it(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let id = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("bob@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let first = token(&deliver(&app).await[0]);
    app.clock.advance_ms(3_600_000);
    inv::resend(&app.state, &ctx(), &admin, id).await.unwrap();
    let second = token(&deliver(&app).await[0]);
    assert_ne!(first, second);
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &first)
            .await
            .unwrap(),
        InviteLink::Unknown,
        "the old link is dead"
    );
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &first,
        "Bob",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::NotFound);
    // The lifetime starts again.
    let row = inv::list(
        &app.state,
        &admin,
        Some(InvitationStatus::Pending),
        None,
        10,
    )
    .await
    .unwrap()
    .items
    .remove(0);
    assert_eq!(row.sent_at, app.state.now());
    assert_eq!(row.expires_at, app.state.now() + 72 * 3_600_000);

    inv::withdraw(&app.state, &ctx(), &admin, id).await.unwrap();
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &second)
            .await
            .unwrap(),
        InviteLink::Withdrawn
    );
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &second,
        "Bob",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_withdrawn"), "{e:?}");
    assert!(is_conflict(
        &inv::withdraw(&app.state, &ctx(), &admin, id)
            .await
            .unwrap_err(),
        "invitation_closed"
    ));
    assert!(is_conflict(
        &inv::resend(&app.state, &ctx(), &admin, id)
            .await
            .unwrap_err(),
        "invitation_closed"
    ));
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Withdrawn).await,
        ["bob@example.com"]
    );
    let log = actions(&app, acme.id).await;
    assert!(log.contains(&"invitation.resent".to_string()));
    assert!(log.contains(&"invitation.withdrawn".to_string()));
    // Withdrawn, the address can be invited afresh.
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("bob@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
}

async fn expired_links_say_so_are_audited_and_can_be_resent(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    set_limits(&app, &admin, 1, 50).await;
    let id = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("late@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let secret = token(&deliver(&app).await[0]);
    app.clock.advance_ms(3_600_000);
    assert_eq!(
        app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
            .await
            .unwrap(),
        InviteLink::Expired {
            org_name: "Acme".into()
        }
    );
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "Late",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_expired"), "{e:?}");
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Expired).await,
        ["late@example.com"]
    );
    assert!(
        listed(&app, &admin, InvitationStatus::Pending)
            .await
            .is_empty()
    );
    assert!(
        actions(&app, acme.id)
            .await
            .contains(&"invitation.expired_link_used".to_string())
    );
    // Inviting the address again offers a resend instead.
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("late@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "already_invited"), "{e:?}");
    assert!(e.to_string().contains("expired"), "{e}");
    inv::resend_to(&app.state, &ctx(), &admin, "late@example.com")
        .await
        .unwrap();
    let fresh = token(&deliver(&app).await[0]);
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Pending).await.len(),
        1
    );
    app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &fresh,
        "Late Comer",
        PASSWORD,
    )
    .await
    .unwrap();
    let _ = id;
}

async fn a_registered_user_accepts_after_signing_in(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let (_beta, _) = org(&app, "Beta", "bea@example.com").await;
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("BEA@example.com", vec![role(BuiltinRole::Editor)]),
    )
    .await
    .unwrap();
    let m = deliver(&app).await.remove(0);
    assert_eq!(m.subject, "You have been given access to Acme");
    let secret = token(&m);
    // Not signed in: the page asks to sign in; accepting needs a session.
    match app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
        .await
        .unwrap()
    {
        InviteLink::Open {
            account_exists,
            signed_in_as,
            ..
        } => {
            assert!(account_exists);
            assert_eq!(signed_in_as, None);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        app::areas::invitations::acceptance::accept_existing(&app.state, &ctx(), &secret).await,
        Err(AppError::Unauthorized(_))
    ));
    // Creating a second account for the address is refused.
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &secret,
        "Bea Two",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "email_taken"), "{e:?}");
    // Someone else's session cannot take it.
    let ada =
        app::areas::accounts::service::sign_in(&app.state, &ctx(), "ada@example.com", PASSWORD)
            .await
            .unwrap();
    let e = app::areas::invitations::acceptance::accept_existing(
        &app.state,
        &with_session(&ada.session_secret),
        &secret,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_other_account"), "{e:?}");
    let bea =
        app::areas::accounts::service::sign_in(&app.state, &ctx(), "bea@example.com", PASSWORD)
            .await
            .unwrap();
    let landing = app::areas::invitations::acceptance::accept_existing(
        &app.state,
        &with_session(&bea.session_secret),
        &secret,
    )
    .await
    .unwrap();
    assert_eq!(landing, format!("/o/{}/members", acme.slug));
    let view =
        app::areas::accounts::service::session_view(&app.state, &with_session(&bea.session_secret))
            .await
            .unwrap()
            .unwrap();
    let orgs: Vec<&str> = view.organizations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(orgs, ["Acme", "Beta"]);
    let oc = app::areas::organizations::service::org_context(
        &app.state,
        &with_session(&bea.session_secret),
        &acme.slug,
    )
    .await
    .unwrap();
    assert!(
        oc.caller
            .principal
            .can(Permission::ResourcesWrite, app::policy::Scope::Organization)
    );
}

async fn members_and_invited_addresses_are_refused(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("Ada@Example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "already_member"), "{e:?}");
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("bob@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("bob@example.com", vec![role(BuiltinRole::Editor)]),
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "already_invited"), "{e:?}");
    assert!(e.to_string().contains("Resend"), "{e}");
    let e = inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("not an address", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(e.field_message("email").is_some(), "{e:?}");
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Pending).await.len(),
        1
    );
    // A custom role with an open invitation on it cannot be deleted, and says why.
    let role_id = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &admin,
        "Support",
        "",
        &["org.read".into()],
    )
    .await
    .unwrap()
    .id;
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request(
            "sam@example.com",
            vec![Binding {
                role: RoleId::Custom(role_id),
                project: None,
            }],
        ),
    )
    .await
    .unwrap();
    let e = app::areas::roles::service::delete_role(&app.state, &ctx(), &admin, role_id)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("1 open invitation"), "{e}");
    // An Editor may not invite at all; nobody grants more than they hold.
    let editor = add_member(&app, acme.id, "eve@example.com", BuiltinRole::Editor).await;
    let e = inv::invite(
        &app.state,
        &ctx(),
        &editor,
        request("x@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let inviter_role = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &admin,
        "Inviters",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "members.invite".into(),
        ],
    )
    .await
    .unwrap()
    .id;
    let inviter = add_member_with(
        &app,
        acme.id,
        "ivy@example.com",
        RoleId::Custom(inviter_role),
    )
    .await;
    let e = inv::invite(
        &app.state,
        &ctx(),
        &inviter,
        request("x@example.com", vec![role(BuiltinRole::Admin)]),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    assert_eq!(
        listed(&app, &admin, InvitationStatus::Pending).await.len(),
        2
    );
}

async fn add_member(app: &TestApp, org: OrgId, email: &str, b: BuiltinRole) -> Caller {
    add_member_with(app, org, email, RoleId::Builtin(b)).await
}

async fn add_member_with(app: &TestApp, org: OrgId, email: &str, role: RoleId) -> Caller {
    let id = UserId::new();
    app.state
        .store
        .add_member(
            org,
            app::server::store::MemberUser::New(NewUser {
                id,
                email: email.into(),
                name: email.into(),
                password_hash: "x".into(),
            }),
            &[Binding {
                role,
                project: None,
            }],
            &[],
            fixture_event(org),
        )
        .await
        .unwrap();
    crate::support::caller(&app.state, org, id).await
}

async fn bulk_invitations_report_every_line(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_acme, admin) = org(&app, "Acme", "ada@example.com").await;
    app::areas::groups::service::create_group(&app.state, &ctx(), &admin, "Ops")
        .await
        .unwrap();
    let lines = app::model::parse_bulk(
        "email,role,groups\n\
         one@example.com\n\
         two@example.com,Editor,Ops\n\
         not-an-address\n\
         one@example.com\n\
         ada@example.com\n\
         three@example.com,Wizard\n\
         four@example.com,viewer,Nowhere",
    );
    let report = inv::bulk_invite(
        &app.state,
        &ctx(),
        &admin,
        RoleId::Builtin(BuiltinRole::Viewer),
        lines,
    )
    .await
    .unwrap();
    let outcomes: Vec<(u32, BulkOutcome)> = report.iter().map(|r| (r.line, r.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (2, BulkOutcome::Invited),
            (3, BulkOutcome::Invited),
            (4, BulkOutcome::Invalid),
            (5, BulkOutcome::AlreadyInvited),
            (6, BulkOutcome::AlreadyMember),
            (7, BulkOutcome::Invalid),
            (8, BulkOutcome::Invalid),
        ]
    );
    assert!(report[5].message.contains("Wizard"));
    let pending = inv::list(
        &app.state,
        &admin,
        Some(InvitationStatus::Pending),
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(pending.total, 2);
    assert!(
        pending
            .items
            .iter()
            .any(|i| i.grants == "Editor; groups: Ops")
    );
    // Over the cap, lines say so.
    set_limits(&app, &admin, 72, 3).await;
    let report = inv::bulk_invite(
        &app.state,
        &ctx(),
        &admin,
        RoleId::Builtin(BuiltinRole::Viewer),
        app::model::parse_bulk("a@example.com\nb@example.com"),
    )
    .await
    .unwrap();
    assert_eq!(report[0].outcome, BulkOutcome::Invited);
    assert_eq!(report[1].outcome, BulkOutcome::OverCap);
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
                grants: "Viewer".into(),
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

async fn fifty_racing_accepts_admit_exactly_one(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, _) = org(&app, "Acme", "ada@example.com").await;
    let secret = random::secret_256();
    let now = app.state.now();
    stored_invitation(&app.state.store, acme.id, "race@example.com", &secret, now)
        .await
        .unwrap();
    let hash = random::sha256_hex(&secret);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = app.state.store.clone();
            let hash = hash.clone();
            tokio::spawn(async move {
                store
                    .accept_invitation(
                        &hash,
                        Acceptor::New(NewUser {
                            id: UserId::new(),
                            email: "race@example.com".into(),
                            name: format!("Racer {i}"),
                            password_hash: "x".into(),
                        }),
                        now + 1,
                        fixture_event(acme.id),
                    )
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict { code, .. }) => assert_eq!(code, "invitation_used"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(won, 1);
    let members = app
        .state
        .store
        .list_members(
            acme.id,
            &app::server::store::MemberFilter::all(MembershipStatus::Active),
        )
        .await
        .unwrap();
    assert_eq!(members.total, 2, "the Admin and exactly one new member");
}

async fn fifty_racing_invites_stop_at_the_cap(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    set_limits(&app, &admin, 72, 10).await;
    let now = app.state.now();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = app.state.store.clone();
            tokio::spawn(async move {
                stored_invitation(
                    &store,
                    acme.id,
                    &format!("p{i}@example.com"),
                    &random::secret_256(),
                    now,
                )
                .await
            })
        })
        .collect();
    let (mut ok, mut capped) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict {
                code: "invitation_cap",
                ..
            }) => capped += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((ok, capped), (10, 40));
    let pending = inv::list(
        &app.state,
        &admin,
        Some(InvitationStatus::Pending),
        None,
        100,
    )
    .await
    .unwrap();
    assert_eq!(pending.total, 10);
    // The refused ones queued no mail either.
    assert_eq!(deliver(&app).await.len(), 10);
}

async fn the_outbox_retries_with_backoff_and_forgets_sent_bodies(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, _) = org(&app, "Acme", "ada@example.com").await;
    let now = app.state.now();
    stored_invitation(&app.state.store, acme.id, "m@example.com", "s", now)
        .await
        .unwrap();
    let store = &*app.state.store;
    assert_eq!(
        gatehouse::mail::deliver_due(store, &Refuser, &app.clock).await,
        1
    );
    // Not due again until the backoff has passed.
    assert!(deliver(&app).await.is_empty());
    app.clock.advance_ms(4_000);
    assert!(deliver(&app).await.is_empty());
    app.clock.advance_ms(2_000);
    let second = deliver(&app).await;
    assert_eq!(second.len(), 1, "retried after 5 s");
    assert_eq!(second[0].text, "text", "the bodies are kept until sent");
    app.clock.advance_ms(24 * 3_600_000);
    assert!(deliver(&app).await.is_empty(), "sent once, never again");
    // A message that keeps failing is given up after ten attempts.
    stored_invitation(
        &app.state.store,
        acme.id,
        "n@example.com",
        "t",
        app.state.now(),
    )
    .await
    .unwrap();
    let mut attempts = 0;
    for _ in 0..20 {
        attempts += gatehouse::mail::deliver_due(store, &Refuser, &app.clock).await;
        app.clock.advance_ms(3_600_000);
    }
    assert_eq!(attempts, 10);
}

async fn settings_are_checked_and_apply_to_new_links(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, admin) = org(&app, "Acme", "ada@example.com").await;
    let before = app::areas::organizations::service::settings(&app.state, &admin)
        .await
        .unwrap();
    assert_eq!(before, OrgSettings::defaults("Acme"));
    assert_eq!(
        (
            before.invitation_lifetime_hours,
            before.pending_invitation_limit,
            before.custom_role_limit,
            before.group_limit,
            before.project_limit,
            before.token_limit
        ),
        (72, 50, 100, 1_000, 1_000, 1_000)
    );
    let e = app::areas::organizations::service::update_settings(
        &app.state,
        &ctx(),
        &admin,
        OrgSettings {
            name: " ".into(),
            invitation_lifetime_hours: 721,
            pending_invitation_limit: 0,
            custom_role_limit: 1_001,
            group_limit: 0,
            project_limit: 10_001,
            token_limit: 0,
        },
    )
    .await
    .unwrap_err();
    for field in [
        "name",
        "invitation_lifetime_hours",
        "pending_invitation_limit",
        "custom_role_limit",
        "group_limit",
        "project_limit",
        "token_limit",
    ] {
        assert!(e.field_message(field).is_some(), "{field}: {e:?}");
    }
    assert_eq!(
        e.field_message("custom_role_limit"),
        Some("The custom role limit is a whole number from 1 to 1,000")
    );
    assert_eq!(
        e.field_message("project_limit"),
        Some("The project limit is a whole number from 1 to 10,000")
    );
    assert_eq!(
        app::areas::organizations::service::settings(&app.state, &admin)
            .await
            .unwrap(),
        before
    );
    let changed = OrgSettings {
        name: "Acme Corp".into(),
        invitation_lifetime_hours: 720,
        pending_invitation_limit: 5,
        custom_role_limit: 1_000,
        group_limit: 1,
        project_limit: 10_000,
        token_limit: 7,
    };
    app::areas::organizations::service::update_settings(
        &app.state,
        &ctx(),
        &admin,
        changed.clone(),
    )
    .await
    .unwrap();
    assert_eq!(
        app::areas::organizations::service::settings(&app.state, &admin)
            .await
            .unwrap(),
        changed
    );
    inv::invite(
        &app.state,
        &ctx(),
        &admin,
        request("x@example.com", vec![role(BuiltinRole::Viewer)]),
    )
    .await
    .unwrap();
    let row = inv::list(&app.state, &admin, None, None, 10)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(row.expires_at - row.sent_at, 720 * 3_600_000);
    assert_eq!(
        deliver(&app).await[0].subject,
        "Acme Admin invited you to Acme Corp on Gatehouse"
    );
    assert!(
        actions(&app, acme.id)
            .await
            .contains(&"organization.settings_changed".to_string())
    );
}

/// An invitation carries its sender's authority (rules 1 and 3 at acceptance): an Admin who
/// invites a second address of their own as Admin and is then deactivated, removed or demoted
/// gets nothing from the link; the page and the list say why.
async fn an_invitation_grants_nothing_once_its_sender_lost_the_authority(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, ada) = org(&app, "Acme", "ada@example.com").await;
    for (n, loss) in ["deactivated", "removed", "demoted"]
        .into_iter()
        .enumerate()
    {
        let sender = add_member(
            &app,
            acme.id,
            &format!("sender{n}@example.com"),
            BuiltinRole::Admin,
        )
        .await;
        let sender_id = *match sender.principal.actor() {
            app::policy::Actor::User(u) => u,
            _ => unreachable!(),
        };
        let second = format!("second{n}@example.com");
        inv::invite(
            &app.state,
            &ctx(),
            &sender,
            request(&second, vec![role(BuiltinRole::Admin)]),
        )
        .await
        .unwrap();
        let mail = deliver(&app).await.pop().unwrap();
        let secret = token(&mail);
        match loss {
            "deactivated" => app::areas::members::service::set_member_active(
                &app.state,
                &ctx(),
                &ada,
                sender_id,
                false,
            )
            .await
            .unwrap(),
            "removed" => app::areas::members::service::remove_member(
                &app.state,
                &ctx(),
                &ada,
                sender_id,
                None,
                true,
            )
            .await
            .unwrap(),
            _ => app::areas::members::service::update_member(
                &app.state,
                &ctx(),
                &ada,
                sender_id,
                vec![role(BuiltinRole::Editor)],
                vec![],
            )
            .await
            .unwrap(),
        }
        assert!(
            matches!(
                app::areas::invitations::acceptance::link_state(&app.state, &ctx(), &secret)
                    .await
                    .unwrap(),
                InviteLink::NoLongerValid { .. }
            ),
            "{loss}: the page says it is no longer valid"
        );
        let e = app::areas::invitations::acceptance::accept_new(
            &app.state,
            &ctx(),
            &secret,
            "Second Self",
            PASSWORD,
        )
        .await
        .unwrap_err();
        assert!(
            is_conflict(&e, "invitation_no_longer_valid"),
            "{loss}: {e:?}"
        );
        assert!(
            e.to_string().contains("Ask an administrator of Acme"),
            "{e}"
        );
        assert!(
            app.state
                .store
                .user_credentials(&second)
                .await
                .unwrap()
                .is_none(),
            "{loss}: no account was made"
        );
        let closed = inv::list(
            &app.state,
            &ada,
            Some(InvitationStatus::Withdrawn),
            None,
            100,
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.email == second)
        .expect("listed as closed");
        assert!(
            closed
                .closed_reason
                .as_deref()
                .is_some_and(|r| r.contains("can no longer grant")),
            "{loss}: {closed:?}"
        );
        assert!(
            actions(&app, acme.id)
                .await
                .contains(&"invitation.invalidated".to_string())
        );
    }
    let admins =
        app::areas::members::service::list_members(&app.state, &ada, &MemberQuery::active())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|m| {
                m.roles
                    .iter()
                    .any(|r| r.role == RoleId::Builtin(BuiltinRole::Admin))
            })
            .count();
    assert_eq!(admins, 1, "only Ada is Admin");
}

/// A token's invitations carry the token's authority: once the token is deleted its
/// invitations grant nothing; a group whose roles grew beyond the sender's is refused too.
async fn token_and_group_invitations_are_checked_at_acceptance(t: &TestDb) {
    use app::areas::tokens::service::TokenRequest;
    use app::model::TokenKind;
    let app = TestApp::new(t, false).await;
    let (acme, ada) = org(&app, "Acme", "ada@example.com").await;
    let (robot, secret) = app::areas::tokens::service::create(
        &app.state,
        &ctx(),
        &ada,
        TokenRequest {
            name: "robot".into(),
            kind: TokenKind::Organization,
            role: RoleId::Builtin(BuiltinRole::Admin),
            expires_in_days: None,
        },
    )
    .await
    .unwrap();
    let (robot_caller, _) =
        app::server::auth::bearer::authenticate(&app.state, &ctx(), secret.expose())
            .await
            .unwrap();
    for email in ["kept@example.com", "orphaned@example.com"] {
        inv::invite(
            &app.state,
            &ctx(),
            &robot_caller,
            request(email, vec![role(BuiltinRole::Editor)]),
        )
        .await
        .unwrap();
    }
    let mails = deliver(&app).await;
    let link = |to: &str| token(mails.iter().find(|m| m.to == to).unwrap());
    app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &link("kept@example.com"),
        "Kept",
        PASSWORD,
    )
    .await
    .unwrap();
    app::areas::tokens::service::delete(&app.state, &ctx(), &ada, robot.id)
        .await
        .unwrap();
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &link("orphaned@example.com"),
        "Orphan",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_no_longer_valid"), "{e:?}");

    // An Editor-level inviter adds a group; the group is then made Admin.
    let inviters = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &ada,
        "Inviters",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "members.invite".into(),
        ],
    )
    .await
    .unwrap();
    let inviter = add_member_with(
        &app,
        acme.id,
        "inviter@example.com",
        RoleId::Custom(inviters.id),
    )
    .await;
    let ops = app::areas::groups::service::create_group(&app.state, &ctx(), &ada, "Ops")
        .await
        .unwrap();
    inv::invite(
        &app.state,
        &ctx(),
        &inviter,
        InviteRequest {
            email: "grouped@example.com".into(),
            bindings: vec![],
            groups: vec![ops],
        },
    )
    .await
    .unwrap();
    let grouped = token(&deliver(&app).await.pop().unwrap());
    app::areas::groups::service::set_group_bindings(
        &app.state,
        &ctx(),
        &ada,
        ops,
        vec![role(BuiltinRole::Admin)],
    )
    .await
    .unwrap();
    let e = app::areas::invitations::acceptance::accept_new(
        &app.state,
        &ctx(),
        &grouped,
        "Grouped",
        PASSWORD,
    )
    .await
    .unwrap_err();
    assert!(is_conflict(&e, "invitation_no_longer_valid"), "{e:?}");
}

/// Resending makes the caller the sender: an inviter without Admin cannot revive an expired
/// Admin invitation; an Admin can, and it is then theirs.
async fn resending_needs_the_authority_to_grant(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (acme, ada) = org(&app, "Acme", "ada@example.com").await;
    set_limits(&app, &ada, 1, 50).await;
    let id = inv::invite(
        &app.state,
        &ctx(),
        &ada,
        request("boss@example.com", vec![role(BuiltinRole::Admin)]),
    )
    .await
    .unwrap();
    deliver(&app).await;
    app.clock.advance_ms(2 * 3_600_000);
    let inviters = app::areas::roles::service::create_role(
        &app.state,
        &ctx(),
        &ada,
        "Inviters",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "members.invite".into(),
        ],
    )
    .await
    .unwrap();
    let inviter = add_member_with(
        &app,
        acme.id,
        "inviter@example.com",
        RoleId::Custom(inviters.id),
    )
    .await;
    let e = inv::resend(&app.state, &ctx(), &inviter, id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Forbidden(m) if m.contains("cannot grant")),
        "{e:?}"
    );
    assert!(deliver(&app).await.is_empty(), "no new link went out");
    assert_eq!(
        listed(&app, &ada, InvitationStatus::Expired).await,
        ["boss@example.com"]
    );
    inv::resend(&app.state, &ctx(), &ada, id).await.unwrap();
    let link = token(&deliver(&app).await.pop().unwrap());
    app::areas::invitations::acceptance::accept_new(&app.state, &ctx(), &link, "Boss", PASSWORD)
        .await
        .unwrap();
}

on_both_databases!(
    an_invitation_grants_nothing_once_its_sender_lost_the_authority,
    token_and_group_invitations_are_checked_at_acceptance,
    resending_needs_the_authority_to_grant,
    a_new_person_accepts_once_and_becomes_a_member,
    malformed_and_unknown_links_change_nothing,
    resend_replaces_the_link_and_withdraw_ends_it,
    expired_links_say_so_are_audited_and_can_be_resent,
    a_registered_user_accepts_after_signing_in,
    members_and_invited_addresses_are_refused,
    bulk_invitations_report_every_line,
    fifty_racing_accepts_admit_exactly_one,
    fifty_racing_invites_stop_at_the_cap,
    the_outbox_retries_with_backoff_and_forgets_sent_bodies,
    settings_are_checked_and_apply_to_new_links,
);
