//! A sign-in flood against one server process: its memory, its sign-in throughput against what
//! argon2id itself allows on this machine, and whether other requests still get through.
//!
//! The server is the release binary (`gatehouse serve`) on 127.0.0.1, so that its memory is
//! its own (`VmRSS` of its process). An organization of seeded members is signed into by
//! `CLIENTS` concurrent clients, one connection per attempt, each from another loopback
//! address (127.0.0.2 and up, so that the per-address limits let a flood through, as they would
//! from many people), each account once: first with the right password, then with a wrong one.
//! Meanwhile one client asks `GET /api/v1/me` with an organization token every few
//! milliseconds and records how long each answer took. Afterwards the server is left alone
//! for a minute and its memory watched.
//!
//! Prints, beside each target of issue 15 (item 5): the server's memory before, its peak during
//! each flood and where it is a minute after; sign-ins per second ÷ raw argon2id hashes per
//! second on all cores (the ceiling); and the p50/p99 of `/api/v1/me` during the floods. Bounded:
//! `GATEHOUSE_BENCH_SECONDS` per flood (default 10), one minute after; asserts nothing.
//!
//! Run: `scripts/bench signin`, or `cargo bench -p gatehouse --bench signin`. With
//! `GATEHOUSE_TEST_POSTGRES` set it runs on PostgreSQL too.

use app::server::auth::password::{HashMemory, hash_with};
use gatehouse::store::Database;
use http_body_util::{BodyExt, Full};
use hyper::{Request, body::Bytes};
use hyper_util::rt::TokioIo;
use std::{
    net::{Ipv4Addr, SocketAddr},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::net::TcpSocket;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Concurrent sign-in clients.
const CLIENTS: usize = 16;
/// Seeded accounts: each is signed into once per flood, far below the per-account limit.
const ACCOUNTS: usize = 4_000;
/// Loopback addresses the clients take turns at (127.0.0.2 …).
const ADDRESSES: u32 = 250;
/// How often the probe asks `/api/v1/me`.
const PROBE_EVERY: Duration = Duration::from_millis(10);
/// How long raw argon2id is measured before each flood.
const RAW_SECONDS: f64 = 3.0;
/// How long the server is watched after the floods.
const AFTER: Duration = Duration::from_secs(60);
/// Targets (issue 15, item 5).
const PEAK_TARGET_MB: f64 = 120.0;
const AFTER_TARGET_MB: f64 = 60.0;
const ME_P99_TARGET_MS: f64 = 10.0;
const ORIGIN: &str = "http://bench.test";

/// The server process, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Resident memory of the server process, in MB.
    fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    fn threads(&self) -> Option<usize> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))?
            .trim()
            .parse()
            .ok()
    }
}

/// The server binary: the one built with this benchmark, or `GATEHOUSE_BENCH_SERVER` (to compare
/// builds on one machine).
fn gatehouse(url: &str, dir: &Path) -> Command {
    let bin = std::env::var_os("GATEHOUSE_BENCH_SERVER")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_gatehouse").into());
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .env("DATABASE_URL", url)
        .env("GATEHOUSE_PUBLIC_URL", ORIGIN)
        .env("GATEHOUSE_MAIL_DIR", dir.join("mail"))
        .env("GATEHOUSE_LOG", "error")
        .env_remove("GATEHOUSE_SINGLE_NODE");
    cmd
}

async fn start_server(url: &str, dir: &Path) -> Result<Server, BoxError> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let child = gatehouse(url, dir)
        .arg("serve")
        .env("GATEHOUSE_ADDR", addr.to_string())
        .stdout(Stdio::null())
        .spawn()?;
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok((status, _)) = send(addr, None, get("/healthz", None)?).await
            && status == 200
        {
            return Ok(server);
        }
        if Instant::now() > deadline {
            return Err("the server did not answer /healthz within a minute".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn get(path: &str, token: Option<&str>) -> Result<Request<Full<Bytes>>, BoxError> {
    let mut req = Request::get(path).header("host", "bench.test");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    Ok(req.body(Full::new(Bytes::new()))?)
}

fn sign_in(email: &str, password: &str) -> Result<Request<Full<Bytes>>, BoxError> {
    let form = format!(
        "email={}&password={}",
        email.replace('+', "%2B").replace('@', "%40"),
        password
    );
    Ok(Request::post("/api/signin")
        .header("host", "bench.test")
        .header("origin", ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form)))?)
}

