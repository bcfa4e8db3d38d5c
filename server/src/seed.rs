//! `gatehouse dev seed`: fills an organization with a realistic spread of members for demos and
//! benchmarks. Bulk inserts (many rows per statement, one transaction) keep 100,000 members
//! well under a minute on SQLite.

use std::time::Instant;

use app::areas::audit::event::AuditActor;
use app::areas::audit::event::AuditEvent;
use app::areas::audit::event::AuditTarget;
use app::model::OrgId;
use app::server::RequestCtx;
use app::server::auth::password as passwords;
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::store::Database;

/// The password every seeded member signs in with.
pub const SEED_PASSWORD: &str = "gatehouse-demo";

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Dennis",
    "Donald",
    "Edsger",
    "Frances",
    "Grace",
    "Hedy",
    "Ivan",
    "Jean",
    "John",
    "Ken",
    "Katherine",
    "Leslie",
    "Linus",
    "Margaret",
    "Niklaus",
    "Radia",
    "Shafi",
    "Sophie",
    "Tim",
    "Whitfield",
    "Yukihiro",
    "Zhang",
    "Olga",
    "Pavel",
    "Ingrid",
    "Mei",
    "Ravi",
    "Amara",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Turing",
    "Liskov",
    "Shannon",
    "Ritchie",
    "Knuth",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Lamarr",
    "Sutherland",
    "Sammet",
    "McCarthy",
    "Thompson",
    "Johnson",
    "Lamport",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Perlman",
    "Goldwasser",
    "Wilson",
    "Berners-Lee",
    "Diffie",
    "Matsumoto",
    "Wei",
    "Petrova",
    "Novak",
    "Larsen",
    "Chen",
    "Patel",
    "Okafor",
];
const GROUPS: &[(&str, &str)] = &[
    ("Engineering", "editor"),
    ("Support", "viewer"),
    ("Sales", "viewer"),
    ("Finance", "viewer"),
    ("Platform admins", "admin"),
];

struct Member {
    id: Uuid,
    name: String,
    email: String,
    status: &'static str,
    role: &'static str,
    group: Option<usize>,
    two_factor: bool,
    last_sign_in_at: Option<i64>,
}

/// A small deterministic generator, so a seed is the same every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn members(n: usize, now: i64, salt: u64) -> Vec<Member> {
    let mut rng = Lcg(0x5eed ^ salt);
    (0..n)
        .map(|i| {
            let first = FIRST[rng.below(FIRST.len() as u64) as usize];
            let last = LAST[rng.below(LAST.len() as u64) as usize];
            let status = match rng.below(100) {
                0..=89 => "active",
                90..=96 => "deactivated",
                _ => "archived",
            };
            let role = match rng.below(100) {
                0..=69 => "viewer",
                70..=94 => "editor",
                _ => "admin",
            };
            Member {
                id: Uuid::now_v7(),
                name: format!("{first} {last}"),
                email: format!(
                    "{}.{}.{i}.{salt:x}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                status,
                role,
                group: (rng.below(100) < 40).then(|| rng.below(GROUPS.len() as u64) as usize),
                two_factor: rng.below(100) < 30,
                last_sign_in_at: (rng.below(100) < 80)
                    .then(|| now - rng.below(90 * 86_400_000) as i64),
            }
        })
        .collect()
}

/// Rows per INSERT: under SQLite's and PostgreSQL's limits on bound values.
const CHUNK: usize = 2_000;

