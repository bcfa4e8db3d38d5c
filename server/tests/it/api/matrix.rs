//! Every REST endpoint as every kind of credential, with the exact status rules 1–5 give each.
//! Long because the table of endpoints, the table of callers, the rule that joins them and the
//! fixture that makes a credential of every kind belong together: split, they would be read apart.

use super::*;

// ---- the matrix ----------------------------------------------------------------------------

/// Every kind of credential an API request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    NoToken,
    Malformed,
    BadChecksum,
    Expired,
    Deleted,
    DeactivatedOwner,
    UserViewer,
    UserEditor,
    UserAdmin,
    /// An Admin-role user token whose owner was demoted to Viewer after creating it.
    UserDemoted,
    OrgViewer,
    OrgEditor,
    OrgAdmin,
    /// An Admin user token of another organization, using this one's ids.
    OtherOrgAdmin,
    /// A user token and an organization token with the custom role {org.read, members.read,
    /// tokens.create, tokens.manage}: they see and revoke every token, and regenerate none above
    /// them.
    UserTokenManager,
    OrgTokenManager,
}

/// The custom role of the token managers.
fn token_manager() -> PermissionSet {
    PermissionSet::of(&[P::OrgRead, P::MembersRead, P::TokensCreate, P::TokensManage])
}

const EVERY_WHO: [Who; 16] = [
    Who::NoToken,
    Who::Malformed,
    Who::BadChecksum,
    Who::Expired,
    Who::Deleted,
    Who::DeactivatedOwner,
    Who::UserViewer,
    Who::UserEditor,
    Who::UserAdmin,
    Who::UserDemoted,
    Who::OrgViewer,
    Who::OrgEditor,
    Who::OrgAdmin,
    Who::OtherOrgAdmin,
    Who::UserTokenManager,
    Who::OrgTokenManager,
];

impl Who {
    /// What SPEC §1 says the credential may do (`None`: it authenticates nobody).
    fn permissions(self) -> Option<PermissionSet> {
        use BuiltinRole::*;
        match self {
            Who::NoToken
            | Who::Malformed
            | Who::BadChecksum
            | Who::Expired
            | Who::Deleted
            | Who::DeactivatedOwner => None,
            // Rule 2: role ∩ owner now.
            Who::UserViewer | Who::OrgViewer | Who::UserDemoted => Some(Viewer.permissions()),
            Who::UserEditor | Who::OrgEditor => Some(Editor.permissions()),
            Who::UserAdmin | Who::OrgAdmin | Who::OtherOrgAdmin => Some(Admin.permissions()),
            Who::UserTokenManager | Who::OrgTokenManager => Some(token_manager()),
        }
    }

