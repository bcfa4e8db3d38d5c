//! Member search: any part of a name or email in any script, and the same pages and totals
//! as reading every member, whichever way the database serves it.

use super::*;

async fn search_finds_any_part_of_a_name_or_email_in_any_script(t: &TestDb) {
    let o = Org::new(t, "Acme").await;
    let arthur = o
        .add_with_email(
            "Arthur Wellington",
            "duke@waterloo.example",
            &[role(BuiltinRole::Viewer)],
            &[],
        )
        .await;
    o.add_with_email(
        "张伟",
        "zhang.wei@example.cn",
        &[role(BuiltinRole::Viewer)],
        &[],
    )
    .await;
    o.add_with_email(
        "王芳芳",
        "wang.fang@example.cn",
        &[role(BuiltinRole::Viewer)],
        &[],
    )
    .await;
    o.add_with_email(
        "Иван Петров",
        "ivan.petrov@example.ru",
        &[role(BuiltinRole::Viewer)],
        &[],
    )
    .await;
    o.add_with_email(
        "Ada Lovelace",
        "ada@math.example",
        &[role(BuiltinRole::Viewer)],
        &[],
    )
    .await;
    let find = |q: &str| {
        let mut f = MemberFilter::all(MembershipStatus::Active);
        f.search = Some(MemberSearch::Text(q.into()));
        o.list(f)
    };
    assert_eq!(find("ell").await, ["Arthur Wellington"], "inside a word");
    assert_eq!(find("WELLINGTON").await, ["Arthur Wellington"], "case");
    assert_eq!(
        find("thur well").await,
        ["Arthur Wellington"],
        "across words"
    );
    assert_eq!(
        find("terloo.ex").await,
        ["Arthur Wellington"],
        "inside the email"
    );
    assert_eq!(
        find("we").await,
        ["Arthur Wellington"],
        "the start of a word"
    );
    assert_eq!(find("wa").await, ["王芳芳"], "the start of the email");
    assert!(
        find("el").await.is_empty(),
        "two letters: only the start of a word"
    );
    assert_eq!(
        find("伟").await,
        ["张伟"],
        "each Chinese character is a word"
    );
    assert_eq!(find("芳芳").await, ["王芳芳"]);
    assert_eq!(find("张伟").await, ["张伟"]);
    assert_eq!(find("петр").await, ["Иван Петров"], "Cyrillic, inside");
    assert_eq!(find("ПЕТРОВ").await, ["Иван Петров"], "Cyrillic case");
    assert_eq!(
        find("п").await,
        ["Иван Петров"],
        "one Cyrillic letter: a word start"
    );
    assert_eq!(find("etrov@").await, ["Иван Петров"]);
    assert_eq!(
        find("\"a").await,
        Vec::<String>::new(),
        "quotes are literal"
    );
    assert_eq!(
        find("a%").await,
        Vec::<String>::new(),
        "wildcards are literal"
    );
    let mut f = MemberFilter::all(MembershipStatus::Active);
    f.search = Some(MemberSearch::Text("ellington".into()));
    f.role = Some(RoleId::Builtin(BuiltinRole::Viewer));
    let page = o.store.list_members(o.id(), &f).await.unwrap();
    assert_eq!(
        (page.rows.len(), page.total, page.total_is_estimate),
        (1, 1, false),
        "with a role filter"
    );
    o.store
        .set_member_status(
            &o.unchecked(),
            arthur,
            MembershipStatus::Deactivated,
            ev(o.id(), "member.deactivated"),
        )
        .await
        .unwrap();
    assert!(find("ell").await.is_empty(), "the Active tab only");
}

/// Every search over a seeded organization gives what reading all its members gives: the same
/// page and the same total, exact up to 10,000 and "10,000+" beyond, whether the index or a walk
/// in name order serves it.
async fn seeded_searches_match_reading_every_member(t: &TestDb) {
    let o = Org::new(t, "Seeded").await;
    gatehouse::seed::seed(&t.db, "seeded", 12_000, NOW)
        .await
        .unwrap();
    let all = o.all_members(MembershipStatus::Active).await;
    assert!(all.len() > 10_000, "{}", all.len());
    for q in [
        "a", "zz", "x", "ol", "ada", "mar", "son", "an", "ll", "o", "e.1", "42.", "exa",
    ] {
        let needle =
            app::server::store::member_search_needle(&MemberSearch::Text(q.into())).unwrap();
        let want: Vec<&str> = all
            .iter()
            .filter(|m| app::server::store::member_search_key(&m.name, &m.email).contains(&needle))
            .map(|m| m.name.as_str())
            .collect();
        let mut f = MemberFilter::all(MembershipStatus::Active);
        f.search = Some(MemberSearch::Text(q.into()));
        f.limit = 50;
        let page = o.store.list_members(o.id(), &f).await.unwrap();
        let got: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            got,
            want.iter().take(50).copied().collect::<Vec<_>>(),
            "q={q}"
        );
        let n = want.len() as i64;
        assert_eq!(
            (page.total, page.total_is_estimate),
            (n.min(10_000), n > 10_000),
            "q={q}: {n} match"
        );
    }
}

on_both_databases!(
    search_finds_any_part_of_a_name_or_email_in_any_script,
    seeded_searches_match_reading_every_member,
);
