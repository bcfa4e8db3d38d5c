//! Member list filters: the copies they read (the second factor on the membership, the group
//! members' and role holders' status, sort key and second factor) and every combination of them.

use super::*;

/// Sets a user's second factor directly, as enrolment does.
async fn set_two_factor(t: &TestDb, user: UserId, on: bool) {
    match &t.db {
        gatehouse::store::Database::Sqlite(s) => {
            sqlx::query("UPDATE users SET two_factor_enabled = $2 WHERE id = $1")
                .bind(user.to_string())
                .bind(on)
                .execute(s.writer())
                .await
                .unwrap();
        }
        gatehouse::store::Database::Postgres(p) => {
            sqlx::query("UPDATE users SET two_factor_enabled = $2 WHERE id = $1")
                .bind(user.0)
                .bind(on)
                .execute(p.pool())
                .await
                .unwrap();
        }
    }
}

/// The 2FA filter reads the copy on the membership: it follows an enrolment at once, and a
/// person who joins another organization brings their second factor along.
async fn two_factor_filter_follows_enrolment(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada Lovelace", &[role(BuiltinRole::Viewer)]).await;
    o.add("Bob Byte", &[role(BuiltinRole::Viewer)]).await;
    set_two_factor(t, ada, true).await;
    let with = |on: bool, role_filter: Option<BuiltinRole>| {
        let mut f = MemberFilter::all(MembershipStatus::Active);
        f.two_factor = Some(on);
        f.role = role_filter.map(RoleId::Builtin);
        f
    };
    assert_eq!(o.list(with(true, None)).await, ["Ada Lovelace"]);
    assert_eq!(
        o.list(with(false, None)).await,
        ["Admin of Acme", "Bob Byte"]
    );
    assert_eq!(
        o.list(with(true, Some(BuiltinRole::Viewer))).await,
        ["Ada Lovelace"]
    );
    let page = o
        .store
        .list_members(o.id(), &with(false, None))
        .await
        .unwrap();
    assert_eq!((page.total, page.total_is_estimate), (2, false));

    let beta = Org::new(t, "Beta").await;
    beta.store
        .add_member(
            beta.id(),
            MemberUser::Existing(ada),
            &[role(BuiltinRole::Viewer)],
            &[],
            ev(beta.id(), "member.added"),
        )
        .await
        .unwrap();
    assert_eq!(beta.list(with(true, None)).await, ["Ada Lovelace"]);
}

/// A group's members in the list follow what happens to the members: a deactivation moves them
/// to the other tab, a new name moves them in the order, a second factor reaches the group and
/// the role filters, and leaving the group takes them out. The group's total is exact.
async fn group_filter_follows_its_members(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada Lovelace", &[role(BuiltinRole::Viewer)]).await;
    let bob = o.add("Bob Byte", &[role(BuiltinRole::Viewer)]).await;
    let cy = o.add("Cy Young", &[role(BuiltinRole::Viewer)]).await;
    o.add("Dee Outside", &[role(BuiltinRole::Viewer)]).await;
    let ops = o
        .group("Ops", &[role(BuiltinRole::Editor)], &[ada, bob, cy])
        .await;
    let filter = |status: MembershipStatus, two_factor: Option<bool>, by_role: bool| {
        let mut f = MemberFilter::all(status);
        f.group = Some(ops);
        f.two_factor = two_factor;
        f.role = by_role.then_some(RoleId::Builtin(BuiltinRole::Editor));
        f
    };
    let active = || filter(MembershipStatus::Active, None, false);
    let o = &o;
    let total = |f: MemberFilter| async move {
        let page = o.store.list_members(o.id(), &f).await.unwrap();
        (page.total, page.total_is_estimate)
    };
    assert_eq!(
        o.list(active()).await,
        ["Ada Lovelace", "Bob Byte", "Cy Young"]
    );
    assert_eq!(total(active()).await, (3, false));

    o.store
        .set_member_status(
            &o.unchecked(),
            bob,
            MembershipStatus::Deactivated,
            ev(o.id(), "member.deactivated"),
        )
        .await
        .unwrap();
    assert_eq!(o.list(active()).await, ["Ada Lovelace", "Cy Young"]);
    assert_eq!(total(active()).await, (2, false));
    let deactivated = filter(MembershipStatus::Deactivated, None, false);
    assert_eq!(o.list(deactivated.clone()).await, ["Bob Byte"]);
    assert_eq!(total(deactivated).await, (1, false));

    set_two_factor(t, cy, true).await;
    for by_role in [false, true] {
        let on = filter(MembershipStatus::Active, Some(true), by_role);
        assert_eq!(o.list(on).await, ["Cy Young"], "by role: {by_role}");
        let off = filter(MembershipStatus::Active, Some(false), by_role);
        assert_eq!(o.list(off).await, ["Ada Lovelace"], "by role: {by_role}");
    }
    let mut editors_with_2fa = MemberFilter::all(MembershipStatus::Active);
    editors_with_2fa.role = Some(RoleId::Builtin(BuiltinRole::Editor));
    editors_with_2fa.two_factor = Some(true);
    assert_eq!(o.list(editors_with_2fa).await, ["Cy Young"]);

    o.store
        .set_group_members(
            &o.unchecked(),
            ops,
            &[cy],
            ev(o.id(), "group.members_changed"),
        )
        .await
        .unwrap();
    assert_eq!(o.list(active()).await, ["Cy Young"]);
    assert_eq!(total(active()).await, (1, false));

    // Another organization's group finds nobody (rule 5).
    let beta = Org::new(t, "Beta").await;
    let mut foreign = MemberFilter::all(MembershipStatus::Active);
    foreign.group = Some(ops);
    let page = beta.store.list_members(beta.id(), &foreign).await.unwrap();
    assert_eq!((page.rows.len(), page.total), (0, 0));
}