/// One request on a connection of its own, from `from` (any port) when given.
async fn send(
    to: SocketAddr,
    from: Option<Ipv4Addr>,
    req: Request<Full<Bytes>>,
) -> Result<(u16, Bytes), BoxError> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = from {
        socket.bind(SocketAddr::from((ip, 0)))?;
    }
    let stream = socket.connect(to).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let conn = tokio::spawn(conn);
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    drop(sender);
    let _ = conn.await;
    Ok((status, body))
}

/// Raw argon2id throughput of this machine: one thread per core hashing with the server's
/// parameters for `seconds`, each in memory of its own that it reuses (argon2id at its fastest),
/// as many hashes as they finish.
fn raw_hashes_per_second(seconds: f64) -> f64 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..cores)
        .map(|_| {
            let (stop, done) = (stop.clone(), done.clone());
            std::thread::spawn(move || {
                let mut memory = HashMemory::new();
                while !stop.load(Ordering::Relaxed) {
                    if hash_with(&mut memory, "bench password").is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// What one flood did.
#[derive(Default)]
struct Flood {
    attempts: u64,
    signed_in: u64,
    refused: u64,
    limited: u64,
    busy: u64,
    other: u64,
    seconds: f64,
    peak_mb: f64,
    peak_threads: usize,
    me_ms: Vec<f64>,
    me_failed: u64,
}

/// `CLIENTS` clients sign into `accounts` (each once, then round again) with `password` for
/// `seconds`, while the server's memory is sampled and `/api/v1/me` probed.
async fn flood(
    server: &Server,
    accounts: Arc<Vec<String>>,
    password: &'static str,
    token: &str,
    seconds: f64,
) -> Flood {
    let addr = server.addr;
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Flood::default()));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (accounts, next, tally) = (accounts.clone(), next.clone(), tally.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let email = &accounts[n % accounts.len()];
                    let from = Ipv4Addr::from(
                        u32::from(Ipv4Addr::new(127, 0, 0, 2)) + (n as u32 % ADDRESSES),
                    );
                    let answer = match sign_in(email, password) {
                        Ok(req) => send(addr, Some(from), req).await,
                        Err(e) => Err(e),
                    };
                    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                    t.attempts += 1;
                    match answer {
                        Ok((200, _)) => t.signed_in += 1,
                        Ok((401, _)) => t.refused += 1,
                        Ok((429, _)) => t.limited += 1,
                        Ok((503, _)) => t.busy += 1,
                        _ => t.other += 1,
                    }
                }
            })
        })
        .collect();
    let probe = {
        let (token, tally) = (token.to_string(), tally.clone());
        tokio::spawn(async move {
            while Instant::now() < until {
                let t0 = Instant::now();
                let ok = match get("/api/v1/me", Some(&token)) {
                    Ok(req) => matches!(send(addr, None, req).await, Ok((200, _))),
                    Err(_) => false,
                };
                let ms = t0.elapsed().as_secs_f64() * 1000.0;
                {
                    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                    if ok {
                        t.me_ms.push(ms);
                    } else {
                        t.me_failed += 1;
                    }
                }
                tokio::time::sleep(PROBE_EVERY.saturating_sub(t0.elapsed())).await;
            }
        })
    };
    let mut peak = 0.0f64;
    let mut peak_threads = 0;
    while Instant::now() < until {
        peak = peak.max(server.rss_mb().unwrap_or(0.0));
        peak_threads = peak_threads.max(server.threads().unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for c in clients {
        let _ = c.await;
    }
    let _ = probe.await;
    peak = peak.max(server.rss_mb().unwrap_or(0.0));
    let mut result = std::mem::take(&mut *tally.lock().unwrap_or_else(|p| p.into_inner()));
    result.seconds = started.elapsed().as_secs_f64();
    result.peak_mb = peak;
    result.peak_threads = peak_threads;
    result.me_ms.sort_by(f64::total_cmp);
    result
}

fn report(title: &str, f: &Flood, raw: f64, idle_mb: f64) {
    let per_second = |n: u64| n as f64 / f.seconds;
    let answered = if title.contains("wrong") {
        f.refused
    } else {
        f.signed_in
    };
    println!(
        "  {title}: {} attempts in {:.1} s — {} signed in, {} refused (401), {} limited (429), {} busy (503), {} other",
        f.attempts, f.seconds, f.signed_in, f.refused, f.limited, f.busy, f.other
    );
    println!(
        "    answered {:.1}/s = {:.2} × raw argon2id ({raw:.1}/s)        (target ≈ 1.0)",
        per_second(answered),
        per_second(answered) / raw
    );
    println!(
        "    server memory: {idle_mb:.0} MB before, peak {:.0} MB, {} threads at most   (target ≤ {PEAK_TARGET_MB:.0} MB)",
        f.peak_mb, f.peak_threads
    );
    println!(
        "    GET /api/v1/me meanwhile: {} answers, p50 {:.2} ms, p99 {:.2} ms{}   (target p99 ≤ {ME_P99_TARGET_MS:.0} ms)",
        f.me_ms.len(),
        percentile(&f.me_ms, 0.5),
        percentile(&f.me_ms, 0.99),
        if f.me_failed > 0 {
            format!(", {} failed!", f.me_failed)
        } else {
            String::new()
        }
    );
}

async fn bench(name: &str, db: &Database, url: &str, seconds: f64) -> Result<(), BoxError> {
    db.migrate().await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    gatehouse::seed::bench_organization(&*db.store(), now).await?;
    gatehouse::seed::seed(db, "bench", ACCOUNTS, now).await?;
    let emails: Vec<String> = match db {
        Database::Sqlite(s) => {
            sqlx::query_scalar(
                "SELECT email FROM users WHERE email LIKE '%@example.com' ORDER BY email",
            )
            .fetch_all(s.writer())
            .await?
        }
        Database::Postgres(p) => {
            sqlx::query_scalar(
                "SELECT email FROM users WHERE email LIKE '%@example.com' ORDER BY email",
            )
            .fetch_all(p.pool())
            .await?
        }
    };
    if emails.len() < ACCOUNTS {
        return Err(format!("seeded {} accounts, expected {ACCOUNTS}", emails.len()).into());
    }
    let (right, wrong) = emails.split_at(ACCOUNTS / 2);
    let (right, wrong) = (Arc::new(right.to_vec()), Arc::new(wrong.to_vec()));

    let dir = std::env::temp_dir().join(format!(
        "gatehouse-signin-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let made = gatehouse(url, &dir)
        .args([
            "token", "create", "--org", "bench", "--name", "probe", "--role", "viewer",
        ])
        .stderr(Stdio::null())
        .output()?;
    let token = String::from_utf8(made.stdout)?.trim().to_string();
    if !token.starts_with("gth_o_") {
        return Err("`gatehouse token create` printed no token".into());
    }

    let server = start_server(url, &dir).await?;
    // Ten answers of /me, then a moment's rest: the memory of a server that has served.
    for _ in 0..10 {
        send(server.addr, None, get("/api/v1/me", Some(&token))?).await?;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.rss_mb().unwrap_or(0.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "\n{name}: {CLIENTS} clients signing in from {ADDRESSES} loopback addresses, {seconds:.0} s per flood; {cores} cores; server on {}",
        server.addr
    );
    // The machine may be doing other things too: the ceiling is measured right before each flood.
    let raw = tokio::task::spawn_blocking(|| raw_hashes_per_second(RAW_SECONDS)).await?;
    let good = flood(
        &server,
        right,
        gatehouse::seed::SEED_PASSWORD,
        &token,
        seconds,
    )
    .await;
    report("right passwords", &good, raw, idle);
    let raw = tokio::task::spawn_blocking(|| raw_hashes_per_second(RAW_SECONDS)).await?;
    let bad = flood(&server, wrong, "not-the-password", &token, seconds).await;
    report("wrong passwords", &bad, raw, idle);

    let flooded = Instant::now();
    let mut marks = vec![];
    let mut under = None;
    for mark in [5u64, 15, 30, 60] {
        let at = Duration::from_secs(mark).min(AFTER);
        while flooded.elapsed() < at {
            let rss = server.rss_mb().unwrap_or(f64::MAX);
            if under.is_none() && rss < AFTER_TARGET_MB {
                under = Some(flooded.elapsed().as_secs_f64());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        marks.push(format!(
            "{mark} s: {:.0} MB",
            server.rss_mb().unwrap_or(0.0)
        ));
    }
    println!(
        "  after the floods: {}   (target < {AFTER_TARGET_MB:.0} MB within 60 s{})",
        marks.join(", "),
        match under {
            Some(s) => format!("; under it after {s:.1} s"),
            None => "; not reached".into(),
        }
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let seconds = std::env::var("GATEHOUSE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(gatehouse::seed::on_fresh_databases(
        |name, db, url| async move { bench(name, &db, &url, seconds).await },
    ))
}
