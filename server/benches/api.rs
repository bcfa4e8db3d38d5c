//! Token-authenticated API reads beside a bare health check, on one server: requests per
//! second and p50/p99 latency for `GET /healthz`, `GET /api/v1/me` (a user token and an
//! organization token) and `GET /api/v1/members?limit=50` in an organization of 10,000 members
//! (unfiltered, searched, and filtered by a role with a second factor or a search), each as a
//! ratio to `/healthz`; each members page's server CPU is printed beside its target (≤ 0.3 ms).
//! The load comes from `wrk` (Debian's package) over 127.0.0.1, for a bounded time per
//! endpoint; it prints figures and asserts nothing.
//!
//! Beside them, a console request authenticated by a session cookie: the settings page's server
//! function (`POST /api/settings`), and its REST twin `GET /api/v1/organization` with the same
//! Admin's user token (both call the same service). Each row also shows requests per CPU-second
//! of the server (this process's CPU time from `/proc/self/stat` while wrk ran, and on
//! PostgreSQL that of the backends serving its database), and the
//! session request's cost is printed as a multiple of the token requests' beside its target
//! (≤ 2×).
//!
//! Run: `scripts/bench api` (installs wrk), or `cargo bench -p gatehouse --bench api`.
//! `GATEHOUSE_BENCH_SECONDS` sets the time per endpoint (default 10); with
//! `GATEHOUSE_TEST_POSTGRES` set it runs on PostgreSQL too: as one of several servers (no token
//! lookup is reused), then as a single-node server (`GATEHOUSE_SINGLE_NODE=true`).

use app::{
    areas::audit::event::{AuditActor, AuditEvent, AuditTarget},
    areas::tokens::service::TokenRequest,
    core::kinds::TokenKind,
    policy::{BuiltinRole, Principal, RoleId},
    server::{RequestCtx, caller::Caller, secrets, store::NewSession},
};
use clap::Parser;
use gatehouse::{cli::Cli, store::Database};
use std::{collections::HashMap, net::SocketAddr, process::Command};

const MEMBERS: usize = 10_000;
/// The public URL the bench server is told it has: console requests carry it as `Origin`.
const ORIGIN: &str = "http://bench.test";
/// A console request costs at most this many token requests (issue 15, item 3).
const SESSION_TARGET: f64 = 2.0;
/// A page of 50 members costs at most this much server CPU (issue 15, item 2).
const PAGE_CPU_TARGET_MS: f64 = 0.3;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What wrk reported for one endpoint.
struct Figures {
    rps: f64,
    requests: u64,
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
    let requests = out
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .ok_or_else(|| format!("no request count in wrk's output:\n{out}"))?;
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
        requests,
        p50_ms: p50,
        p99_ms: p99,
        non_2xx,
    })
}

/// How a request authenticates.
#[derive(Clone)]
enum Auth {
    None,
    Token(String),
    /// A console server function: a form `POST` with this body, the session cookie and the
    /// same-origin `Origin` that the console's requests carry.
    Session {
        cookie: String,
        form: String,
    },
}