    fn acts_for_a_user(self) -> bool {
        !matches!(
            self,
            Who::OrgViewer | Who::OrgEditor | Who::OrgAdmin | Who::OrgTokenManager
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// No credential at all.
    Public,
    /// Any valid token.
    Any,
    Perm(Permission),
    /// Listing tokens: everyone's with `tokens.manage`, one's own user tokens with `tokens.create`.
    ListTokens,
    /// A user token for oneself: `tokens.create`, and a user to act for.
    OwnUserToken,
    /// Regenerate the Admin's Viewer-role user token: only the person it acts for; others who
    /// see it (`tokens.manage`) are refused, others answer as unknown.
    RegenerateAdminsUserToken,
    /// Regenerate an Admin organization token: `tokens.manage` and every permission (rule 3).
    RegenerateAdminOrgToken,
    /// Delete the Admin's user token: its owner, or `tokens.manage`; else unknown.
    RevokeAdminsUserToken,
    /// Delete an Admin organization token: `tokens.manage`; an organization token owns nothing.
    RevokeOrgToken,
}

/// How the Admin of another organization fares with this organization's ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Foreign {
    /// Lists and creations act on their own organization.
    Own,
    /// An id of this organization: unknown to them (rule 5).
    NotFound,
    /// An id of this organization in the body: invalid input.
    Invalid,
}

#[derive(Debug, Clone, Copy)]
struct Ep {
    name: &'static str,
    need: Need,
    foreign: Foreign,
    ok: u16,
}

const fn ep(name: &'static str, need: Need, foreign: Foreign, ok: u16) -> Ep {
    Ep {
        name,
        need,
        foreign,
        ok,
    }
}

use Foreign::{Invalid, NotFound, Own};
use Need::Perm;
use Permission as P;

/// Every route of SPEC §3 (and the one-item reads the API adds).
const ENDPOINTS: &[Ep] = &[
    ep("GET /me", Need::Any, Own, 200),
    ep("GET /openapi.json", Need::Public, Own, 200),
    ep("GET /members", Perm(P::MembersRead), Own, 200),
    ep("GET /members/{user}", Perm(P::MembersRead), NotFound, 200),
    ep(
        "PATCH /members/{user}",
        Perm(P::MembersManage),
        NotFound,
        200,
    ),
    ep(
        "POST /members/{user}/deactivate",
        Perm(P::MembersManage),
        NotFound,
        200,
    ),
    ep(
        "POST /members/{user}/reactivate",
        Perm(P::MembersManage),
        NotFound,
        200,
    ),
    ep(
        "DELETE /members/{user}",
        Perm(P::MembersManage),
        NotFound,
        204,
    ),
    ep("GET /invitations", Perm(P::MembersRead), Own, 200),
    ep("POST /invitations", Perm(P::MembersInvite), Own, 201),
    ep(
        "POST /invitations/{id}/resend",
        Perm(P::MembersInvite),
        NotFound,
        200,
    ),
    ep(
        "DELETE /invitations/{id}",
        Perm(P::MembersInvite),
        NotFound,
        204,
    ),
    ep("GET /roles", Perm(P::OrgRead), Own, 200),
    ep("POST /roles", Perm(P::RolesManage), Own, 201),
    ep("GET /roles/{id}", Perm(P::OrgRead), NotFound, 200),
    ep("PATCH /roles/{id}", Perm(P::RolesManage), NotFound, 200),
    ep("DELETE /roles/{id}", Perm(P::RolesManage), NotFound, 204),
    ep("GET /groups", Perm(P::OrgRead), Own, 200),
    ep("POST /groups", Perm(P::GroupsManage), Own, 201),
    ep("GET /groups/{id}", Perm(P::OrgRead), NotFound, 200),
    ep("PATCH /groups/{id}", Perm(P::GroupsManage), NotFound, 200),
    ep("DELETE /groups/{id}", Perm(P::GroupsManage), NotFound, 204),
    ep(
        "PUT /groups/{id}/members/{user}",
        Perm(P::GroupsManage),
        NotFound,
        204,
    ),
    ep(
        "DELETE /groups/{id}/members/{user}",
        Perm(P::GroupsManage),
        NotFound,
        204,
    ),
    ep("GET /organization", Perm(P::OrgManage), Own, 200),
    ep("PATCH /organization", Perm(P::OrgManage), Own, 200),
    ep("GET /projects", Perm(P::OrgRead), Own, 200),
    ep("POST /projects", Perm(P::OrgManage), Invalid, 201),
    ep("GET /projects/{id}", Perm(P::OrgRead), NotFound, 200),
    ep("PATCH /projects/{id}", Perm(P::OrgManage), NotFound, 200),
    ep("DELETE /projects/{id}", Perm(P::OrgManage), NotFound, 204),
    ep("GET /tokens", Need::ListTokens, Own, 200),
    ep("POST /tokens (user)", Need::OwnUserToken, Own, 201),
    ep(
        "POST /tokens (organization)",
        Perm(P::TokensManage),
        Own,
        201,
    ),
    ep(
        "POST /tokens/{id}/regenerate (the Admin's user token)",
        Need::RegenerateAdminsUserToken,
        NotFound,
        200,
    ),
    ep(
        "POST /tokens/{id}/regenerate (an Admin organization token)",
        Need::RegenerateAdminOrgToken,
        NotFound,
        200,
    ),
    ep(
        "DELETE /tokens/{id} (the Admin's user token)",
        Need::RevokeAdminsUserToken,
        NotFound,
        204,
    ),
    ep(
        "DELETE /tokens/{id} (an Admin organization token)",
        Need::RevokeOrgToken,
        NotFound,
        204,
    ),
    ep("GET /audit", Perm(P::AuditRead), Own, 200),
    ep("GET /audit?format=csv", Perm(P::AuditRead), Own, 200),
];

/// What a call of `ep` (as `request_for` makes it) grants: the Viewer role, where it binds one.
fn grants(ep: &Ep) -> PermissionSet {
    match ep.name {
        "PATCH /members/{user}"
        | "POST /invitations"
        | "POST /groups"
        | "POST /tokens (user)"
        | "POST /tokens (organization)" => BuiltinRole::Viewer.permissions(),
        _ => PermissionSet::EMPTY,
    }
}

/// The status SPEC §1–§3 give `who` calling `ep`.
fn expected(ep: &Ep, who: Who) -> u16 {
    if ep.need == Need::Public {
        return 200;
    }
    let Some(perms) = who.permissions() else {
        return 401;
    };
    let has = |p| perms.contains(p);
    let outcome = match ep.need {
        Need::Public | Need::Any => Ok(()),
        Need::Perm(p) if has(p) => Ok(()),
        Need::Perm(_) => Err(403),
        Need::ListTokens if has(P::TokensManage) => Ok(()),
        Need::ListTokens | Need::OwnUserToken if has(P::TokensCreate) && who.acts_for_a_user() => {
            Ok(())
        }
        Need::ListTokens | Need::OwnUserToken => Err(403),
        // Another organization's Admin does not see this organization's tokens at all.
        Need::RegenerateAdminsUserToken
        | Need::RegenerateAdminOrgToken
        | Need::RevokeAdminsUserToken
        | Need::RevokeOrgToken
            if who == Who::OtherOrgAdmin =>
        {
            Ok(())
        }
        // The Admin's own user token (UserAdmin acts for the Admin).
        Need::RegenerateAdminsUserToken | Need::RevokeAdminsUserToken
            if who == Who::UserAdmin && has(P::TokensCreate) =>
        {
            Ok(())
        }
        Need::RegenerateAdminsUserToken if has(P::TokensManage) => Err(403),
        Need::RegenerateAdminOrgToken if has(P::TokensManage) && perms.is_everything() => Ok(()),
        Need::RegenerateAdminOrgToken if has(P::TokensManage) => Err(403),
        Need::RevokeAdminsUserToken | Need::RevokeOrgToken if has(P::TokensManage) => Ok(()),
        Need::RegenerateAdminsUserToken
        | Need::RegenerateAdminOrgToken
        | Need::RevokeAdminsUserToken
        | Need::RevokeOrgToken
            if has(P::TokensCreate) =>
        {
            Err(404)
        }
        Need::RegenerateAdminsUserToken
        | Need::RegenerateAdminOrgToken
        | Need::RevokeAdminsUserToken
        | Need::RevokeOrgToken => Err(403),
    };
    // Rule 3: what the request grants (a Viewer role) must be within the caller's permissions.
    let outcome = outcome.and_then(|()| {
        if grants(ep).missing_from(perms).is_empty() {
            Ok(())
        } else {
            Err(403)
        }
    });
    match (outcome, who, ep.foreign) {
        (Err(status), _, _) => status,
        (Ok(()), Who::OtherOrgAdmin, NotFound) => 404,
        (Ok(()), Who::OtherOrgAdmin, Invalid) => 422,
        (Ok(()), _, _) => ep.ok,
    }
}

/// The organization under test and a credential of every kind.
struct Matrix {
    app: TestApp,
    acme: TestOrg,
    secrets: Vec<(Who, Option<String>)>,
}

async fn matrix_fixture(t: &TestDb) -> Matrix {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let acme = app.org("Acme").await;
    let admin = &acme.admin;
    app::areas::organizations::service::update_settings(
        &s,
        &ctx(),
        &admin.caller,
        OrgSettings {
            name: "Acme".into(),
            invitation_lifetime_hours: 72,
            pending_invitation_limit: 10_000,
            ..OrgSettings::defaults("")
        },
    )
    .await
    .unwrap();
    let mut secrets = vec![
        (Who::NoToken, None),
        (Who::Malformed, Some("gth_u_tooshort".into())),
    ];

    // A Viewer-role token of an Editor: Viewer ∩ Editor.
    let viewer = acme.with_member(BuiltinRole::Editor).await;
    let editor = acme.with_member(BuiltinRole::Editor).await;
    let demoted = acme.with_member(BuiltinRole::Admin).await;
    let leaving = acme.with_member(BuiltinRole::Editor).await;
    let viewer_secret = viewer
        .with_token(TokenKind::User, BuiltinRole::Viewer)
        .await
        .secret;
    let editor_secret = editor
        .with_token(TokenKind::User, BuiltinRole::Editor)
        .await
        .secret;
    let admin_secret = admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let demoted_secret = demoted
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;
    let leaving_secret = leaving
        .with_token(TokenKind::User, BuiltinRole::Editor)
        .await
        .secret;
    let expiring_secret = admin
        .with_token_for(TokenKind::User, BuiltinRole::Admin, Some(7))
        .await
        .secret;
    let deleted = admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await;
    let org_viewer = admin
        .with_token(TokenKind::Organization, BuiltinRole::Viewer)
        .await
        .secret;
    let org_editor = admin
        .with_token(TokenKind::Organization, BuiltinRole::Editor)
        .await
        .secret;
    let org_admin = admin
        .with_token(TokenKind::Organization, BuiltinRole::Admin)
        .await
        .secret;
    let globex = app.org("Globex").await;
    let other_secret = globex
        .admin
        .with_token(TokenKind::User, BuiltinRole::Admin)
        .await
        .secret;

    // The token managers: a custom role {org.read, members.read, tokens.create, tokens.manage}, a member who
    // holds it with a user token of it, and an organization token of it.
    let manager_role = app::areas::roles::service::create_role(
        &s,
        &ctx(),
        &admin.caller,
        "Token managers",
        "",
        &token_manager()
            .iter()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let manager = acme
        .with_member_email("token-manager@example.com", RoleId::Custom(manager_role.id))
        .await;
    let managed = |kind, by: Caller| {
        let s = s.clone();
        async move {
            app::areas::tokens::service::create(
                &s,
                &ctx(),
                &by,
                TokenRequest {
                    name: format!("{kind:?} token manager"),
                    kind,
                    role: RoleId::Custom(manager_role.id),
                    expires_in_days: None,
                },
            )
            .await
            .unwrap()
            .1
            .expose()
            .to_string()
        }
    };
    let user_manager = managed(TokenKind::User, manager.caller.clone()).await;
    let org_manager = managed(TokenKind::Organization, admin.caller.clone()).await;

    // After creation: demote one owner, deactivate another, delete one token, let one expire.
    app::areas::members::service::update_member(
        &s,
        &ctx(),
        &admin.caller,
        demoted.id,
        vec![bind(BuiltinRole::Viewer)],
        vec![],
    )
    .await
    .unwrap();
    app::areas::members::service::set_member_active(&s, &ctx(), &admin.caller, leaving.id, false)
        .await
        .unwrap();
    app::areas::tokens::service::delete(&s, &ctx(), &admin.caller, deleted.id.parse().unwrap())
        .await
        .unwrap();
    app.clock.advance_ms(8 * DAY_MS);

    // One character changed: the checksum no longer matches.
    let mut bad = admin_secret.clone().into_bytes();
    bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
    secrets.extend([
        (Who::BadChecksum, Some(String::from_utf8(bad).unwrap())),
        (Who::Expired, Some(expiring_secret)),
        (Who::Deleted, Some(deleted.secret)),
        (Who::DeactivatedOwner, Some(leaving_secret)),
        (Who::UserViewer, Some(viewer_secret)),
        (Who::UserEditor, Some(editor_secret)),
        (Who::UserAdmin, Some(admin_secret)),
        (Who::UserDemoted, Some(demoted_secret)),
        (Who::OrgViewer, Some(org_viewer)),
        (Who::OrgEditor, Some(org_editor)),
        (Who::OrgAdmin, Some(org_admin)),
        (Who::OtherOrgAdmin, Some(other_secret)),
        (Who::UserTokenManager, Some(user_manager)),
        (Who::OrgTokenManager, Some(org_manager)),
    ]);
    assert_eq!(secrets.len(), EVERY_WHO.len());
    Matrix { app, acme, secrets }
}

/// Makes fresh targets for one call of `ep` and returns its method, path and body.
async fn request_for(m: &Matrix, ep: &Ep, n: usize) -> (Method, String, Option<Value>) {
    let s = &m.app.state;
    let admin = &m.acme.admin;
    let a = &admin.caller;
    let unique = format!("{n}-{}", uuid::Uuid::now_v7().simple());
    let fresh_member = || async { m.acme.with_member(BuiltinRole::Viewer).await.id };
    let fresh_role = || async {
        app::areas::roles::service::create_role(
            s,
            &ctx(),
            a,
            &format!("Role {unique}"),
            "",
            &["org.read".into()],
        )
        .await
        .unwrap()
        .id
    };
    let c = ctx();
    let group_name = format!("Group {unique}");
    let project_name = format!("Project {unique}");
    let fresh_group = || app::areas::groups::service::create_group(s, &c, a, &group_name);
    let fresh_project =
        || app::areas::projects::service::create_project(s, &c, a, &project_name, None);
    let fresh_invitation = || {
        inv::invite(
            s,
            &c,
            a,
            InviteRequest {
                email: format!("invitee-{unique}@example.com"),
                bindings: vec![bind(BuiltinRole::Viewer)],
                groups: vec![],
            },
        )
    };
    let (method, path, body) = match ep.name {
        "GET /me" => (Method::GET, "/me".to_string(), None),
        "GET /openapi.json" => (Method::GET, "/openapi.json".into(), None),
        "GET /members" => (Method::GET, "/members?limit=5".into(), None),
        "GET /members/{user}" => (Method::GET, format!("/members/{}", admin.id), None),
        "PATCH /members/{user}" => (
            Method::PATCH,
            format!("/members/{}", fresh_member().await),
            Some(json!({"bindings": [{"role": "viewer", "project": null}]})),
        ),
        "POST /members/{user}/deactivate" => (
            Method::POST,
            format!("/members/{}/deactivate", fresh_member().await),
            None,
        ),
        "POST /members/{user}/reactivate" => {
            let u = fresh_member().await;
            app::areas::members::service::set_member_active(s, &ctx(), a, u, false)
                .await
                .unwrap();
            (Method::POST, format!("/members/{u}/reactivate"), None)
        }
        "DELETE /members/{user}" => (
            Method::DELETE,
            format!("/members/{}", fresh_member().await),
            None,
        ),
        "GET /invitations" => (Method::GET, "/invitations?status=pending".into(), None),
        "POST /invitations" => (
            Method::POST,
            "/invitations".into(),
            Some(
                json!({"email": format!("new-{unique}@example.com"), "bindings": [{"role": "viewer", "project": null}]}),
            ),
        ),
        "POST /invitations/{id}/resend" => (
            Method::POST,
            format!("/invitations/{}/resend", fresh_invitation().await.unwrap()),
            None,
        ),
        "DELETE /invitations/{id}" => (
            Method::DELETE,
            format!("/invitations/{}", fresh_invitation().await.unwrap()),
            None,
        ),
        "GET /roles" => (Method::GET, "/roles".into(), None),
        "POST /roles" => (
            Method::POST,
            "/roles".into(),
            Some(json!({"name": format!("Readers {unique}"), "permissions": ["org.read"]})),
        ),
        "GET /roles/{id}" => (Method::GET, format!("/roles/{}", fresh_role().await), None),
        "PATCH /roles/{id}" => (
            Method::PATCH,
            format!("/roles/{}", fresh_role().await),
            Some(json!({"description": "changed"})),
        ),
        "DELETE /roles/{id}" => (
            Method::DELETE,
            format!("/roles/{}", fresh_role().await),
            None,
        ),
        "GET /groups" => (Method::GET, "/groups".into(), None),
        "POST /groups" => (
            Method::POST,
            "/groups".into(),
            Some(
                json!({"name": format!("Ops {unique}"), "bindings": [{"role": "viewer", "project": null}]}),
            ),
        ),
        "GET /groups/{id}" => (
            Method::GET,
            format!("/groups/{}", fresh_group().await.unwrap()),
            None,
        ),
        "PATCH /groups/{id}" => (
            Method::PATCH,
            format!("/groups/{}", fresh_group().await.unwrap()),
            Some(json!({"name": format!("Renamed {unique}")})),
        ),
        "DELETE /groups/{id}" => (
            Method::DELETE,
            format!("/groups/{}", fresh_group().await.unwrap()),
            None,
        ),
        "PUT /groups/{id}/members/{user}" => (
            Method::PUT,
            format!(
                "/groups/{}/members/{}",
                fresh_group().await.unwrap(),
                fresh_member().await
            ),
            None,
        ),
        "DELETE /groups/{id}/members/{user}" => {
            let g = fresh_group().await.unwrap();
            let u = fresh_member().await;
            app::areas::groups::service::add_group_member(s, &ctx(), a, g, u)
                .await
                .unwrap();
            (Method::DELETE, format!("/groups/{g}/members/{u}"), None)
        }
        "GET /projects" => (Method::GET, "/projects".into(), None),
        "POST /projects" => (
            Method::POST,
            "/projects".into(),
            Some(json!({"name": format!("Apollo {unique}"), "owner": admin.id})),
        ),
        "GET /projects/{id}" => (
            Method::GET,
            format!("/projects/{}", fresh_project().await.unwrap()),
            None,
        ),
        "GET /organization" => (Method::GET, "/organization".to_string(), None),
        "PATCH /organization" => (
            Method::PATCH,
            "/organization".to_string(),
            Some(json!({"pending_invitation_limit": 50})),
        ),
        "PATCH /projects/{id}" => (
            Method::PATCH,
            format!("/projects/{}", fresh_project().await.unwrap()),
            Some(json!({"name": format!("Gemini {unique}")})),
        ),
        "DELETE /projects/{id}" => (
            Method::DELETE,
            format!("/projects/{}", fresh_project().await.unwrap()),
            None,
        ),
        "GET /tokens" => (Method::GET, "/tokens".into(), None),
        "POST /tokens (user)" => (
            Method::POST,
            "/tokens".into(),
            Some(
                json!({"name": "deploys", "kind": "user", "role": "viewer", "expires_in_days": 30}),
            ),
        ),
        "POST /tokens (organization)" => (
            Method::POST,
            "/tokens".into(),
            Some(json!({"name": "robot", "kind": "organization", "role": "viewer"})),
        ),
        "POST /tokens/{id}/regenerate (the Admin's user token)" => {
            let id = admin
                .with_token(TokenKind::User, BuiltinRole::Viewer)
                .await
                .id;
            (Method::POST, format!("/tokens/{id}/regenerate"), None)
        }
        "POST /tokens/{id}/regenerate (an Admin organization token)" => {
            let id = admin
                .with_token(TokenKind::Organization, BuiltinRole::Admin)
                .await
                .id;
            (Method::POST, format!("/tokens/{id}/regenerate"), None)
        }
        "DELETE /tokens/{id} (the Admin's user token)" => {
            let id = admin
                .with_token(TokenKind::User, BuiltinRole::Viewer)
                .await
                .id;
            (Method::DELETE, format!("/tokens/{id}"), None)
        }
        "DELETE /tokens/{id} (an Admin organization token)" => {
            let id = admin
                .with_token(TokenKind::Organization, BuiltinRole::Admin)
                .await
                .id;
            (Method::DELETE, format!("/tokens/{id}"), None)
        }
        "GET /audit" => (Method::GET, "/audit?limit=10".into(), None),
        "GET /audit?format=csv" => (Method::GET, "/audit?format=csv".into(), None),
        other => panic!("no request for {other}"),
    };
    (method, path, body)
}

async fn every_endpoint_answers_every_kind_of_token_as_the_rules_say(t: &TestDb) {
    let m = matrix_fixture(t).await;
    let mut wrong = Vec::new();
    let mut n = 0;
    for ep in ENDPOINTS {
        for (who, secret) in &m.secrets {
            n += 1;
            let (method, path, body) = request_for(&m, ep, n).await;
            // Each call from its own network, so that the failures the matrix is made of do
            // not add up to the failed-authentication limit.
            let from = format!("2001:db8:{n:x}::1");
            let r = m
                .app
                .api_from(method, &path, secret.as_deref(), body, &from)
                .await;
            let want = expected(ep, *who);
            if r.status.as_u16() != want {
                wrong.push(format!(
                    "{} as {who:?}: {} (expected {want}) {}",
                    ep.name,
                    r.status.as_u16(),
                    &r.body.chars().take(200).collect::<String>()
                ));
            }
            if want >= 400 {
                assert_eq!(
                    r.header("content-type"),
                    Some("application/problem+json"),
                    "{} as {who:?}",
                    ep.name
                );
            }
        }
    }
    assert_eq!(n, ENDPOINTS.len() * EVERY_WHO.len());
    assert!(
        wrong.is_empty(),
        "{} of {n} calls answered wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

async fn failed_token_authentications_are_throttled_per_address(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let acme = app.org("Acme").await;
    let valid = acme
        .admin
        .with_token(TokenKind::Organization, BuiltinRole::Viewer)
        .await
        .secret;
    // Well-formed, so each one is looked up: a guess.
    let guess = || app::server::auth::token_secret::generate(TokenKind::Organization).0;
    let burst = gatehouse::runtime::GovernorThrottle::AUTH_FAILURE_BURST;
    for _ in 0..burst {
        let r = app
            .api_from(
                Method::GET,
                "/me",
                Some(guess().expose()),
                None,
                "203.0.113.9",
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let r = app
        .api_from(
            Method::GET,
            "/me",
            Some(guess().expose()),
            None,
            "203.0.113.9",
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert!(
        r.body
            .contains("Too many requests with an invalid access token"),
        "{}",
        r.body
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    // From that address even a valid token waits, so that a hit cannot be told from a miss…
    let r = app
        .api_from(Method::GET, "/me", Some(&valid), None, "203.0.113.9")
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // …and elsewhere it works.
    let r = app
        .api_from(Method::GET, "/me", Some(&valid), None, "198.51.100.7")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .api_from(
            Method::GET,
            "/me",
            Some(guess().expose()),
            None,
            "198.51.100.7",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}

on_both_databases!(
    every_endpoint_answers_every_kind_of_token_as_the_rules_say,
    failed_token_authentications_are_throttled_per_address,
);
