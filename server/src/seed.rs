//! `gatehouse dev seed`: fills an organization with a realistic spread of members for demos and
//! benchmarks. Bulk inserts (many rows per statement, one transaction) keep 100,000 members
//! well under a minute on SQLite.

use crate::store::{BulkMember, Database};
use app::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    core::ids::OrgId,
    server::{RequestCtx, auth::password as passwords},
};
use std::time::Instant;
use uuid::Uuid;

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

fn members(n: usize, now: i64, salt: u64) -> Vec<BulkMember> {
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
            BulkMember {
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
) -> Result<(OrgId, app::core::ids::UserId), Box<dyn std::error::Error + Send + Sync>> {
    use app::core::ids::UserId;
    use app::core::validate::OrgSlug;
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
    db.unchecked_bulk_add_members(org.id.0, GROUPS, &members, &hash, now, &audit)
        .await?;
    Ok(started.elapsed())
}

/// Adds members by name and email to the organization `org` (for the benchmarks: names the
/// seed's generator does not make, such as Chinese and Cyrillic ones).
pub async fn add_named_members(
    db: &Database,
    org: OrgId,
    people: &[(&str, &str)],
    now: i64,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let hash = passwords::hash_blocking(SEED_PASSWORD).map_err(|e| e.to_string())?;
    let members: Vec<BulkMember> = people
        .iter()
        .map(|(name, email)| BulkMember {
            id: Uuid::now_v7(),
            name: name.to_string(),
            email: email.to_string(),
            status: "active",
            role: "viewer",
            group: None,
            two_factor: false,
            last_sign_in_at: None,
        })
        .collect();
    let audit = AuditEvent::new(
        Some(org),
        AuditActor::system(),
        "organization.seeded",
        AuditTarget::new("organization", Some(org.to_string()), "named members"),
        &RequestCtx::default(),
        now,
    );
    db.unchecked_bulk_add_members(org.0, GROUPS, &members, &hash, now, &audit)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_realistic_and_deterministic() {
        let a = members(10_000, 0, 1);
        let share =
            |f: &dyn Fn(&BulkMember) -> bool| a.iter().filter(|m| f(m)).count() * 100 / a.len();
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