macro_rules! seed_into {
    ($pool:expr, $db:ty, $id:expr, $org:expr, $members:expr, $hash:expr, $now:expr, $audit:expr) => {{
        let id = $id;
        let org: Uuid = $org;
        let mut tx = $pool.begin().await?;
        let mut groups: Vec<Uuid> = Vec::new();
        for (name, role) in GROUPS {
            let existing: Option<String> = sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM groups WHERE org_id = $1 AND lower(name) = lower($2)")
                .bind(id(org))
                .bind(*name)
                .fetch_optional(&mut *tx)
                .await?;
            let gid = match existing {
                Some(g) => Uuid::parse_str(&g)?,
                None => {
                    let g = Uuid::now_v7();
                    sqlx::query("INSERT INTO groups (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(id(g))
                        .bind(id(org))
                        .bind(*name)
                        .bind($now)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, project_id, created_at) \
                         VALUES ($1, $2, 'group', $3, $4, NULL, $5)",
                    )
                    .bind(id(Uuid::now_v7()))
                    .bind(id(org))
                    .bind(id(g))
                    .bind(*role)
                    .bind($now)
                    .execute(&mut *tx)
                    .await?;
                    g
                }
            };
            groups.push(gid);
        }
        for chunk in $members.chunks(CHUNK) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO users (id, email, name, password_hash, two_factor_enabled, created_at, last_sign_in_at) ",
            );
            q.push_values(chunk, |mut b, m| {
                b.push_bind(id(m.id))
                    .push_bind(m.email.clone())
                    .push_bind(m.name.clone())
                    .push_bind($hash.clone())
                    .push_bind(m.two_factor)
                    .push_bind($now)
                    .push_bind(m.last_sign_in_at);
            });
            q.build().execute(&mut *tx).await?;
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO memberships (org_id, user_id, status, name_key, email, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, m| {
                b.push_bind(id(org))
                    .push_bind(id(m.id))
                    .push_bind(m.status)
                    .push_bind(m.name.to_lowercase())
                    .push_bind(m.email.clone())
                    .push_bind($now)
                    .push_bind($now);
            });
            q.build().execute(&mut *tx).await?;
            let bound: Vec<&Member> = chunk.iter().filter(|m| m.status != "archived").collect();
            if !bound.is_empty() {
                let mut q = QueryBuilder::<$db>::new(
                    "INSERT INTO role_bindings (id, org_id, principal_type, principal_id, role_id, created_at) ",
                );
                q.push_values(&bound, |mut b, m| {
                    b.push_bind(id(Uuid::now_v7()))
                        .push_bind(id(org))
                        .push_bind("user")
                        .push_bind(id(m.id))
                        .push_bind(m.role)
                        .push_bind($now);
                });
                q.build().execute(&mut *tx).await?;
            }
            let grouped: Vec<(&Member, Uuid)> = chunk
                .iter()
                .filter(|m| m.status != "archived")
                .filter_map(|m| m.group.map(|g| (m, groups[g])))
                .collect();
            if !grouped.is_empty() {
                let mut q = QueryBuilder::<$db>::new("INSERT INTO group_members (group_id, org_id, user_id, created_at) ");
                q.push_values(&grouped, |mut b, (m, g)| {
                    b.push_bind(id(*g)).push_bind(id(org)).push_bind(id(m.id)).push_bind($now);
                });
                q.build().execute(&mut *tx).await?;
            }
        }
        let a: &AuditEvent = $audit;
        sqlx::query(
            "INSERT INTO audit_events (id, org_id, actor_type, actor_id, actor_label, action, target_type, \
             target_id, target_label, created_at) VALUES ($1, $2, 'system', NULL, 'system', $3, 'organization', $4, $5, $6)",
        )
        .bind(id(a.id.0))
        .bind(id(org))
        .bind(&a.action)
        .bind(a.target.id.clone())
        .bind(a.target.label.clone())
        .bind(a.at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Fresh statistics after a bulk load, so the planner picks the indexes.
        sqlx::query("ANALYZE").execute($pool).await?;
    }};
}

