//! Member list filters kept on the membership (the second factor).

use super::*;

/// The 2FA filter reads the copy on the membership: it follows an enrolment at once, and a
/// person who joins another organization brings their second factor along.
async fn two_factor_filter_follows_enrolment(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let ada = o.add("Ada Lovelace", &[role(BuiltinRole::Viewer)]).await;
    o.add("Bob Byte", &[role(BuiltinRole::Viewer)]).await;
    let enrol = |user: UserId| async move {
        match &t.db {
            gatehouse::store::Database::Sqlite(s) => {
                sqlx::query("UPDATE users SET two_factor_enabled = 1 WHERE id = $1")
                    .bind(user.to_string())
                    .execute(s.writer())
                    .await
                    .unwrap();
            }
            gatehouse::store::Database::Postgres(p) => {
                sqlx::query("UPDATE users SET two_factor_enabled = true WHERE id = $1")
                    .bind(user.0)
                    .execute(p.pool())
                    .await
                    .unwrap();
            }
        }
    };
    enrol(ada).await;
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

on_both_databases!(two_factor_filter_follows_enrolment);
