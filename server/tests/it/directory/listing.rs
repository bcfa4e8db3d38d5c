//! The member listing: order, paging, search and filters, and the totals kept by triggers.

use super::*;

async fn members_page_alphabetically_with_a_total(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    for i in 0..30 {
        o.add(&format!("Member {i:02}"), &[role(BuiltinRole::Viewer)])
            .await;
    }
    let mut filter = MemberFilter::all(MembershipStatus::Active);
    filter.limit = 25;
    let first = o.store.list_members(o.id(), &filter).await.unwrap();
    assert_eq!(first.total, 31);
    assert_eq!(first.rows.len(), 25);
    assert_eq!(first.rows[0].name, "Admin of Acme");
    assert_eq!(first.rows[1].name, "Member 00");
    filter.after = first.next.clone();
    let second = o.store.list_members(o.id(), &filter).await.unwrap();
    assert_eq!(second.total, 31, "the total counts every page");
    let names: Vec<_> = second.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Member 24",
            "Member 25",
            "Member 26",
            "Member 27",
            "Member 28",
            "Member 29"
        ]
    );
    assert_eq!(second.next, None, "no page after the last");
}

async fn members_are_searched_and_filtered(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o
        .add_with_email(
            "Ada Lovelace",
            "ada@math.example",
            &[role(BuiltinRole::Editor)],
            &[],
        )
        .await;
    let grace = o
        .add_with_email(
            "Grace Hopper",
            "grace@navy.example",
            &[role(BuiltinRole::Viewer)],
            &[],
        )
        .await;
    o.add_with_email(
        "Alan Turing",
        "alan@bletchley.example",
        &[role(BuiltinRole::Viewer)],
        &[],
    )
    .await;
    let ops = o
        .group("Operations", &[role(BuiltinRole::Editor)], &[grace])
        .await;

    let search = |s: MemberSearch| {
        let mut f = MemberFilter::all(MembershipStatus::Active);
        f.search = Some(s);
        f
    };
    assert_eq!(
        o.list(search(MemberSearch::Text("grace@".into()))).await,
        ["Grace Hopper"]
    );
    assert_eq!(
        o.list(search(MemberSearch::Text("hop".into()))).await,
        ["Grace Hopper"],
        "a word of the name"
    );
    assert_eq!(
        o.list(search(MemberSearch::Text("a".into()))).await,
        ["Ada Lovelace", "Admin of Acme", "Alan Turing"]
    );
    assert_eq!(
        o.list(search(MemberSearch::Text("100%_".into()))).await,
        Vec::<String>::new(),
        "wildcards are literal"
    );
    assert_eq!(
        o.list(search(MemberSearch::UserId(ada))).await,
        ["Ada Lovelace"]
    );

    let mut editors = MemberFilter::all(MembershipStatus::Active);
    editors.role = Some(RoleId::Builtin(BuiltinRole::Editor));
    assert_eq!(
        o.list(editors).await,
        ["Ada Lovelace", "Grace Hopper"],
        "directly or through a group"
    );
    let mut in_ops = MemberFilter::all(MembershipStatus::Active);
    in_ops.group = Some(ops);
    assert_eq!(o.list(in_ops).await, ["Grace Hopper"]);
    let mut with_2fa = MemberFilter::all(MembershipStatus::Active);
    with_2fa.two_factor = Some(true);
    assert!(o.list(with_2fa).await.is_empty());

    let page = o
        .store
        .list_members(o.id(), &search(MemberSearch::UserId(grace)))
        .await
        .unwrap();
    let row = &page.rows[0];
    assert_eq!(
        row.groups
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["Operations"]
    );
    let roles: Vec<_> = row
        .roles
        .iter()
        .map(|r| {
            (
                r.role_name.as_str(),
                r.via_group.as_ref().map(|g| g.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [("Viewer", None), ("Editor", Some("Operations"))],
        "own first, then inherited"
    );

    o.store
        .set_member_status(
            &o.unchecked(),
            ada,
            MembershipStatus::Deactivated,
            ev(o.id(), "member.deactivated"),
        )
        .await
        .unwrap();
    assert_eq!(
        o.list(MemberFilter::all(MembershipStatus::Deactivated))
            .await,
        ["Ada Lovelace"]
    );
    assert!(
        !o.list(MemberFilter::all(MembershipStatus::Active))
            .await
            .contains(&"Ada Lovelace".to_string())
    );
}

/// The unfiltered total (kept by triggers) against a real count (forced by a filter that every
/// member here passes: nobody has 2FA).
async fn assert_totals(o: &Org) {
    for status in [
        MembershipStatus::Active,
        MembershipStatus::Deactivated,
        MembershipStatus::Archived,
    ] {
        let kept = o
            .store
            .list_members(o.id(), &MemberFilter::all(status))
            .await
            .unwrap()
            .total;
        let mut f = MemberFilter::all(status);
        f.two_factor = Some(false);
        let counted = o.store.list_members(o.id(), &f).await.unwrap().total;
        assert_eq!(kept, counted, "{status:?}");
    }
}

async fn totals_stay_exact_through_every_change(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    assert_totals(&o).await;
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(
            o.add(&format!("Person {i}"), &[role(BuiltinRole::Viewer)])
                .await,
        );
    }
    other.add("Elsewhere", &[]).await;
    assert_totals(&o).await;
    o.store
        .set_member_status(
            &o.unchecked(),
            people[0],
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .set_member_status(
            &o.unchecked(),
            people[1],
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .set_member_status(
            &o.unchecked(),
            people[1],
            MembershipStatus::Active,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .remove_member(&o.unchecked(), people[2], None, false, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .remove_member(&o.unchecked(), people[0], None, false, ev(o.id(), "x"))
        .await
        .unwrap();
    // A refused change leaves the totals alone too.
    let _ = o
        .store
        .remove_member(&o.unchecked(), o.admin, None, false, ev(o.id(), "x"))
        .await;
    assert_totals(&o).await;
    assert_eq!(
        o.store
            .list_members(o.id(), &MemberFilter::all(MembershipStatus::Active))
            .await
            .unwrap()
            .total,
        4
    );
    assert_eq!(
        o.store
            .list_members(o.id(), &MemberFilter::all(MembershipStatus::Archived))
            .await
            .unwrap()
            .total,
        2
    );
    assert_eq!(
        other
            .store
            .list_members(other.id(), &MemberFilter::all(MembershipStatus::Active))
            .await
            .unwrap()
            .total,
        2
    );
    o.store
        .add_member(
            o.id(),
            MemberUser::Existing(people[2]),
            &[],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_totals(&o).await;
}

/// The role filter (served from trigger-kept holders and counters, migration 0004) against the
/// roles each member's row shows, for every role and status, paged two at a time.
async fn assert_role_filter(o: &Org, roles: &[RoleId]) {
    for status in [
        MembershipStatus::Active,
        MembershipStatus::Deactivated,
        MembershipStatus::Archived,
    ] {
        let everyone = o
            .store
            .list_members(o.id(), &MemberFilter::all(status))
            .await
            .unwrap()
            .rows;
        for r in roles {
            let want: Vec<UserId> = everyone
                .iter()
                .filter(|m| m.roles.iter().any(|g| g.role == *r))
                .map(|m| m.user_id)
                .collect();
            let mut f = MemberFilter::all(status);
            f.role = Some(*r);
            f.limit = 2;
            let mut got = Vec::new();
            loop {
                let page = o.store.list_members(o.id(), &f).await.unwrap();
                assert_eq!(page.total, want.len() as i64, "{r} {status:?}: kept total");
                got.extend(page.rows.iter().map(|m| m.user_id));
                match page.next {
                    Some(k) => f.after = Some(k),
                    None => break,
                }
            }
            assert_eq!(got, want, "{r} {status:?}: holders");
            // The same filter with another one is counted, not read from the counter.
            let mut counted = MemberFilter::all(status);
            counted.role = Some(*r);
            counted.two_factor = Some(false);
            let page = o.store.list_members(o.id(), &counted).await.unwrap();
            assert_eq!(
                page.total,
                want.len() as i64,
                "{r} {status:?}: counted total"
            );
        }
    }
}

async fn role_filter_follows_every_change(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let other = Org::new(t, "Beta").await;
    let auditor = CustomRole {
        id: CustomRoleId::new(),
        name: "Auditor".into(),
        description: String::new(),
        permissions: PermissionSet::of(&[Permission::MembersRead]),
    };
    o.store
        .create_custom_role(&o.unchecked(), &auditor, ev(o.id(), "role.created"))
        .await
        .unwrap();
    let audit_role = Binding {
        role: RoleId::Custom(auditor.id),
        project: None,
    };
    let roles = [
        RoleId::Builtin(BuiltinRole::Viewer),
        RoleId::Builtin(BuiltinRole::Editor),
        RoleId::Builtin(BuiltinRole::Admin),
        RoleId::Custom(auditor.id),
    ];
    let ada = o.add("Ada", &[role(BuiltinRole::Viewer)]).await;
    let bob = o.add("Bob", &[role(BuiltinRole::Editor)]).await;
    let cy = o.add("Cy", &[]).await;
    let dee = o.add("Dee", &[role(BuiltinRole::Viewer)]).await;
    other.add("Eve", &[role(BuiltinRole::Viewer)]).await;
    assert_role_filter(&o, &roles).await;

    // A group's role reaches its members; a member with the role twice is listed once.
    let g = o
        .group(
            "Auditors",
            &[audit_role, role(BuiltinRole::Viewer)],
            &[cy, ada],
        )
        .await;
    assert_role_filter(&o, &roles).await;
    o.store
        .add_group_member(&o.unchecked(), g, bob, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .remove_group_member(&o.unchecked(), g, ada, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .set_group_bindings(
            &o.unchecked(),
            g,
            &[role(BuiltinRole::Editor)],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;

    // A role at project scope counts; deleting the project takes it away.
    let p = ProjectId::new();
    o.store
        .create_project(&o.unchecked(), p, "Apollo", dee, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .set_member_access(
            &o.unchecked(),
            dee,
            &[
                role(BuiltinRole::Viewer),
                Binding {
                    role: RoleId::Custom(auditor.id),
                    project: Some(p),
                },
            ],
            &[g],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .change_project_owner(&o.unchecked(), p, o.admin, ev(o.id(), "x"))
        .await
        .unwrap();
    o.store
        .delete_project(&o.unchecked(), p, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;

    // Status moves the holder between tabs; removal takes the roles away; a returning member
    // starts afresh.
    o.store
        .set_member_status(
            &o.unchecked(),
            bob,
            MembershipStatus::Deactivated,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .set_member_status(
            &o.unchecked(),
            bob,
            MembershipStatus::Active,
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .remove_member(&o.unchecked(), cy, None, false, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    o.store
        .add_member(
            o.id(),
            MemberUser::Existing(cy),
            &[role(BuiltinRole::Editor)],
            &[],
            ev(o.id(), "x"),
        )
        .await
        .unwrap();
    o.store
        .delete_group(&o.unchecked(), g, ev(o.id(), "x"))
        .await
        .unwrap();
    assert_role_filter(&o, &roles).await;
    // The other organization's holders never show here.
    let mut f = MemberFilter::all(MembershipStatus::Active);
    f.role = Some(RoleId::Builtin(BuiltinRole::Viewer));
    let viewers = o.store.list_members(o.id(), &f).await.unwrap();
    assert_eq!(
        viewers
            .rows
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Ada", "Dee"]
    );
    assert_eq!(viewers.total, 2);
}

on_both_databases!(
    role_filter_follows_every_change,
    totals_stay_exact_through_every_change,
    members_page_alphabetically_with_a_total,
    members_are_searched_and_filtered,
);
