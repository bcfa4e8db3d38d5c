//! The REST API through the real router, on both databases: every endpoint as every kind of
//! token (the exact status rules 1–5 give each), the OpenAPI document against the routes the
//! router serves, tokens following their owners, problem documents, paging and the audit export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{
    TestDb, add_member, caller, ctx, fixture_event,
    harness::{Reply, TestApp},
    new_org,
};
use app::{
    backend::{
        AppState,
        access_tokens::{self as tok, TokenRequest},
        directory::{self as dir, Caller},
        invitations as inv,
        store::MemberUser,
    },
    model::{Binding, InviteRequest, OrgId, OrgSettings, TokenKind, UserId},
    policy::{BuiltinRole, Permission, PermissionSet, RoleId},
};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn bind(role: BuiltinRole) -> Binding {
    Binding {
        role: RoleId::Builtin(role),
        project: None,
    }
}

/// Creates a token through the service and returns (id, secret).
async fn token(
    state: &AppState,
    by: &Caller,
    kind: TokenKind,
    role: BuiltinRole,
    days: Option<u32>,
) -> (String, String) {
    let (t, secret) = tok::create(
        state,
        &ctx(),
        by,
        TokenRequest {
            name: format!("{kind:?} {role:?}"),
            kind,
            role: RoleId::Builtin(role),
            expires_in_days: days,
        },
    )
    .await
    .unwrap();
    (t.id.to_string(), secret.expose().to_string())
}

impl TestApp {
    async fn api(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.api_from(method, path, bearer, body, "192.0.2.20")
            .await
    }

    async fn api_from(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
        from: &str,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap(), from).await
    }
}

fn json_of(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

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
    org: OrgId,
    admin: UserId,
    admin_caller: Caller,
    secrets: Vec<(Who, Option<String>)>,
}