type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// Runs a benchmark on a fresh SQLite file, then, when `GATEHOUSE_TEST_POSTGRES` names a
/// PostgreSQL server, on a fresh database there; each is removed afterwards. `bench` gets the
/// backend's name, the database and its URL.
pub async fn on_fresh_databases<F, Fut>(mut bench: F) -> Result<(), BenchError>
where
    F: FnMut(&'static str, Database, String) -> Fut,
    Fut: std::future::Future<Output = Result<(), BenchError>>,
{
    let dir = std::env::temp_dir().join(format!("gatehouse-bench-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let result = match Database::connect(&url).await {
        Ok(sqlite) => bench("SQLite", sqlite, url).await,
        Err(e) => Err(e.into()),
    };
    let _ = std::fs::remove_dir_all(&dir);
    result?;

    let Ok(admin_url) = std::env::var("GATEHOUSE_TEST_POSTGRES") else {
        println!("\nPostgreSQL: skipped (set GATEHOUSE_TEST_POSTGRES=postgres://… to include it)");
        return Ok(());
    };
    let name = format!("gatehouse_bench_{}", Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    let mut url = url::Url::parse(&admin_url)?;
    url.set_path(&format!("/{name}"));
    let result = match Database::connect(url.as_str()).await {
        Ok(pg) => bench("PostgreSQL", pg, url.to_string()).await,
        Err(e) => Err(e.into()),
    };
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    result
}

/// The benchmarks' organization `Bench` (slug `bench`) and its Admin, created directly in the
/// store; returns their ids.
pub async fn bench_organization(
    store: &dyn app::server::Store,
    now: i64,
) -> Result<(OrgId, app::model::UserId), Box<dyn std::error::Error + Send + Sync>> {
    use app::model::OrgSlug;
    use app::model::UserId;
    use app::server::store::NewOrganization;
    use app::server::store::NewUser;
    let (org, admin) = (OrgId::new(), UserId::new());
    store
        .create_organization(
            NewOrganization {
                id: org,
                name: "Bench".into(),
                slug: OrgSlug::from_name("Bench").ok_or("slug")?,
                admin: NewUser {
                    id: admin,
                    email: "admin@bench.example".into(),
                    name: "Admin".into(),
                    password_hash: "x".into(),
                },
                only_if_first: false,
                now,
            },
            AuditEvent::new(
                Some(org),
                AuditActor::system(),
                "organization.created",
                AuditTarget::new("organization", Some(org.to_string()), "Bench"),
                &RequestCtx::default(),
                now,
            ),
        )
        .await?;
    Ok((org, admin))
}

/// Adds `n` members to the organization `slug`; returns how long it took.
pub async fn seed(
    db: &Database,
    slug: &str,
    n: usize,
    now: i64,
) -> Result<std::time::Duration, Box<dyn std::error::Error + Send + Sync>> {
    let store = db.store();
    let org = store
        .organization_by_slug(slug)
        .await?
        .ok_or_else(|| format!("there is no organization with the slug `{slug}`"))?;
    let started = Instant::now();
    let hash = passwords::hash_blocking(SEED_PASSWORD).map_err(|e| e.to_string())?;
    let salt = (now as u64) ^ u64::from(org.id.0.as_fields().0);
    let members = members(n, now, salt);
    let audit = AuditEvent::new(
        Some(OrgId(org.id.0)),
        AuditActor::system(),
        "organization.seeded",
        AuditTarget::new(
            "organization",
            Some(org.id.to_string()),
            &format!("{} (+{n} members)", org.name),
        ),
        &RequestCtx::default(),
        now,
    );
    match db {
        Database::Sqlite(s) => {
            seed_into!(
                s.writer(),
                sqlx::Sqlite,
                |u: Uuid| u.to_string(),
                org.id.0,
                members,
                hash,
                now,
                &audit
            );
            s.changed();
        }
        Database::Postgres(p) => {
            seed_into!(
                p.pool(),
                sqlx::Postgres,
                |u: Uuid| u,
                org.id.0,
                members,
                hash,
                now,
                &audit
            )
        }
    }
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_realistic_and_deterministic() {
        let a = members(10_000, 0, 1);
        let share = |f: &dyn Fn(&Member) -> bool| a.iter().filter(|m| f(m)).count() * 100 / a.len();
        assert!((85..=94).contains(&share(&|m| m.status == "active")));
        assert!((2..=8).contains(&share(&|m| m.role == "admin")));
        assert!((30..=50).contains(&share(&|m| m.group.is_some())));
        let b = members(10_000, 0, 1);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.name == y.name && x.email == y.email)
        );
        let emails: std::collections::HashSet<_> = a.iter().map(|m| &m.email).collect();
        assert_eq!(emails.len(), a.len(), "emails are unique");
    }
}
