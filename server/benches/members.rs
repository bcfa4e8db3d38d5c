//! Member listing and search at 100,000 members (`BENCH_MEMBERS=1000000` for a million): pages,
//! searches (a word, inside a word, part of an email, one letter, a search that matches almost
//! nothing, Chinese and Cyrillic names) and every filter alone and combined, on SQLite and (with
//! GATEHOUSE_TEST_POSTGRES) PostgreSQL. Prints p50/p99 of the store's time per query beside the
//! target (p99 ≤ 5 ms), the total (a "+" when it stopped at its cap), and the plan of each
//! query (`EXPLAIN QUERY PLAN` / `EXPLAIN`). Run: `scripts/bench members`.

use app::{
    core::{
        ids::{OrgId, UserId},
        kinds::MembershipStatus,
    },
    policy::{BuiltinRole, RoleId},
    server::store::{MemberFilter, MemberKey, MemberSearch, Store},
};
use gatehouse::store::Database;
use sqlx::Row;
use std::time::{Duration, Instant};

/// Members seeded unless `BENCH_MEMBERS` says otherwise.
const MEMBERS: usize = 100_000;
/// The target for every query's p99, in milliseconds.
const TARGET_P99_MS: f64 = 5.0;
const WARMUP: usize = 20;
const RUNS: usize = 100;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn measure(
    store: &dyn Store,
    org: OrgId,
    filter: &MemberFilter,
) -> Result<(Duration, Duration, (i64, bool)), BoxError> {
    let mut total = (0, false);
    for _ in 0..WARMUP {
        let page = store.list_members(org, filter).await?;
        total = (page.total, page.total_is_estimate);
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        store.list_members(org, filter).await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok((percentile(&times, 0.5), percentile(&times, 0.99), total))
}

async fn bench(name: &str, db: &Database) -> Result<(), BoxError> {
    db.migrate().await?;
    let store = db.store();
    let now = 1_795_370_520_000;
    let (org, _) = gatehouse::seed::bench_organization(&*store, now).await?;
    let members = std::env::var("BENCH_MEMBERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(MEMBERS);
    let seeded = gatehouse::seed::seed(db, "bench", members, now).await?;
    // A few members with Chinese and Cyrillic names among them.
    let people = [
        ("张伟", "zhang.wei@example.cn"),
        ("王芳", "wang.fang@example.cn"),
        ("Иван Петров", "ivan.petrov@example.ru"),
    ];
    gatehouse::seed::add_named_members(db, org, &people, now).await?;
    let middle = match db {
        Database::Sqlite(s) => {
            let r = sqlx::query("SELECT name_key, user_id FROM memberships WHERE org_id = $1 AND status = 'active' ORDER BY name_key, user_id LIMIT 1 OFFSET 45000")
                .bind(org.to_string())
                .fetch_one(s.writer())
                .await?;
            MemberKey {
                name_key: r.try_get("name_key")?,
                user_id: r.try_get::<String, _>("user_id")?.parse()?,
            }
        }
        Database::Postgres(p) => {
            let r = sqlx::query(r#"SELECT name_key, user_id FROM memberships WHERE org_id = $1 AND status = 'active' ORDER BY name_key COLLATE "C", user_id LIMIT 1 OFFSET 45000"#)
                .bind(org.0)
                .fetch_one(p.pool())
                .await?;
            MemberKey {
                name_key: r.try_get("name_key")?,
                user_id: UserId(r.try_get("user_id")?),
            }
        }
    };
    fn page(f: impl FnOnce(&mut MemberFilter)) -> MemberFilter {
        let mut filter = MemberFilter::all(MembershipStatus::Active);
        filter.limit = 25;
        f(&mut filter);
        filter
    }
    let mut by_cursor = page(|_| {});
    by_cursor.after = Some(middle);
    let text =
        |q: &'static str| move |f: &mut MemberFilter| f.search = Some(MemberSearch::Text(q.into()));
    let editor = RoleId::Builtin(BuiltinRole::Editor);
    let group = store
        .groups(org)
        .await?
        .into_iter()
        .find(|g| g.name == "Engineering")
        .ok_or("the seed makes an Engineering group")?
        .id;
    let cases: Vec<(&str, MemberFilter)> = vec![
        ("first page", page(|_| {})),
        ("middle page by cursor", by_cursor),
        ("search a word: ada", page(text("ada"))),
        ("search inside: ell", page(text("ell"))),
        ("search email: grace.hop", page(text("grace.hop"))),
        ("search one letter: a", page(text("a"))),
        ("search almost none: zz", page(text("zz"))),
        ("search none: qxj", page(text("qxj"))),
        ("search Chinese: 伟", page(text("伟"))),
        ("search Cyrillic: петр", page(text("петр"))),
        ("filter by role", page(|f| f.role = Some(editor))),
        ("filter by group", page(|f| f.group = Some(group))),
        ("filter by 2FA on", page(|f| f.two_factor = Some(true))),
        (
            "role + search: mar",
            page(|f| {
                f.role = Some(editor);
                f.search = Some(MemberSearch::Text("mar".into()));
            }),
        ),
        (
            "role + group + 2FA",
            page(|f| {
                f.role = Some(editor);
                f.group = Some(group);
                f.two_factor = Some(true);
            }),
        ),
        (
            "search + 2FA off: zz",
            page(|f| {
                f.search = Some(MemberSearch::Text("zz".into()));
                f.two_factor = Some(false);
            }),
        ),
    ];
    println!(
        "\n{name}: {members} members seeded in {:.1} s; {RUNS} runs each, 25 per page; target p99 ≤ {TARGET_P99_MS} ms",
        seeded.as_secs_f64()
    );
    println!(
        "  {:<28} {:>8} {:>8} {:>8} {:>10}",
        "query", "p50 ms", "p99 ms", "target", "matches"
    );
    let mut plans = Vec::new();
    for (label, filter) in &cases {
        let (p50, p99, (total, estimate)) = measure(&*store, org, filter).await?;
        let p99_ms = p99.as_secs_f64() * 1e3;
        println!(
            "  {label:<28} {:>8.2} {p99_ms:>8.2} {:>8} {:>10}",
            p50.as_secs_f64() * 1e3,
            if p99_ms <= TARGET_P99_MS {
                "met"
            } else {
                "MISSED"
            },
            format!("{total}{}", if estimate { "+" } else { "" }),
        );
        plans.push((label, db.explain_members(org, filter).await?));
    }
    println!("\n{name}: query plans");
    for (label, plan) in plans {
        println!("  {label}");
        for (what, lines) in plan {
            for (i, line) in lines.iter().enumerate() {
                println!("    {:<6} {line}", if i == 0 { what } else { "" });
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    gatehouse::seed::on_fresh_databases(|name, db, _| async move { bench(name, &db).await }).await
}