async fn matrix_fixture(t: &TestDb) -> Matrix {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    inv::update_settings(
        &s,
        &ctx(),
        &admin_caller,
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
    let viewer = add_member(&s, org, BuiltinRole::Editor).await;
    let editor = add_member(&s, org, BuiltinRole::Editor).await;
    let demoted = add_member(&s, org, BuiltinRole::Admin).await;
    let leaving = add_member(&s, org, BuiltinRole::Editor).await;
    let (_, viewer_secret) = token(
        &s,
        &caller(&s, org, viewer).await,
        TokenKind::User,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    let (_, editor_secret) = token(
        &s,
        &caller(&s, org, editor).await,
        TokenKind::User,
        BuiltinRole::Editor,
        None,
    )
    .await;
    let (_, admin_secret) =
        token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let (_, demoted_secret) = token(
        &s,
        &caller(&s, org, demoted).await,
        TokenKind::User,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let (_, leaving_secret) = token(
        &s,
        &caller(&s, org, leaving).await,
        TokenKind::User,
        BuiltinRole::Editor,
        None,
    )
    .await;
    let (_, expiring_secret) = token(
        &s,
        &admin_caller,
        TokenKind::User,
        BuiltinRole::Admin,
        Some(7),
    )
    .await;
    let (deleted_id, deleted_secret) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let (_, org_viewer) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    let (_, org_editor) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Editor,
        None,
    )
    .await;
    let (_, org_admin) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let (other, other_admin) = new_org(&s, "Globex").await;
    let (_, other_secret) = token(
        &s,
        &caller(&s, other, other_admin).await,
        TokenKind::User,
        BuiltinRole::Admin,
        None,
    )
    .await;

    // The token managers: a custom role {org.read, members.read, tokens.create, tokens.manage}, a member who
    // holds it with a user token of it, and an organization token of it.
    let manager_role = dir::create_role(
        &s,
        &ctx(),
        &admin_caller,
        "Token managers",
        "",
        &token_manager()
            .iter()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let manager = s
        .store
        .add_member(
            org,
            MemberUser::New(app::backend::store::NewUser {
                id: UserId::new(),
                email: "token-manager@example.com".into(),
                name: "Token Manager".into(),
                password_hash: "x".into(),
            }),
            &[Binding {
                role: RoleId::Custom(manager_role.id),
                project: None,
            }],
            &[],
            fixture_event(org),
        )
        .await
        .unwrap();
    let managed = |kind, by: Caller| {
        let s = s.clone();
        async move {
            tok::create(
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
    let user_manager = managed(TokenKind::User, caller(&s, org, manager).await).await;
    let org_manager = managed(TokenKind::Organization, admin_caller.clone()).await;

    // After creation: demote one owner, deactivate another, delete one token, let one expire.
    dir::update_member(
        &s,
        &ctx(),
        &admin_caller,
        demoted,
        vec![bind(BuiltinRole::Viewer)],
        vec![],
    )
    .await
    .unwrap();
    dir::set_member_active(&s, &ctx(), &admin_caller, leaving, false)
        .await
        .unwrap();
    tok::delete(&s, &ctx(), &admin_caller, deleted_id.parse().unwrap())
        .await
        .unwrap();
    app.clock.advance_ms(8 * DAY_MS);

    // One character changed: the checksum no longer matches.
    let mut bad = admin_secret.clone().into_bytes();
    bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
    secrets.extend([
        (Who::BadChecksum, Some(String::from_utf8(bad).unwrap())),
        (Who::Expired, Some(expiring_secret)),
        (Who::Deleted, Some(deleted_secret)),
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
    Matrix {
        app,
        org,
        admin,
        admin_caller,
        secrets,
    }
}

/// Makes fresh targets for one call of `ep` and returns its method, path and body.
async fn request_for(m: &Matrix, ep: &Ep, n: usize) -> (Method, String, Option<Value>) {
    let s = &m.app.state;
    let a = &m.admin_caller;
    let unique = format!("{n}-{}", uuid::Uuid::now_v7().simple());
    let fresh_member = || add_member(s, m.org, BuiltinRole::Viewer);
    let fresh_role = || async {
        dir::create_role(
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
    let fresh_group = || dir::create_group(s, &c, a, &group_name);
    let fresh_project = || dir::create_project(s, &c, a, &project_name, None);
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
        "GET /members/{user}" => (Method::GET, format!("/members/{}", m.admin), None),
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
            dir::set_member_active(s, &ctx(), a, u, false)
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
            dir::add_group_member(s, &ctx(), a, g, u).await.unwrap();
            (Method::DELETE, format!("/groups/{g}/members/{u}"), None)
        }
        "GET /projects" => (Method::GET, "/projects".into(), None),
        "POST /projects" => (
            Method::POST,
            "/projects".into(),
            Some(json!({"name": format!("Apollo {unique}"), "owner": m.admin})),
        ),
        "GET /projects/{id}" => (
            Method::GET,
            format!("/projects/{}", fresh_project().await.unwrap()),
            None,
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
            let (id, _) = token(s, a, TokenKind::User, BuiltinRole::Viewer, None).await;
            (Method::POST, format!("/tokens/{id}/regenerate"), None)
        }
        "POST /tokens/{id}/regenerate (an Admin organization token)" => {
            let (id, _) = token(s, a, TokenKind::Organization, BuiltinRole::Admin, None).await;
            (Method::POST, format!("/tokens/{id}/regenerate"), None)
        }
        "DELETE /tokens/{id} (the Admin's user token)" => {
            let (id, _) = token(s, a, TokenKind::User, BuiltinRole::Viewer, None).await;
            (Method::DELETE, format!("/tokens/{id}"), None)
        }
        "DELETE /tokens/{id} (an Admin organization token)" => {
            let (id, _) = token(s, a, TokenKind::Organization, BuiltinRole::Admin, None).await;
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
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, valid) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    // Well-formed, so each one is looked up: a guess.
    let guess = || app::backend::tokens::generate(TokenKind::Organization).0;
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

// ---- the OpenAPI document ------------------------------------------------------------------

/// SPEC §3's table, typed out here rather than taken from the code.
const SPEC_ROUTES: &[(&str, &str)] = &[
    ("get", "/me"),
    ("get", "/members"),
    ("get", "/members/{user_id}"),
    ("patch", "/members/{user_id}"),
    ("post", "/members/{user_id}/deactivate"),
    ("post", "/members/{user_id}/reactivate"),
    ("delete", "/members/{user_id}"),
    ("get", "/invitations"),
    ("post", "/invitations"),
    ("post", "/invitations/{id}/resend"),
    ("delete", "/invitations/{id}"),
    ("get", "/roles"),
    ("post", "/roles"),
    ("get", "/roles/{id}"),
    ("patch", "/roles/{id}"),
    ("delete", "/roles/{id}"),
    ("get", "/groups"),
    ("post", "/groups"),
    ("patch", "/groups/{id}"),
    ("delete", "/groups/{id}"),
    ("put", "/groups/{id}/members/{user_id}"),
    ("delete", "/groups/{id}/members/{user_id}"),
    ("get", "/projects"),
    ("post", "/projects"),
    ("patch", "/projects/{id}"),
    ("delete", "/projects/{id}"),
    ("get", "/tokens"),
    ("post", "/tokens"),
    ("post", "/tokens/{id}/regenerate"),
    ("delete", "/tokens/{id}"),
    ("get", "/audit"),
    ("get", "/openapi.json"),
];

async fn the_openapi_document_lists_every_route_the_router_serves(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let r = app.api(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = json_of(&r);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    let mut op_ids = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(op) = item.get(method) {
                operations.push((method.to_string(), path.clone()));
                let op_id = op["operationId"].as_str().expect("operationId").to_string();
                assert!(
                    !op_ids.contains(&op_id),
                    "operationId {op_id} is not unique"
                );
                op_ids.push(op_id);
                // Every operation documents its success and, when it takes a token, 401.
                let responses = op["responses"].as_object().expect("responses");
                assert!(
                    responses.keys().any(|k| k.starts_with('2')),
                    "{method} {path}"
                );
                if path != "/openapi.json" {
                    assert!(
                        responses.contains_key("401"),
                        "{method} {path} documents 401"
                    );
                }
            }
        }
    }
    for (method, path) in SPEC_ROUTES {
        assert!(
            operations.iter().any(|(m, p)| m == method && p == path),
            "SPEC route {method} {path} is missing from the document"
        );
    }
    // Every documented operation is served: without a token it is refused as unauthenticated
    // (never 404 or 405); the document itself is public.
    let some_id = uuid::Uuid::now_v7().to_string();
    for (method, path) in &operations {
        let concrete = path
            .replace("{user_id}", &some_id)
            .replace("{id}", &some_id);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app.api(method.clone(), &concrete, None, None).await;
        let want = if path == "/openapi.json" { 200 } else { 401 };
        assert_eq!(r.status.as_u16(), want, "{method} {path}: {}", r.body);
    }
    // And a route that is not documented is not served.
    let r = app.api(Method::GET, "/users", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

/// The document states the bounds the server enforces, and the server takes what the document
/// allows: an empty query parameter is an absent one, and a role name a built-in role holds is
/// taken (409), as a custom role's would be.
async fn the_document_and_the_server_agree_on_what_is_valid(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;

    let doc = json_of(&app.api(Method::GET, "/openapi.json", None, None).await);
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has no parameter {name}"))["schema"]
            .clone()
    };
    for path in [
        "/members",
        "/invitations",
        "/roles",
        "/groups",
        "/projects",
        "/tokens",
        "/audit",
    ] {
        let limit = param(path, "limit");
        assert_eq!(
            (limit["minimum"].as_i64(), limit["maximum"].as_i64()),
            (Some(1), Some(100)),
            "{path}: {limit}"
        );
        // What the document rules out, the server refuses; its bounds are still served.
        let refused = app
            .api(Method::GET, &format!("{path}?limit=0"), Some(&secret), None)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let served = app
            .api(Method::GET, &format!("{path}?limit=1"), Some(&secret), None)
            .await;
        assert_eq!(served.status, StatusCode::OK, "{path}: {}", served.body);
    }
    assert_eq!(param("/members", "q")["maxLength"], 200);
    assert_eq!(param("/audit", "format")["enum"], json!(["json", "csv"]));

    // Empty parameters, as a form or a URL template leaves them, mean absent.
    for query in [
        "/members?status=&q=&role=&group=&two_factor=&limit=&cursor=",
        "/invitations?status=&limit=&cursor=",
        "/tokens?kind=&limit=",
        "/groups?limit=&cursor=",
        "/audit?actor=&action=&target=&since=&until=&format=&limit=&cursor=",
    ] {
        let r = app.api(Method::GET, query, Some(&secret), None).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    }
    let r = app
        .api(Method::GET, "/members?role=&q=", Some(&secret), None)
        .await;
    assert_eq!(json_of(&r)["total"], 1, "the filter is off: {}", r.body);

    // Names: one line of 1 to 64 characters, stated as such.
    let schemas = &doc["components"]["schemas"];
    for schema in ["NewGroup", "NewProject", "NewRole", "TokenRequest"] {
        let name = &schemas[schema]["properties"]["name"];
        assert_eq!(
            (name["minLength"].as_i64(), name["maxLength"].as_i64()),
            (Some(1), Some(64)),
            "{schema}: {name}"
        );
        assert!(name["pattern"].is_string(), "{schema}: {name}");
    }
    assert_eq!(
        schemas["TokenRequest"]["properties"]["expires_in_days"]["enum"],
        json!([7, 30, 90, 365, null])
    );
    assert_eq!(
        schemas["InviteRequest"]["properties"]["email"]["maxLength"],
        254
    );
    assert_eq!(
        schemas["NewRole"]["properties"]["permissions"]["minItems"],
        1
    );

    let r = app
        .api(
            Method::POST,
            "/roles",
            Some(&secret),
            Some(json!({"name": "ADMIN", "permissions": ["org.read"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(json_of(&r)["code"], "role_name_taken");
}

// ---- tokens follow their owners; regenerate and delete act at once ------------------------

async fn user_tokens_follow_their_owner_and_changes_act_on_the_next_request(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let editor = add_member(&s, org, BuiltinRole::Editor).await;
    let editor_caller = caller(&s, org, editor).await;
    let (id, secret) = token(
        &s,
        &editor_caller,
        TokenKind::User,
        BuiltinRole::Editor,
        Some(30),
    )
    .await;

    let me = app.api(Method::GET, "/me", Some(&secret), None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let body = json_of(&me);
    assert_eq!(body["kind"], "user_token");
    assert_eq!(body["token"]["id"], id);
    assert_eq!(body["token"]["role"], "editor");
    assert_eq!(body["user"]["id"], editor.to_string());
    assert_eq!(body["organization"]["slug"], "acme");
    let perms: Vec<&str> = body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        perms,
        [
            "org.read",
            "members.read",
            "tokens.create",
            "resources.read",
            "resources.write"
        ]
    );
    // Last use is recorded with the client's address.
    let listed = tok::list(&s, &admin_caller, None).await.unwrap();
    assert_eq!(listed[0].last_used_addr.as_deref(), Some("192.0.2.20"));

    // Deactivated: refused; reactivated: works again.
    dir::set_member_active(&s, &ctx(), &admin_caller, editor, false)
        .await
        .unwrap();
    let r = app.api(Method::GET, "/me", Some(&secret), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    dir::set_member_active(&s, &ctx(), &admin_caller, editor, true)
        .await
        .unwrap();
    assert_eq!(
        app.api(Method::GET, "/me", Some(&secret), None)
            .await
            .status,
        StatusCode::OK
    );

    // Demoted: the token shrinks with its owner at once.
    dir::update_member(
        &s,
        &ctx(),
        &admin_caller,
        editor,
        vec![bind(BuiltinRole::Viewer)],
        vec![],
    )
    .await
    .unwrap();
    let body = json_of(&app.api(Method::GET, "/me", Some(&secret), None).await);
    assert_eq!(
        body["permissions"],
        json!(["org.read", "members.read", "resources.read"])
    );
    let r = app.api(Method::GET, "/tokens", Some(&secret), None).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "tokens.create is gone with the owner's Editor role"
    );
    dir::update_member(
        &s,
        &ctx(),
        &admin_caller,
        editor,
        vec![bind(BuiltinRole::Editor)],
        vec![],
    )
    .await
    .unwrap();

    // Regenerate through the API: the old secret fails on the very next request.
    let r = app
        .api(
            Method::POST,
            &format!("/tokens/{id}/regenerate"),
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_secret = json_of(&r)["secret"].as_str().unwrap().to_string();
    assert!(new_secret.starts_with("gth_u_"));
    assert_eq!(
        app.api(Method::GET, "/me", Some(&secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(Method::GET, "/me", Some(&new_secret), None)
            .await
            .status,
        StatusCode::OK
    );
    // The list never shows a secret.
    let r = app
        .api(Method::GET, "/tokens", Some(&new_secret), None)
        .await;
    assert!(!r.body.contains(&new_secret[6..]), "no secret in lists");
    assert_eq!(
        json_of(&r)["items"][0]["last_four"],
        &new_secret[new_secret.len() - 4..]
    );

    // Expiry: 30 days later it stops.
    app.clock.advance_ms(31 * DAY_MS);
    let r = app.api(Method::GET, "/me", Some(&new_secret), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(json_of(&r)["detail"].as_str().unwrap().contains("expired"));

    // Delete: the next call is 401.
    let (_, org_secret) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let created = app
        .api(
            Method::POST,
            "/tokens",
            Some(&org_secret),
            Some(json!({"name": "short-lived", "kind": "organization", "role": "viewer"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = json_of(&created);
    let victim = created["secret"].as_str().unwrap().to_string();
    assert!(victim.starts_with("gth_o_"));
    assert_eq!(
        app.api(Method::GET, "/me", Some(&victim), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .api(
            Method::DELETE,
            &format!("/tokens/{}", created["token"]["id"].as_str().unwrap()),
            Some(&org_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.api(Method::GET, "/me", Some(&victim), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn removing_a_member_with_tokens_is_refused_until_they_are_revoked(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, admin_secret) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let editor = add_member(&s, org, BuiltinRole::Editor).await;
    let editor_caller = caller(&s, org, editor).await;
    let (_, editor_secret) = token(
        &s,
        &editor_caller,
        TokenKind::User,
        BuiltinRole::Editor,
        None,
    )
    .await;
    token(
        &s,
        &editor_caller,
        TokenKind::User,
        BuiltinRole::Viewer,
        None,
    )
    .await;

    let r = app
        .api(
            Method::DELETE,
            &format!("/members/{editor}"),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:conflict:has_tokens");
    assert_eq!(
        p["detail"],
        "This member has 2 active access tokens; revoke them first"
    );
    assert_eq!(
        app.api(Method::GET, "/me", Some(&editor_secret), None)
            .await
            .status,
        StatusCode::OK
    );
    let member = json_of(
        &app.api(
            Method::GET,
            &format!("/members/{editor}"),
            Some(&admin_secret),
            None,
        )
        .await,
    );
    assert_eq!(member["status"], "active", "the refusal changed nothing");

    let r = app
        .api(
            Method::DELETE,
            &format!("/members/{editor}?revoke_tokens=true"),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.api(Method::GET, "/me", Some(&editor_secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let member = json_of(
        &app.api(
            Method::GET,
            &format!("/members/{editor}"),
            Some(&admin_secret),
            None,
        )
        .await,
    );
    assert_eq!(member["status"], "archived");
    let r = app
        .api(
            Method::POST,
            &format!("/members/{editor}/reactivate"),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a removed member never comes back: {}",
        r.body
    );
    // The removed member's tokens stay listed, revoked: "user has been deleted".
    let listed = json_of(
        &app.api(Method::GET, "/tokens", Some(&admin_secret), None)
            .await,
    );
    let theirs: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["owner"]["id"] == json!(editor))
        .collect();
    assert_eq!(theirs.len(), 2, "{listed}");
    assert!(
        theirs.iter().all(|t| t["status"] == "owner_removed"),
        "{listed}"
    );
    // Invited back, they get a fresh start, not their old tokens.
    s.store
        .add_member(
            org,
            MemberUser::Existing(editor),
            &[bind(BuiltinRole::Editor)],
            &[],
            fixture_event(org),
        )
        .await
        .unwrap();
    assert_eq!(
        app.api(Method::GET, "/me", Some(&editor_secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a revoked token never works again"
    );
    let back = caller(&s, org, editor).await;
    let old_id: app::model::TokenId = theirs[0]["id"].as_str().unwrap().parse().unwrap();
    let r = tok::regenerate(&s, &ctx(), &back, old_id).await;
    assert!(
        matches!(&r, Err(app::error::AppError::Conflict { code, .. }) if code == "token_revoked"),
        "{r:?}"
    );
    let listed = json_of(
        &app.api(Method::GET, "/tokens", Some(&admin_secret), None)
            .await,
    );
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["owner"]["id"] == json!(editor))
            .all(|t| t["status"] == "owner_removed"),
        "still revoked after coming back: {listed}"
    );

    // An organization token made by a member who is later removed keeps working, marked for
    // review.
    let ops = add_member(&s, org, BuiltinRole::Admin).await;
    let (ops_token_id, ops_token) = token(
        &s,
        &caller(&s, org, ops).await,
        TokenKind::Organization,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    let r = app
        .api(
            Method::DELETE,
            &format!("/members/{ops}"),
            Some(&admin_secret),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.api(Method::GET, "/me", Some(&ops_token), None)
            .await
            .status,
        StatusCode::OK
    );
    let listed = json_of(
        &app.api(Method::GET, "/tokens", Some(&admin_secret), None)
            .await,
    );
    for t in listed["items"].as_array().unwrap() {
        assert_eq!(
            t["creator_removed"],
            json!(t["id"] == json!(ops_token_id)),
            "{t}"
        );
    }
}

// ---- problems, paging, audit ---------------------------------------------------------------

async fn bad_input_gets_a_problem_document_and_changes_nothing(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let before =
        json_of(&app.api(Method::GET, "/audit", Some(&secret), None).await)["total"].clone();

    let r = app
        .api(
            Method::POST,
            "/roles",
            Some(&secret),
            Some(json!({"name": "", "permissions": ["org.read", "root"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:invalid-input");
    assert_eq!(p["status"], 422);
    assert!(
        p["errors"]["name"]
            .as_str()
            .unwrap()
            .contains("Enter a role name"),
        "{p}"
    );

    let r = app
        .api(
            Method::POST,
            "/invitations",
            Some(&secret),
            Some(json!({"email": "not an address", "bindings": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(json_of(&r)["errors"]["email"].is_string(), "{}", r.body);

    let r = app
        .api(
            Method::POST,
            "/groups",
            Some(&secret),
            Some(json!({"nome": "typo"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&r)["errors"]["body"]
            .as_str()
            .unwrap()
            .contains("nome"),
        "{}",
        r.body
    );

    let mut req = Request::post("/api/v1/groups")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "application/json");
    req = req.header(header::ACCEPT, "application/json");
    let r = app
        .send(req.body(Body::from("{not json")).unwrap(), "192.0.2.20")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&r)["type"], "urn:gatehouse:problem:bad-request");

    // A browser's cross-site POST with a cookie and no token: refused before any handler, as a
    // problem document like every other API error.
    let req = Request::post("/api/v1/groups")
        .header(header::COOKIE, "gatehouse_session=whatever")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json");
    let r = app
        .send(
            req.body(Body::from(r#"{"name":"x"}"#)).unwrap(),
            "192.0.2.20",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    let p = json_of(&r);
    assert_eq!(p["type"], "urn:gatehouse:problem:forbidden");
    assert_eq!(
        p["detail"],
        "This request came from another site and was refused"
    );

    let r = app
        .api(Method::GET, "/members?limit=101", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(&r)["errors"]["limit"].is_string());
    let r = app
        .api(Method::GET, "/members?status=gone", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(Method::GET, "/members/not-a-uuid", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(Method::GET, "/audit?format=xml", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Built-in roles are neither edited nor deleted.
    let r = app
        .api(
            Method::PATCH,
            "/roles/admin",
            Some(&secret),
            Some(json!({"name": "Boss"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(json_of(&r)["code"], "builtin_role");
    let r = app
        .api(Method::DELETE, "/roles/viewer", Some(&secret), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The last Admin cannot be demoted.
    let r = app
        .api(
            Method::PATCH,
            &format!("/members/{admin}"),
            Some(&secret),
            Some(json!({"bindings": [{"role": "viewer", "project": null}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(json_of(&r)["code"], "last_admin");

    // Rule 3: an Editor's token cannot make an Admin token.
    let editor = add_member(&s, org, BuiltinRole::Editor).await;
    let (_, editor_secret) = token(
        &s,
        &caller(&s, org, editor).await,
        TokenKind::User,
        BuiltinRole::Editor,
        None,
    )
    .await;
    let r = app
        .api(
            Method::POST,
            "/tokens",
            Some(&editor_secret),
            Some(json!({"name": "x", "kind": "user", "role": "admin"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let after =
        json_of(&app.api(Method::GET, "/audit", Some(&secret), None).await)["total"].clone();
    // Only the fixtures above wrote anything (the member and the Editor's token).
    assert_eq!(after.as_i64().unwrap(), before.as_i64().unwrap() + 2);
}

async fn lists_page_with_a_cursor_and_a_total(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    for _ in 0..6 {
        add_member(&s, org, BuiltinRole::Viewer).await;
    }
    for i in 0..3 {
        dir::create_group(&s, &ctx(), &admin_caller, &format!("Group {i}"))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/members?limit=3&cursor={c}"),
            None => "/members?limit=3".into(),
        };
        let page = json_of(&app.api(Method::GET, &path, Some(&secret), None).await);
        assert_eq!(page["total"], 7);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["name"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(seen, sorted, "alphabetical across pages");

    let first = json_of(
        &app.api(Method::GET, "/groups?limit=2", Some(&secret), None)
            .await,
    );
    assert_eq!(
        (
            first["items"].as_array().unwrap().len(),
            first["total"].as_i64()
        ),
        (2, Some(3))
    );
    let next = first["next_cursor"].as_str().unwrap();
    let second = json_of(
        &app.api(
            Method::GET,
            &format!("/groups?limit=2&cursor={next}"),
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);

    // Roles list the built-ins first, with their fixed ids.
    let roles = json_of(&app.api(Method::GET, "/roles", Some(&secret), None).await);
    let ids: Vec<&str> = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["viewer", "editor", "admin"]);
}

async fn the_audit_log_filters_pages_and_exports(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let start = app.state.now();
    for i in 0..4 {
        app.clock.advance_ms(1000);
        let r = app
            .api(
                Method::POST,
                "/groups",
                Some(&secret),
                Some(json!({"name": format!("Team \"{i}\", with commas")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    app.clock.advance_ms(1000);
    let r = app
        .api(Method::POST, "/invitations", Some(&secret), Some(json!({"email": "grace@example.com", "bindings": [{"role": "viewer", "project": null}]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let groups = json_of(
        &app.api(
            Method::GET,
            "/audit?action=group.created&limit=3",
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(groups["total"], 4);
    assert_eq!(groups["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        groups["items"][0]["target"]["label"], "Team \"3\", with commas",
        "newest first"
    );
    assert_eq!(groups["items"][0]["actor"]["kind"], "token");
    let next = groups["next_cursor"].as_str().unwrap();
    let rest = json_of(
        &app.api(
            Method::GET,
            &format!("/audit?action=group.created&limit=3&cursor={next}"),
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        rest["items"][0]["target"]["label"],
        "Team \"0\", with commas"
    );

    let family = json_of(
        &app.api(Method::GET, "/audit?action=member.*", Some(&secret), None)
            .await,
    );
    assert_eq!(family["total"], 1);
    assert_eq!(family["items"][0]["action"], "member.invited");
    let by_target = json_of(
        &app.api(
            Method::GET,
            "/audit?target=GRACE@example.com",
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(by_target["total"], 1);
    let window = format!(
        "/audit?action=group.*&since={}&until={}",
        start + 2000,
        start + 4000
    );
    assert_eq!(
        json_of(&app.api(Method::GET, &window, Some(&secret), None).await)["total"],
        2
    );
    let r = app
        .api(
            Method::GET,
            "/audit?since=1970-01-01&until=1970-01-02",
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(json_of(&r)["total"], 0);

    let csv = app
        .api(
            Method::GET,
            "/audit?format=csv&action=group.*",
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("audit.csv")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,time,actor_kind,actor_id,actor,action,target_kind,target_id,target,before,after,client_addr"
    );
    assert_eq!(csv.body.lines().count(), 5);
    assert!(
        csv.body.contains(r#""Team ""2"", with commas""#),
        "quoted: {}",
        csv.body
    );

    let export = app
        .api(Method::GET, "/audit?format=json", Some(&secret), None)
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let all: Vec<Value> = serde_json::from_str(&export.body).unwrap();
    let total = json_of(&app.api(Method::GET, "/audit", Some(&secret), None).await)["total"]
        .as_u64()
        .unwrap();
    assert_eq!(all.len() as u64, total);
    let empty = app
        .api(
            Method::GET,
            "/audit?format=json&action=nothing.happened",
            Some(&secret),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&empty.body)
            .unwrap()
            .len(),
        0
    );

    // A Viewer's token cannot read the log.
    let (_, viewer) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    assert_eq!(
        app.api(Method::GET, "/audit?format=csv", Some(&viewer), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Another organization's events never show.
    let (other, other_admin) = new_org(&s, "Globex").await;
    let (_, other_secret) = token(
        &s,
        &caller(&s, other, other_admin).await,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let theirs = json_of(
        &app.api(
            Method::GET,
            "/audit?action=group.*",
            Some(&other_secret),
            None,
        )
        .await,
    );
    assert_eq!(theirs["total"], 0);
}

async fn a_profile_lists_ones_own_tokens_in_every_organization(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (acme, acme_admin) = new_org(&s, "Acme").await;
    let (globex, globex_admin) = new_org(&s, "Globex").await;
    let person = add_member(&s, acme, BuiltinRole::Editor).await;
    s.store
        .add_member(
            globex,
            MemberUser::Existing(person),
            &[bind(BuiltinRole::Admin)],
            &[],
            fixture_event(globex),
        )
        .await
        .unwrap();
    token(
        &s,
        &caller(&s, acme, person).await,
        TokenKind::User,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    token(
        &s,
        &caller(&s, globex, person).await,
        TokenKind::User,
        BuiltinRole::Admin,
        None,
    )
    .await;
    // Not theirs: an organization token they created, and others' tokens.
    let globex_person = caller(&s, globex, person).await;
    token(
        &s,
        &globex_person,
        TokenKind::Organization,
        BuiltinRole::Viewer,
        None,
    )
    .await;
    token(
        &s,
        &caller(&s, acme, acme_admin).await,
        TokenKind::User,
        BuiltinRole::Admin,
        None,
    )
    .await;
    token(
        &s,
        &caller(&s, globex, globex_admin).await,
        TokenKind::User,
        BuiltinRole::Admin,
        None,
    )
    .await;

    let own = tok::own_tokens(&s, person).await.unwrap();
    let seen: Vec<(&str, &str)> = own
        .iter()
        .map(|o| (o.org.name.as_str(), o.token.role_name.as_str()))
        .collect();
    assert_eq!(seen, [("Acme", "Viewer"), ("Globex", "Admin")]);
    assert!(
        own.iter().all(|o| o.token.kind == TokenKind::User
            && o.token.owner.as_ref().map(|u| u.id) == Some(person))
    );
    // Deactivated in one organization: listed there with that status.
    dir::set_member_active(
        &s,
        &ctx(),
        &caller(&s, acme, acme_admin).await,
        person,
        false,
    )
    .await
    .unwrap();
    let own = tok::own_tokens(&s, person).await.unwrap();
    assert_eq!(
        own[0].token.status,
        app::model::TokenStatus::OwnerDeactivated
    );
    assert_eq!(own[1].token.status, app::model::TokenStatus::Active);
}

/// The reported escalation, over HTTP: an Editor organization token (tokens.create, no
/// tokens.manage) and a token manager without Admin cannot re-issue or revoke an Admin token.
async fn nobody_takes_over_a_token_they_could_not_create(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (admin_org_id, admin_org_secret) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let (admin_user_id, admin_user_secret) =
        token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let (_, editor_org) = token(
        &s,
        &admin_caller,
        TokenKind::Organization,
        BuiltinRole::Editor,
        None,
    )
    .await;
    for id in [&admin_org_id, &admin_user_id] {
        let r = app
            .api(
                Method::POST,
                &format!("/tokens/{id}/regenerate"),
                Some(&editor_org),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert!(!r.body.contains("gth_"), "no secret: {}", r.body);
        let r = app
            .api(
                Method::DELETE,
                &format!("/tokens/{id}"),
                Some(&editor_org),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    // A custom role holding tokens.manage but not Admin: sees and may revoke, never re-issues.
    let managers = dir::create_role(
        &s,
        &ctx(),
        &admin_caller,
        "Token managers",
        "",
        &[
            "org.read".into(),
            "members.read".into(),
            "tokens.manage".into(),
        ],
    )
    .await
    .unwrap();
    let (_, manager) = tok::create(
        &s,
        &ctx(),
        &admin_caller,
        TokenRequest {
            name: "manager".into(),
            kind: TokenKind::Organization,
            role: RoleId::Custom(managers.id),
            expires_in_days: None,
        },
    )
    .await
    .unwrap();
    for id in [&admin_org_id, &admin_user_id] {
        let r = app
            .api(
                Method::POST,
                &format!("/tokens/{id}/regenerate"),
                Some(manager.expose()),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(!r.body.contains("gth_"), "no secret: {}", r.body);
    }
    // Both Admin tokens still work with their old secrets: nothing was re-issued.
    for secret in [&admin_org_secret, &admin_user_secret] {
        let r = app.api(Method::GET, "/me", Some(secret), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Revoking is what tokens.manage is for.
    let r = app
        .api(
            Method::DELETE,
            &format!("/tokens/{admin_org_id}"),
            Some(manager.expose()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(Method::GET, "/me", Some(&admin_org_secret), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Rule 5 in the member filter: another organization's group filters exactly like a group that
/// does not exist, even for a person who is a member of both organizations and of that group.
async fn another_organizations_group_filters_like_an_unknown_one(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (acme, acme_admin) = new_org(&s, "Acme").await;
    let (globex, globex_admin) = new_org(&s, "Globex").await;
    let person = add_member(&s, acme, BuiltinRole::Viewer).await;
    s.store
        .add_member(
            globex,
            MemberUser::Existing(person),
            &[bind(BuiltinRole::Viewer)],
            &[],
            fixture_event(globex),
        )
        .await
        .unwrap();
    let globex_group =
        dir::create_group(&s, &ctx(), &caller(&s, globex, globex_admin).await, "Ops")
            .await
            .unwrap();
    dir::add_group_member(
        &s,
        &ctx(),
        &caller(&s, globex, globex_admin).await,
        globex_group,
        person,
    )
    .await
    .unwrap();
    let (_, acme_token) = token(
        &s,
        &caller(&s, acme, acme_admin).await,
        TokenKind::User,
        BuiltinRole::Admin,
        None,
    )
    .await;
    let foreign = app
        .api(
            Method::GET,
            &format!("/members?group={globex_group}"),
            Some(&acme_token),
            None,
        )
        .await;
    let unknown = app
        .api(
            Method::GET,
            &format!("/members?group={}", uuid::Uuid::now_v7()),
            Some(&acme_token),
            None,
        )
        .await;
    assert_eq!(foreign.status, unknown.status);
    assert_eq!(json_of(&foreign), json_of(&unknown), "{}", foreign.body);
    assert_eq!(json_of(&foreign)["total"], 0, "{}", foreign.body);
}

/// A token named like a spreadsheet formula reaches the audit CSV as text, not as a formula.
async fn the_audit_csv_never_carries_a_formula(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let r = app
        .api(
            Method::POST,
            "/tokens",
            Some(&secret),
            Some(json!({"name": evil, "kind": "user", "role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let csv = app
        .api(Method::GET, "/audit?format=csv", Some(&secret), None)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut found = 0;
    for record in csv::Reader::from_reader(csv.body.as_bytes()).records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula reached the export: {cell}"
            );
            if cell == format!("'{evil}") {
                found += 1;
            }
        }
    }
    assert!(
        found >= 1,
        "the token's name is there, as text: {}",
        csv.body
    );
}

/// One request is one transaction: a request refused part-way leaves nothing of itself behind,
/// and a request that succeeds writes all of its audit events together.
async fn a_refused_request_leaves_nothing_behind(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let audit_count = || async { s.store.audit_events(Some(org), 1000).await.unwrap().len() };
    let unknown_role = json!([{"role": uuid::Uuid::now_v7(), "project": null}]);

    // A new group with an unknown role: refused, and no group is left behind.
    let before = audit_count().await;
    let r = app
        .api(
            Method::POST,
            "/groups",
            Some(&secret),
            Some(json!({"name": "Ops", "bindings": unknown_role})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let groups = json_of(&app.api(Method::GET, "/groups", Some(&secret), None).await);
    assert_eq!(groups["items"].as_array().unwrap().len(), 0, "{groups}");
    assert_eq!(audit_count().await, before, "no audit event either");

    // Renaming and rebinding together, with a bad binding: the name stays too.
    let g = dir::create_group(&s, &ctx(), &admin_caller, "Ops")
        .await
        .unwrap();
    let before = audit_count().await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/groups/{g}"),
            Some(&secret),
            Some(json!({"name": "Renamed", "bindings": unknown_role})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let group = json_of(
        &app.api(Method::GET, &format!("/groups/{g}"), Some(&secret), None)
            .await,
    );
    assert_eq!(group["name"], "Ops", "{group}");
    assert_eq!(audit_count().await, before);

    // A project renamed and handed to someone who is not a member: neither happens.
    let p = dir::create_project(&s, &ctx(), &admin_caller, "Apollo", None)
        .await
        .unwrap();
    let before = audit_count().await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/projects/{p}"),
            Some(&secret),
            Some(json!({"name": "Gemini", "owner": uuid::Uuid::now_v7()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let project = json_of(
        &app.api(Method::GET, &format!("/projects/{p}"), Some(&secret), None)
            .await,
    );
    assert_eq!(project["name"], "Apollo", "{project}");
    assert_eq!(audit_count().await, before);

    // Both changes valid: one write with both events.
    let other = add_member(&s, org, BuiltinRole::Viewer).await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/projects/{p}"),
            Some(&secret),
            Some(json!({"name": "Gemini", "owner": other})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = s.store.audit_events(Some(org), 2).await.unwrap();
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    assert_eq!(actions, ["project.owner_changed", "project.renamed"]);
    assert_eq!(events[0].at, events[1].at);
}

// ---- list lengths and per-organization limits ----------------------------------------------

async fn audit_total(app: &TestApp, secret: &str) -> i64 {
    json_of(&app.api(Method::GET, "/audit", Some(secret), None).await)["total"]
        .as_i64()
        .unwrap()
}

async fn long_lists_are_refused_and_repeats_count_once(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let member = add_member(&s, org, BuiltinRole::Viewer).await;
    let group = dir::create_group(&s, &ctx(), &admin_caller, "Ops")
        .await
        .unwrap();
    let before = audit_total(&app, &secret).await;
    let many_bindings = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"role": if i % 2 == 0 { "viewer" } else { "editor" }, "project": null}))
            .collect()
    };
    let many_groups = |n: usize| -> Value { (0..n).map(|_| json!(group)).collect() };

    let refused = [
        (
            Method::PATCH,
            format!("/members/{member}"),
            json!({"bindings": many_bindings(101)}),
            "bindings",
            "At most 100 role bindings",
        ),
        (
            Method::PATCH,
            format!("/members/{member}"),
            json!({"groups": many_groups(101)}),
            "groups",
            "At most 100 groups",
        ),
        (
            Method::POST,
            "/groups".to_string(),
            json!({"name": "Big", "bindings": many_bindings(101)}),
            "bindings",
            "At most 100 role bindings",
        ),
        (
            Method::PATCH,
            format!("/groups/{group}"),
            json!({"name": "Renamed", "bindings": many_bindings(101)}),
            "bindings",
            "At most 100 role bindings",
        ),
        (
            Method::POST,
            "/invitations".to_string(),
            json!({"email": "x@example.com", "bindings": many_bindings(101), "groups": many_groups(101)}),
            "groups",
            "At most 100 groups",
        ),
    ];
    for (method, path, body, field, message) in refused {
        let r = app
            .api(method.clone(), &path, Some(&secret), Some(body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {}",
            r.body
        );
        let p = json_of(&r);
        assert_eq!(p["errors"][field], message, "{method} {path}: {p}");
    }
    // The invitation names both of its lists.
    let r = app
        .api(
            Method::POST,
            "/invitations",
            Some(&secret),
            Some(json!({"email": "x@example.com", "bindings": many_bindings(101), "groups": many_groups(101)})),
        )
        .await;
    assert_eq!(
        json_of(&r)["errors"]["bindings"],
        "At most 100 role bindings"
    );
    // Nothing was written.
    assert_eq!(audit_total(&app, &secret).await, before);
    let row = json_of(
        &app.api(
            Method::GET,
            &format!("/members/{member}"),
            Some(&secret),
            None,
        )
        .await,
    );
    assert_eq!(row["roles"].as_array().unwrap().len(), 1, "{row}");
    assert_eq!(row["groups"], json!([]));
    let groups = json_of(&app.api(Method::GET, "/groups", Some(&secret), None).await);
    assert_eq!(groups["total"], 1);
    assert_eq!(groups["items"][0]["name"], "Ops");
    let invitations = json_of(
        &app.api(Method::GET, "/invitations", Some(&secret), None)
            .await,
    );
    assert_eq!(invitations["total"], 0);

    // A hundred is fine, and a repeated entry counts once.
    let r = app
        .api(
            Method::PATCH,
            &format!("/members/{member}"),
            Some(&secret),
            Some(json!({"bindings": many_bindings(100), "groups": many_groups(100)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let row = json_of(&r);
    let own: Vec<&str> = row["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["via_group"].is_null())
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(own.len(), 2, "{row}");
    assert!(own.contains(&"viewer") && own.contains(&"editor"), "{row}");
    assert_eq!(row["groups"].as_array().unwrap().len(), 1, "{row}");
    let r = app
        .api(
            Method::POST,
            "/groups",
            Some(&secret),
            Some(json!({"name": "Twice", "bindings": [{"role": "editor", "project": null}, {"role": "editor", "project": null}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(json_of(&r)["bindings"].as_array().unwrap().len(), 1);
    let r = app
        .api(
            Method::POST,
            "/invitations",
            Some(&secret),
            Some(json!({"email": "x@example.com", "bindings": [{"role": "viewer", "project": null}, {"role": "viewer", "project": null}], "groups": [group, group]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(json_of(&r)["grants"], "Viewer; groups: Ops");

    // The document says so.
    let doc = json_of(&app.api(Method::GET, "/openapi.json", None, None).await);
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("MemberChange", "bindings"),
        ("MemberChange", "groups"),
        ("NewGroup", "bindings"),
        ("GroupChange", "bindings"),
        ("InviteRequest", "bindings"),
        ("InviteRequest", "groups"),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field]["maxItems"], 100,
            "{schema}.{field}: {}",
            schemas[schema]
        );
    }
}

async fn over_a_limit_the_api_answers_409_naming_it(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let s = app.state.clone();
    let (org, admin) = new_org(&s, "Acme").await;
    let admin_caller = caller(&s, org, admin).await;
    let (_, secret) = token(&s, &admin_caller, TokenKind::User, BuiltinRole::Admin, None).await;
    let settings = OrgSettings {
        custom_role_limit: 1,
        group_limit: 1,
        project_limit: 1,
        // The caller's own token is the first.
        token_limit: 2,
        ..inv::settings(&s, &admin_caller).await.unwrap()
    };
    inv::update_settings(&s, &ctx(), &admin_caller, settings)
        .await
        .unwrap();
    let creations = [
        (
            "/roles",
            json!({"name": "Auditor", "permissions": ["org.read"]}),
            json!({"name": "Reader", "permissions": ["org.read"]}),
            "1 custom role",
        ),
        (
            "/groups",
            json!({"name": "Ops"}),
            json!({"name": "Support"}),
            "1 group",
        ),
        (
            "/projects",
            json!({"name": "Apollo", "owner": admin}),
            json!({"name": "Gemini", "owner": admin}),
            "1 project",
        ),
        (
            "/tokens",
            json!({"name": "CI", "kind": "organization", "role": "viewer"}),
            json!({"name": "CD", "kind": "organization", "role": "viewer"}),
            "2 access tokens (revoked and expired ones count until deleted)",
        ),
    ];
    for (path, first, second, limit) in creations {
        let r = app
            .api(Method::POST, path, Some(&secret), Some(first))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        let r = app
            .api(Method::POST, path, Some(&secret), Some(second.clone()))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.body);
        let p = json_of(&r);
        assert_eq!(p["code"], "limit_reached");
        assert_eq!(p["type"], "urn:gatehouse:problem:conflict:limit_reached");
        assert_eq!(
            p["detail"],
            format!(
                "This organization has reached its limit of {limit}; \
                 raise it in the organization settings or delete one"
            ),
            "{path}"
        );
        let listed = json_of(&app.api(Method::GET, path, Some(&secret), None).await);
        let own = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["name"] == second["name"])
            .count();
        assert_eq!(own, 0, "{path}: the refused one is not there");
    }
}

on_both_databases!(
    a_refused_request_leaves_nothing_behind,
    the_document_and_the_server_agree_on_what_is_valid,
    the_audit_csv_never_carries_a_formula,
    another_organizations_group_filters_like_an_unknown_one,
    nobody_takes_over_a_token_they_could_not_create,
    a_profile_lists_ones_own_tokens_in_every_organization,
    every_endpoint_answers_every_kind_of_token_as_the_rules_say,
    the_openapi_document_lists_every_route_the_router_serves,
    user_tokens_follow_their_owner_and_changes_act_on_the_next_request,
    removing_a_member_with_tokens_is_refused_until_they_are_revoked,
    bad_input_gets_a_problem_document_and_changes_nothing,
    lists_page_with_a_cursor_and_a_total,
    the_audit_log_filters_pages_and_exports,
    long_lists_are_refused_and_repeats_count_once,
    over_a_limit_the_api_answers_409_naming_it,
    failed_token_authentications_are_throttled_per_address,
);