/// Every combination of role, group, second factor and search over a seeded organization, in
/// the Active and Deactivated tabs, gives what reading all its members gives: the same first
/// two pages and the same total.
async fn seeded_filter_combinations_match_reading_every_member(t: &TestDb) {
    let o = Org::new(t, "Seeded").await;
    gatehouse::seed::seed(&t.db, "seeded", 3_000, NOW)
        .await
        .unwrap();
    let groups = o.store.groups(o.id()).await.unwrap();
    let group = |name: &str| groups.iter().find(|g| g.name == name).unwrap().id;
    let roles = [
        None,
        Some(BuiltinRole::Viewer),
        Some(BuiltinRole::Editor),
        Some(BuiltinRole::Admin),
    ];
    let group_filters = [
        None,
        Some(group("Engineering")),
        Some(group("Platform admins")),
    ];
    for status in [MembershipStatus::Active, MembershipStatus::Deactivated] {
        let all = o.all_members(status).await;
        assert!(all.len() > 100, "{status:?}: {}", all.len());
        for r in roles {
            for g in group_filters {
                for tf in [None, Some(true), Some(false)] {
                    // "exa" is in every address (example.com): more candidates than a count reads.
                    for q in [None, Some("mar"), Some("a"), Some("exa")] {
                        let mut f = MemberFilter::all(status);
                        f.role = r.map(RoleId::Builtin);
                        f.group = g;
                        f.two_factor = tf;
                        f.search = q.map(|q| MemberSearch::Text(q.into()));
                        f.limit = 20;
                        let needle = q.map(|q| {
                            app::server::store::member_search_needle(&MemberSearch::Text(q.into()))
                                .unwrap()
                        });
                        let want: Vec<&str> = all
                            .iter()
                            .filter(|m| {
                                r.is_none_or(|r| {
                                    m.roles.iter().any(|x| x.role == RoleId::Builtin(r))
                                }) && g.is_none_or(|g| m.groups.iter().any(|x| x.id == g))
                                    && tf.is_none_or(|tf| m.two_factor == tf)
                                    && needle.as_ref().is_none_or(|n| {
                                        app::server::store::member_search_key(&m.name, &m.email)
                                            .contains(n.as_str())
                                    })
                            })
                            .map(|m| m.email.as_str())
                            .collect();
                        let what = format!("{status:?} role={r:?} group={g:?} 2fa={tf:?} q={q:?}");
                        let first = o.store.list_members(o.id(), &f).await.unwrap();
                        let mut got: Vec<String> =
                            first.rows.iter().map(|m| m.email.clone()).collect();
                        let n = want.len() as i64;
                        if let Some(next) = first.next.clone() {
                            f.after = Some(next);
                            let second = o.store.list_members(o.id(), &f).await.unwrap();
                            if second.total_is_estimate {
                                let seen =
                                    second.rows.len() as i64 + i64::from(second.next.is_some());
                                assert!(
                                    second.total <= n && second.total >= seen,
                                    "{what}, second page: {} is no lower bound of {n}",
                                    second.total
                                );
                            }
                            got.extend(second.rows.into_iter().map(|m| m.email));
                        }
                        let want_pages: Vec<&str> = want.iter().take(40).copied().collect();
                        assert_eq!(got, want_pages, "{what}");
                        // A count that tests candidates reads at most COUNT_BUDGET of them:
                        // exact when the candidates are that few, else a lower bound marked
                        // as an estimate.
                        let in_tab = |keep: &dyn Fn(&&MemberRow) -> bool| {
                            all.iter()
                                .filter(|m| tf.is_none_or(|tf| m.two_factor == tf))
                                .filter(keep)
                                .count()
                        };
                        let candidates = match (&needle, r, g) {
                            (Some(n), _, _) => all
                                .iter()
                                .filter(|m| {
                                    app::server::store::member_search_key(&m.name, &m.email)
                                        .contains(n.as_str())
                                })
                                .count(),
                            (None, Some(r), Some(g)) => {
                                in_tab(&|m| m.roles.iter().any(|x| x.role == RoleId::Builtin(r)))
                                    .max(in_tab(&|m| m.groups.iter().any(|x| x.id == g)))
                            }
                            _ => 0,
                        };
                        let budgeted = (needle.is_some()
                            && (r.is_some() || g.is_some() || tf.is_some()))
                            || (r.is_some() && g.is_some());
                        let seen = first.rows.len() as i64 + i64::from(first.next.is_some());
                        // A first page that holds them all counts them itself.
                        if first.next.is_none()
                            || !budgeted
                            || candidates as i64 <= app::server::store::COUNT_BUDGET
                        {
                            assert_eq!(
                                (first.total, first.total_is_estimate),
                                (n, false),
                                "{what}: exact"
                            );
                        } else if first.total_is_estimate || needle.is_some() {
                            // A search's candidates are its matches: over the budget, its count
                            // always stops early.
                            assert!(first.total_is_estimate, "{what}: an estimate");
                            assert!(
                                first.total <= n && first.total >= seen.min(n),
                                "{what}: {} is no lower bound of {n}",
                                first.total
                            );
                        } else {
                            assert_eq!(first.total, n, "{what}: exact");
                        }
                    }
                }
            }
        }
    }
}

