//! The `gatehouse` binary as an operator uses it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let p =
            std::env::temp_dir().join(format!("gatehouse-cli-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn db_url(&self) -> String {
        format!("sqlite://{}/gatehouse.db", self.0.display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gatehouse(dir: &TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    c.env_clear()
        .env("DATABASE_URL", dir.db_url())
        .env("GATEHOUSE_LOG", "warn")
        .current_dir(&dir.0);
    c
}

/// `gatehouse admin create` with the password from the environment.
fn admin_create(dir: &TempDir, org: &str, email: &str, name: &str) -> Output {
    gatehouse(dir)
        .args([
            "admin", "create", "--org", org, "--email", email, "--name", name,
        ])
        .env("GATEHOUSE_ADMIN_PASSWORD", "correct horse battery")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn migrate_then_admin_create_from_the_environment_and_from_stdin() {
    let dir = TempDir::new();
    let out = gatehouse(&dir).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));

    let out = gatehouse(&dir)
        .args([
            "admin",
            "create",
            "--org",
            "Acme Corp",
            "--email",
            "Ada@Example.com",
            "--name",
            "Ada",
        ])
        .env("GATEHOUSE_ADMIN_PASSWORD", "correct horse battery")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "Created organization Acme Corp (acme-corp) with ada@example.com as its Admin"
        ),
        "{stdout}"
    );

    let mut child = gatehouse(&dir)
        .args([
            "admin",
            "create",
            "--org",
            "Beta",
            "--email",
            "grace@example.com",
            "--name",
            "Grace",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"another good password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("(beta)"));

    // The same email again is refused with a reason, and the exit code says so.
    let out = admin_create(&dir, "Gamma", "ada@example.com", "Ada");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("already exists"), "{:?}", text(&out));

    let out = gatehouse(&dir)
        .args([
            "admin",
            "create",
            "--org",
            "Delta",
            "--email",
            "d@example.com",
            "--name",
            "D",
        ])
        .env("GATEHOUSE_ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out)
            .1
            .contains("password: A password has at least 8 characters"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let dir = TempDir::new();
    let out = gatehouse(&dir)
        .arg("migrate")
        .env(
            "DATABASE_URL",
            "postgres://gate:s3cret@127.0.0.1:1/gatehouse?connect_timeout=2",
        )
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("postgres://gate:***@127.0.0.1:1/gatehouse"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn bad_configuration_values_are_reported_and_exit_non_zero() {
    let dir = TempDir::new();
    for (var, value, expect) in [
        ("GATEHOUSE_ADDR", "not-an-address", "--addr"),
        (
            "DATABASE_URL",
            "mysql://x",
            "must start with sqlite:// or postgres://",
        ),
        (
            "GATEHOUSE_PUBLIC_URL",
            "ftp://example.com",
            "GATEHOUSE_PUBLIC_URL",
        ),
        ("GATEHOUSE_OPEN_SIGNUP", "perhaps", "--open-signup"),
        (
            "GATEHOUSE_TRUSTED_PROXIES",
            "10.0.0.0/8, 10.0.0.0/33",
            "GATEHOUSE_TRUSTED_PROXIES: `10.0.0.0/33` is not an address or a CIDR range",
        ),
    ] {
        let out = gatehouse(&dir)
            .arg("serve")
            .env(var, value)
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "{var}={value} was accepted");
        assert!(stderr.contains(expect), "{var}={value}: {stderr}");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = TempDir::new();
    let port = free_port();
    let mut child = gatehouse(&dir)
        .arg("serve")
        .env("GATEHOUSE_ADDR", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_LOG_FORMAT", "json")
        .env("GATEHOUSE_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let health = loop {
        if let Some(r) = get(port, "/healthz") {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#"{"status":"ok"}"#));
    let ready = get(port, "/readyz").unwrap();
    assert!(
        ready.starts_with("HTTP/1.1 200") && ready.contains(r#""database":"ok""#),
        "{ready}"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON log line"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "Gatehouse is listening"),
        "{log}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "Gatehouse stopped"),
        "{log}"
    );
}

/// One HTTP request over a fresh connection; returns the whole response.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Origin: http://127.0.0.1:{port}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    write!(s, "{head}\r\n{body}").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn start(dir: &TempDir, port: u16, extra: &[(&str, &str)]) -> std::process::Child {
    let mut c = gatehouse(dir);
    c.arg("serve")
        .env("GATEHOUSE_ADDR", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_MAIL_DIR", dir.0.join("mail"))
        .env("GATEHOUSE_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        c.env(k, v);
    }
    let child = c.spawn().unwrap();
    let started = Instant::now();
    while get(port, "/healthz").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

/// Sends `signal` to the server, waits for it to end, and returns its log.
fn stop(child: &mut std::process::Child, signal: &str) -> String {
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    log
}

/// The outbox is written in the invitation's transaction: a server killed before delivering
/// (here its SMTP server refuses every connection) loses nothing, and after a restart the
/// message is delivered.
#[test]
fn a_killed_server_loses_no_invitation_email() {
    let dir = TempDir::new();
    let out = admin_create(&dir, "Acme", "ada@example.com", "Ada");
    assert!(out.status.success(), "{:?}", text(&out));

    let port = free_port();
    let refused = free_port(); // nothing listens there
    let smtp = format!("smtp://127.0.0.1:{refused}");
    let mut child = start(&dir, port, &[("GATEHOUSE_SMTP_URL", &smtp)]);
    let signed_in = request(
        port,
        "POST",
        "/api/signin",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "email=ada%40example.com&password=correct+horse+battery",
    );
    let cookie = signed_in
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: gatehouse_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no session: {signed_in}"));
    let invited = request(
        port,
        "POST",
        "/api/invite",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &format!("gatehouse_session={cookie}")),
        ],
        r#"{"org":"acme","invitation":{"email":"new@example.com","bindings":[{"role":"viewer","project":null}],"groups":[]}}"#,
    );
    assert!(invited.starts_with("HTTP/1.1 200"), "{invited}");
    std::thread::sleep(Duration::from_millis(1500));
    let log = stop(&mut child, "-KILL");
    assert!(log.contains("mail delivery failed; will retry"), "{log}");
    let mail_dir = dir.0.join("mail");
    assert!(!mail_dir.exists() || std::fs::read_dir(&mail_dir).unwrap().next().is_none());

    // Restarted without SMTP: the message goes to the mail folder once its retry is due.
    let mut child = start(&dir, port, &[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let eml = loop {
        let found = std::fs::read_dir(&mail_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "eml"));
        if let Some(p) = found {
            break std::fs::read_to_string(p).unwrap();
        }
        assert!(Instant::now() < deadline, "the message was not delivered");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(eml.contains("To: new@example.com"), "{eml}");
    assert!(
        eml.contains("Subject: Ada invited you to Acme on Gatehouse"),
        "{eml}"
    );
    assert!(
        eml.contains(&format!("http://127.0.0.1:{port}/invite/")),
        "{eml}"
    );
    assert!(eml.contains("multipart/alternative"), "{eml}");
    let log = stop(&mut child, "-TERM");
    assert!(log.contains("mail written to the mail folder"), "{log}");
    assert!(log.contains("/invite/"), "the log names the link: {log}");
}

/// A SQLite database has one server process: it reuses token lookups until it writes, which is
/// exact only if no other server writes to the file. A second server is refused (the claim goes
/// with the process, even when it is killed), while the command line still runs beside it.
#[test]
fn a_sqlite_database_has_one_server_and_the_command_line_beside_it() {
    let dir = TempDir::new();
    let made = admin_create(&dir, "Acme", "ada@example.com", "Ada");
    assert!(made.status.success(), "{:?}", text(&made));
    let (p1, p2) = (free_port(), free_port());
    let mut first = start(&dir, p1, &[]);

    let second = gatehouse(&dir)
        .arg("serve")
        .env("GATEHOUSE_ADDR", format!("127.0.0.1:{p2}"))
        .output()
        .unwrap();
    let (_, err) = text(&second);
    assert!(!second.status.success());
    assert!(
        err.contains("another Gatehouse server is already serving") && err.contains("gatehouse.db"),
        "{err}"
    );
    assert!(get(p2, "/healthz").is_none());

    // A token made by the command line while the server runs works on the server at once.
    let token = gatehouse(&dir)
        .args([
            "token", "create", "--org", "acme", "--name", "deploys", "--role", "viewer",
        ])
        .output()
        .unwrap();
    let (secret, err) = text(&token);
    assert!(token.status.success(), "{err}");
    let secret = secret.trim();
    let bearer = format!("Bearer {secret}");
    for _ in 0..2 {
        let me = request(p1, "GET", "/api/v1/me", &[("Authorization", &bearer)], "");
        assert!(me.starts_with("HTTP/1.1 200"), "{me}");
        assert!(me.contains("deploys"), "{me}");
    }

    // Killed without a chance to clean up: the claim goes with the process.
    stop(&mut first, "-KILL");
    let mut next = start(&dir, p2, &[]);
    let me = request(p2, "GET", "/api/v1/me", &[("Authorization", &bearer)], "");
    assert!(me.starts_with("HTTP/1.1 200"), "{me}");
    stop(&mut next, "-TERM");
}
