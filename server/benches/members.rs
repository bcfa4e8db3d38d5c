//! Member listing at 100,000 members: first page, a middle page by cursor, an email-prefix
//! search and a role filter, on SQLite and (with GATEHOUSE_TEST_POSTGRES) PostgreSQL.
//! Prints p50/p99 of the store's time per query. Run: `cargo bench -p gatehouse --bench members`.

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

const MEMBERS: usize = 100_000;
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
) -> Result<(Duration, Duration, i64), BoxError> {
    let mut total = 0;
    for _ in 0..WARMUP {
        total = store.list_members(org, filter).await?.total;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let page = store.list_members(org, filter).await?;
        times.push(t.elapsed());
        assert!(!page.rows.is_empty(), "the query found members");
    }
    times.sort();
    Ok((percentile(&times, 0.5), percentile(&times, 0.99), total))
}

async fn bench(name: &str, db: &Database) -> Result<(), BoxError> {
    db.migrate().await?;
    let store = db.store();
    let now = 1_795_370_520_000;
    let (org, _) = gatehouse::seed::bench_organization(&*store, now).await?;
    let seeded = gatehouse::seed::seed(db, "bench", MEMBERS, now).await?;
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
    let page = |f: fn(&mut MemberFilter)| {
        let mut filter = MemberFilter::all(MembershipStatus::Active);
        filter.limit = 25;
        f(&mut filter);
        filter
    };
    let mut by_cursor = page(|_| {});
    by_cursor.after = Some(middle);
    let cases = [
        ("first page", page(|_| {})),
        ("middle page by cursor", by_cursor),
        (
            "search by email prefix",
            page(|f| f.search = Some(MemberSearch::EmailPrefix("grace.hop".into()))),
        ),
        (
            "filter by role",
            page(|f| f.role = Some(RoleId::Builtin(BuiltinRole::Editor))),
        ),
    ];
    println!(
        "\n{name}: {MEMBERS} members seeded in {:.1} s; {RUNS} runs each, 25 per page",
        seeded.as_secs_f64()
    );
    println!(
        "  {:<26} {:>10} {:>10} {:>10}",
        "query", "p50 ms", "p99 ms", "matches"
    );
    for (label, filter) in cases {
        let (p50, p99, total) = measure(&*store, org, &filter).await?;
        println!(
            "  {label:<26} {:>10.2} {:>10.2} {total:>10}",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    gatehouse::seed::on_fresh_databases(|name, db, _| async move { bench(name, &db).await }).await
}