/// A search by user id with a role and a group, on a later page (no first-page shortcut):
/// the total counts that one member, not everyone holding the role in the group.
async fn a_user_id_search_with_role_and_group_counts_one_member(t: &TestDb) {
    let o = Org::new(t, "Seeded").await;
    gatehouse::seed::seed(&t.db, "seeded", 600, NOW)
        .await
        .unwrap();
    let all = o.all_members(MembershipStatus::Active).await;
    let (member, role, group) = all
        .iter()
        .find_map(|m| {
            let role = m.roles.iter().find(|r| r.project.is_none())?.role;
            Some((m, role, m.groups.first()?.id))
        })
        .expect("a seeded member with a role and a group");
    let other_group = o
        .store
        .groups(o.id())
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .find(|g| !member.groups.iter().any(|x| x.id == *g))
        .expect("a group the member is not in");
    for (g, want) in [(group, 1), (other_group, 0)] {
        let mut f = MemberFilter::all(MembershipStatus::Active);
        f.search = Some(MemberSearch::UserId(member.user_id));
        f.role = Some(role);
        f.group = Some(g);
        f.after = Some(app::server::store::MemberKey {
            name_key: String::new(),
            user_id: UserId(uuid::Uuid::nil()),
        });
        let page = o.store.list_members(o.id(), &f).await.unwrap();
        assert_eq!(
            (page.rows.len(), page.total, page.total_is_estimate),
            (want, want as i64, false),
            "group {g:?}"
        );
    }
}

on_both_databases!(
    two_factor_filter_follows_enrolment,
    group_filter_follows_its_members,
    seeded_filter_combinations_match_reading_every_member,
    a_user_id_search_with_role_and_group_counts_one_member,
);