/// A process's CPU time so far (user + system), in seconds; `None` once it has gone.
fn cpu_seconds_of(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are the 14th and 15th fields; `after` starts at the 3rd. Linux counts
    // them in USER_HZ, which is 100 on every platform it runs on.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// The server's CPU time so far, per process: this process's, and on PostgreSQL that of each
/// of the database's backends serving `database` (found by the name in their command line),
/// since a request's queries cost CPU there.
fn cpu_seconds(database: Option<&str>) -> Result<HashMap<String, f64>, BoxError> {
    let mut out = HashMap::new();
    out.insert(
        "self".to_string(),
        cpu_seconds_of("self").ok_or("unreadable /proc/self/stat")?,
    );
    let Some(database) = database else {
        return Ok(out);
    };
    for entry in std::fs::read_dir("/proc")? {
        let pid = entry?.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.starts_with("postgres: ")
            && cmdline.contains(database)
            && let Some(cpu) = cpu_seconds_of(&pid)
        {
            out.insert(pid, cpu);
        }
    }
    Ok(out)
}

/// The CPU spent between two readings of `cpu_seconds`, process by process: a backend that
/// started meanwhile counts from zero, and one that ended meanwhile takes nothing away (its
/// last seconds are lost, which undercounts a little rather than a lot).
fn cpu_spent(before: &HashMap<String, f64>, after: &HashMap<String, f64>) -> f64 {
    after
        .iter()
        .map(|(pid, cpu)| (cpu - before.get(pid).copied().unwrap_or(0.0)).max(0.0))
        .sum()
}

fn wrk(url: &str, auth: &Auth, seconds: u64) -> Result<Figures, BoxError> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "-c32", &format!("-d{seconds}s"), "--latency"]);
    let mut script = None;
    match auth {
        Auth::None => {}
        Auth::Token(t) => {
            cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
        }
        Auth::Session { cookie, form } => {
            let path = std::env::temp_dir().join(format!(
                "gatehouse-bench-post-{}.lua",
                uuid::Uuid::now_v7().simple()
            ));
            std::fs::write(
                &path,
                format!(
                    "wrk.method = \"POST\"\nwrk.body = \"{form}\"\n\
                     wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
                ),
            )?;
            cmd.args(["-H", &format!("Cookie: gatehouse_session={cookie}")]);
            cmd.args(["-H", &format!("Origin: {ORIGIN}")]);
            cmd.arg("-s").arg(&path);
            script = Some(path);
        }
    }
    let out = cmd.arg(url).output();
    if let Some(path) = script {
        let _ = std::fs::remove_file(path);
    }
    let out = out?;
    if !out.status.success() {
        return Err(format!("wrk failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

const ORGANIZATION_TOKEN_ROW: &str = "GET /api/v1/organization (user token)";
const SETTINGS_SESSION_ROW: &str = "POST /api/settings (session cookie)";

async fn bench(name: &str, db: &Database, url: &str, seconds: u64) -> Result<(), BoxError> {
    db.migrate().await?;
    let cli = Cli::try_parse_from(["gatehouse", "--database-url", url, "--public-url", ORIGIN])?;
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
    // The Admin signed in: a session as sign-in makes it (only its hash is stored).
    let cookie = secrets::secret_256();
    state
        .store
        .create_session(
            NewSession {
                id_hash: secrets::sha256_hex(&cookie),
                user_id: admin,
                now,
                expires_at: now + state.config.session_absolute_ms,
                client_addr: Some("127.0.0.1".into()),
                user_agent: Some("wrk".into()),
            },
            AuditEvent::new(
                None,
                AuditActor::user(admin, "admin@bench.example"),
                "user.signed_in",
                AuditTarget::new("user", Some(admin.to_string()), "admin@bench.example"),
                &RequestCtx::default(),
                now,
            ),
        )
        .await?;

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
    let user_token = Auth::Token(secrets[0].clone());
    let cases: [(&str, String, Auth); 9] = [
        ("GET /healthz", format!("{base}/healthz"), Auth::None),
        (
            "GET /api/v1/me (user token)",
            format!("{base}/api/v1/me"),
            user_token.clone(),
        ),
        (
            "GET /api/v1/me (organization token)",
            format!("{base}/api/v1/me"),
            Auth::Token(secrets[1].clone()),
        ),
        (
            "GET /api/v1/members?limit=50",
            format!("{base}/api/v1/members?limit=50"),
            user_token.clone(),
        ),
        (
            "  … &q=ada",
            format!("{base}/api/v1/members?limit=50&q=ada"),
            user_token.clone(),
        ),
        (
            "  … &role=editor&two_factor=true",
            format!("{base}/api/v1/members?limit=50&role=editor&two_factor=true"),
            user_token.clone(),
        ),
        (
            "  … &role=viewer&q=mar",
            format!("{base}/api/v1/members?limit=50&role=viewer&q=mar"),
            user_token.clone(),
        ),
        (
            ORGANIZATION_TOKEN_ROW,
            format!("{base}/api/v1/organization"),
            user_token,
        ),
        (
            SETTINGS_SESSION_ROW,
            format!("{base}/api/settings"),
            Auth::Session {
                cookie,
                form: "org=bench".into(),
            },
        ),
    ];
    // On PostgreSQL, the database's name, to find the backends that serve this server.
    let database = match db {
        Database::Postgres(_) => url::Url::parse(url)?
            .path()
            .strip_prefix('/')
            .map(str::to_string),
        Database::Sqlite(_) => None,
    };
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
            "  {:<38} {:>10} {:>9} {:>9} {:>12} {:>12}",
            "endpoint", "req/s", "p50 ms", "p99 ms", "× /healthz", "req/CPU-s"
        );
        if database.is_some() {
            println!("  (CPU: this process and the database's backends serving it)");
        }
        let mut healthz = None;
        let mut per_cpu = HashMap::new();
        for (label, url, auth) in cases.clone() {
            // A short warm-up fills the connection pools, the page cache and any token cache.
            let database = database.clone();
            let (f, cpu) = tokio::task::spawn_blocking(move || {
                wrk(&url, &auth, 1)?;
                let before = cpu_seconds(database.as_deref())?;
                let f = wrk(&url, &auth, seconds)?;
                let after = cpu_seconds(database.as_deref())?;
                Ok::<_, BoxError>((f, cpu_spent(&before, &after)))
            })
            .await?
            .map_err(|e| e.to_string())?;
            let base_rps = *healthz.get_or_insert(f.rps);
            let rpc = f.requests as f64 / cpu.max(0.01);
            per_cpu.insert(label, rpc);
            println!(
                "  {label:<38} {:>10.0} {:>9.2} {:>9.2} {:>12.2} {:>12.0}{}",
                f.rps,
                f.p50_ms,
                f.p99_ms,
                f.rps / base_rps,
                rpc,
                if f.non_2xx > 0 {
                    format!("   ({} non-2xx answers!)", f.non_2xx)
                } else {
                    String::new()
                }
            );
        }
        let cost = |label: &str| per_cpu.get(label).map(|rpc| 1.0 / rpc);
        for (label, _, _) in &cases {
            if (label.starts_with("GET /api/v1/members") || label.starts_with("  …"))
                && let Some(c) = cost(label)
            {
                println!(
                    "  a page of 50 members ({}) costs {:.3} ms of server CPU (target ≤ {PAGE_CPU_TARGET_MS} ms)",
                    label.trim_start().trim_start_matches("… "),
                    c * 1e3
                );
            }
        }
        if let (Some(session), Some(twin), Some(me)) = (
            cost(SETTINGS_SESSION_ROW),
            cost(ORGANIZATION_TOKEN_ROW),
            cost("GET /api/v1/me (user token)"),
        ) {
            println!(
                "  a session-authenticated console request costs {:.2}× its token-authenticated \
                 twin (target ≤ {SESSION_TARGET:.0}×) and {:.2}× GET /api/v1/me",
                session / twin,
                session / me
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
