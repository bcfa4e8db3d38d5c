//! Bulk invitations (a report for every line, in the language asked for) and the pending cap
//! under 50 racing invitations.

use super::*;
use app::core::language::Language;

async fn bulk_invitations_report_every_line(t: &TestDb) {
    let app = TestApp::new(t, false).await;
    let (_acme, admin) = org(&app, "Acme", "ada@example.com").await;
    app::areas::groups::service::create_group(&app.state, &ctx(), &admin, "Ops")
        .await
        .unwrap();
    let lines = app::areas::invitations::types::parse_bulk(
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
        lines.clone(),
        Language::En,
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
    assert_eq!(
        report[5].message,
        "There is no role Wizard in this organization"
    );
    assert_eq!(
        report[6].message,
        "There is no group Nowhere in this organization"
    );
    assert_eq!(report[0].message, "", "a sent invitation needs no words");
    // The report speaks the language it was asked in: the same lines again, in German.
    let again = inv::bulk_invite(
        &app.state,
        &ctx(),
        &admin,
        RoleId::Builtin(BuiltinRole::Viewer),
        lines,
        Language::De,
    )
    .await
    .unwrap();
    assert_eq!(
        again[5].message,
        "In dieser Organisation gibt es keine Rolle Wizard"
    );
    assert_eq!(again[0].outcome, BulkOutcome::AlreadyInvited);
    assert!(
        !again[0].message.is_empty() && !again[0].message.contains("already"),
        "{}",
        again[0].message
    );
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
    assert!(pending.items.iter().any(|i| i.grants
        == app::areas::invitations::types::InvitationGrants {
            roles: vec![app::areas::invitations::types::GrantedRole {
                role: Some(RoleId::Builtin(BuiltinRole::Editor)),
                name: "Editor".into(),
                project: None,
            }],
            groups: vec!["Ops".into()],
        }));
    // Over the cap, lines say so.
    set_limits(&app, &admin, 72, 3).await;
    let report = inv::bulk_invite(
        &app.state,
        &ctx(),
        &admin,
        RoleId::Builtin(BuiltinRole::Viewer),
        app::areas::invitations::types::parse_bulk("a@example.com\nb@example.com"),
        Language::En,
    )
    .await
    .unwrap();
    assert_eq!(report[0].outcome, BulkOutcome::Invited);
    assert_eq!(report[1].outcome, BulkOutcome::OverCap);
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

on_both_databases!(
    bulk_invitations_report_every_line,
    fifty_racing_invites_stop_at_the_cap,
);
