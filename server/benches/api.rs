//! Token-authenticated API reads beside a bare health check, on one server: requests per
//! second and p50/p99 latency for `GET /healthz`, `GET /api/v1/me` (a user token and an
//! organization token) and `GET /api/v1/members?limit=50` in an organization of 10,000 members,
//! each as a ratio to `/healthz`. The load comes from `wrk` (Debian's package) over 127.0.0.1,
//! for a bounded time per endpoint; it prints figures and asserts nothing.
//!
//! Run: `scripts/bench api` (installs wrk), or `cargo bench -p gatehouse --bench api`.
//! `GATEHOUSE_BENCH_SECONDS` sets the time per endpoint (default 10); with
//! `GATEHOUSE_TEST_POSTGRES` set it runs on PostgreSQL too: as one of several servers (no token
//! lookup is reused), then as a single-node server (`GATEHOUSE_SINGLE_NODE=true`).

use app::{
    areas::tokens::service::TokenRequest,
    core::kinds::TokenKind,
    policy::{BuiltinRole, Principal, RoleId},
    server::{RequestCtx, caller::Caller},
};
use clap::Parser;
use gatehouse::{cli::Cli, store::Database};
use std::{net::SocketAddr, process::Command};

const MEMBERS: usize = 10_000;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What wrk reported for one endpoint.
struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
}

/// wrk prints latencies as `1.23ms`, `456.00us` or `1.02s`.
fn millis(text: &str) -> Option<f64> {
    let (n, unit) = text
        .find(|c: char| c.is_ascii_alphabetic())
        .map(|i| text.split_at(i))?;
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        _ => return None,
    })
}

fn parse_wrk(out: &str) -> Result<Figures, BoxError> {
    let field = |prefix: &str| -> Option<&str> {
        out.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let rps = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output:\n{out}"))?;
    let p50 = field("50%")
        .and_then(millis)
        .ok_or("no 50% latency in wrk's output")?;
    let p99 = field("99%")
        .and_then(millis)
        .ok_or("no 99% latency in wrk's output")?;
    let non_2xx = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(Figures {
        rps,
        p50_ms: p50,
        p99_ms: p99,
        non_2xx,
    })
}

fn wrk(url: &str, token: Option<&str>, seconds: u64) -> Result<Figures, BoxError> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "-c32", &format!("-d{seconds}s"), "--latency"]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let out = cmd.arg(url).output()?;
    if !out.status.success() {
        return Err(format!("wrk failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

async fn bench(name: &str, db: &Database, url: &str, seconds: u64) -> Result<(), BoxError> {
    db.migrate().await?;
    let cli = Cli::try_parse_from(["gatehouse", "--database-url", url])?;
    let server = gatehouse::build(&cli.config, db, gatehouse::system_clock())?;
    let state = server.state.app.clone();
    let now = state.now();
    let (org, admin) = gatehouse::seed::bench_organization(&*state.store, now).await?;
    gatehouse::seed::seed(db, "bench", MEMBERS, now).await?;
    let access = state
        .store
        .member_access(org, admin)
        .await?
        .ok_or("the admin is a member")?;
    let admin_caller = Caller {
        principal: Principal::member(admin, org, access.status, access.bindings),
        label: "admin@bench.example".into(),
    };
    let mut secrets = Vec::new();
    for (kind, role) in [
        (TokenKind::User, BuiltinRole::Admin),
        (TokenKind::Organization, BuiltinRole::Viewer),
    ] {
        let (_, secret) = app::areas::tokens::service::create(
            &state,
            &RequestCtx::default(),
            &admin_caller,
            TokenRequest {
                name: format!("bench {kind:?}"),
                kind,
                role: RoleId::Builtin(role),
                expires_in_days: None,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        secrets.push(secret.expose().to_string());
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = gatehouse::http::router(server.state);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
    });

    let base = format!("http://{addr}");
    let cases: [(&str, String, Option<String>); 4] = [
        ("GET /healthz", format!("{base}/healthz"), None),
        (
            "GET /api/v1/me (user token)",
            format!("{base}/api/v1/me"),
            Some(secrets[0].clone()),
        ),
        (
            "GET /api/v1/me (organization token)",
            format!("{base}/api/v1/me"),
            Some(secrets[1].clone()),
        ),
        (
            "GET /api/v1/members?limit=50",
            format!("{base}/api/v1/members?limit=50"),
            Some(secrets[0].clone()),
        ),
    ];
    let mut passes = vec![(name.to_string(), None)];
    if matches!(db, Database::Postgres(_)) {
        passes.push((
            format!("{name} with GATEHOUSE_SINGLE_NODE=true"),
            Some(true),
        ));
    }
    for (title, single_node) in passes {
        // Held for the pass: alone on the database, the server reuses token lookups.
        let _claim = match single_node {
            Some(single) => Some(db.claim_server(single).await?),
            None => None,
        };
        println!(
            "\n{title}: {MEMBERS} members; wrk -t1 -c32, {seconds} s per endpoint, one server on 127.0.0.1"
        );
        println!(
            "  {:<38} {:>10} {:>9} {:>9} {:>12}",
            "endpoint", "req/s", "p50 ms", "p99 ms", "× /healthz"
        );
        let mut healthz = None;
        for (label, url, token) in cases.clone() {
            // A short warm-up fills the connection pools, the page cache and any token cache.
            let f = tokio::task::spawn_blocking(move || {
                wrk(&url, token.as_deref(), 1)?;
                wrk(&url, token.as_deref(), seconds)
            })
            .await?
            .map_err(|e| e.to_string())?;
            let base_rps = *healthz.get_or_insert(f.rps);
            println!(
                "  {label:<38} {:>10.0} {:>9.2} {:>9.2} {:>12.2}{}",
                f.rps,
                f.p50_ms,
                f.p99_ms,
                f.rps / base_rps,
                if f.non_2xx > 0 {
                    format!("   ({} non-2xx answers!)", f.non_2xx)
                } else {
                    String::new()
                }
            );
        }
    }
    let _ = stop.send(());
    serving.await??;
    Ok(())
}

fn main() -> Result<(), BoxError> {
    if Command::new("wrk").arg("--version").output().is_err() {
        return Err(
            "this benchmark needs wrk: `apt-get install wrk`, or run `scripts/bench api`".into(),
        );
    }
    let seconds = std::env::var("GATEHOUSE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(gatehouse::seed::on_fresh_databases(
        |name, db, url| async move { bench(name, &db, &url, seconds).await },
    ))
}
