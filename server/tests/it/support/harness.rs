//! The whole application in process, driven through its router without a socket.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::{TestClock, TestDb};
use app::{
    core::validate::Password,
    error::AppError,
    server::{AppState, PasswordHasher, mail::Mailer, store::OutgoingMail},
};
use async_trait::async_trait;
use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Request, StatusCode, header},
};
use clap::Parser;
use gatehouse::cli::Cli;
use http_body_util::BodyExt;
use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};
use tower::ServiceExt;

pub const ORIGIN: &str = "http://gatehouse.test";
pub const START: i64 = 1_795_370_520_000;

/// Counts password verifications, to show that unknown emails do the same work.
pub struct CountingHasher {
    inner: Arc<dyn PasswordHasher>,
    pub verifies: AtomicUsize,
    pub verifies_without_hash: AtomicUsize,
}

#[async_trait]
impl PasswordHasher for CountingHasher {
    async fn hash(&self, password: Password) -> Result<String, AppError> {
        self.inner.hash(password).await
    }
    async fn verify(&self, password: Password, hash: Option<String>) -> Result<bool, AppError> {
        self.verifies.fetch_add(1, Ordering::SeqCst);
        if hash.is_none() {
            self.verifies_without_hash.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.verify(password, hash).await
    }
}

/// Collects what the outbox delivers.
#[derive(Default)]
pub struct MailRecorder(pub Mutex<Vec<OutgoingMail>>);

#[async_trait]
impl Mailer for MailRecorder {
    async fn deliver(&self, mail: &OutgoingMail) -> Result<(), String> {
        self.0.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: TestClock,
    pub hasher: Arc<CountingHasher>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The session secret from `Set-Cookie`, if one was set (empty when cleared).
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("gatehouse_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn new(db: &TestDb, open_signup: bool) -> TestApp {
        Self::with_args(db, &["--open-signup", &open_signup.to_string()]).await
    }

    /// An application configured with these flags as well (another server on the same
    /// database, when called again with the same `db`); the public URL is the test origin
    /// unless the flags name one.
    pub async fn with_args(db: &TestDb, args: &[&str]) -> TestApp {
        Self::on_database(&db.db, &db.url, args)
    }

    /// Another server on the same database through connections of its own: on PostgreSQL, a
    /// node of a deployment of several, which knows nothing of what the others write.
    pub async fn another_node(db: &TestDb) -> TestApp {
        let own = gatehouse::store::Database::connect(&db.url).await.unwrap();
        Self::on_database(&own, &db.url, &["--open-signup", "false"])
    }

    fn on_database(database: &gatehouse::store::Database, url: &str, args: &[&str]) -> TestApp {
        let mut argv = vec!["gatehouse", "--database-url", url];
        if !args.contains(&"--public-url") {
            argv.extend_from_slice(&["--public-url", ORIGIN]);
        }
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).unwrap();
        let clock = TestClock::new(START);
        let mut server = gatehouse::build(&cli.config, database, Arc::new(clock.clone())).unwrap();
        let hasher = Arc::new(CountingHasher {
            inner: server.state.app.passwords.clone(),
            verifies: AtomicUsize::new(0),
            verifies_without_hash: AtomicUsize::new(0),
        });
        server.state.app.passwords = hasher.clone();
        let state = server.state.app.clone();
        TestApp {
            router: gatehouse::http::router(server.state),
            state,
            clock,
            hasher,
        }
    }

    pub async fn send(&self, mut req: Request<Body>, from: &str) -> Reply {
        let addr = SocketAddr::new(from.parse().unwrap(), 40000);
        req.extensions_mut().insert(ConnectInfo(addr));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A same-origin form post, as the console (or a browser without JS) sends it.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        from: &str,
    ) -> Reply {
        let cookie = cookie.map(|c| format!("gatehouse_session={c}"));
        let headers: Vec<(&str, &str)> = cookie
            .as_deref()
            .map(|c| ("cookie", c))
            .into_iter()
            .collect();
        self.post_form_with(path, form, &headers, from).await
    }

    /// A same-origin form post with these headers as well (a proxy's, a cookie).
    pub async fn post_form_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
        from: &str,
    ) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, ORIGIN);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::from(body)).unwrap(), from).await
    }

    /// A same-origin JSON post (the server functions that take JSON).
    pub async fn post_json(&self, path: &str, body: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, ORIGIN);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("gatehouse_session={c}"));
        }
        self.send(
            req.body(Body::from(body.to_string())).unwrap(),
            "192.0.2.10",
        )
        .await
    }

    /// A page as a browser asks for it.
    pub async fn get_page(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("gatehouse_session={c}"));
        }
        self.send(req.body(Body::empty()).unwrap(), "192.0.2.10")
            .await
    }

    /// A page as a browser asks for it, with these headers too (`Accept-Language`, `Cookie`).
    pub async fn get_page_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::empty()).unwrap(), "192.0.2.10")
            .await
    }

    pub async fn sign_up(&self, org: &str, name: &str, email: &str, password: &str) -> Reply {
        self.post_form(
            "/api/signup",
            &[
                ("org_name", org),
                ("name", name),
                ("email", email),
                ("password", password),
            ],
            None,
            "192.0.2.10",
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str, from: &str) -> Reply {
        self.post_form(
            "/api/signin",
            &[("email", email), ("password", password)],
            None,
            from,
        )
        .await
    }

    /// Runs one round of the outbox and returns what it delivered.
    pub async fn deliver_mail(&self) -> Vec<OutgoingMail> {
        let r = MailRecorder::default();
        gatehouse::mail::deliver_due(&*self.state.store, &r, &self.clock).await;
        r.0.into_inner().unwrap()
    }

    /// Open sign-up to the end: the form, the link mailed to `email`, and the confirmation,
    /// whose reply this is.
    pub async fn sign_up_confirmed(
        &self,
        org: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Reply {
        let r = self.sign_up(org, name, email, password).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("Check your email"), "{}", r.body);
        let mail = self
            .deliver_mail()
            .await
            .into_iter()
            .find(|m| m.to == email.to_lowercase())
            .expect("a message to the address");
        self.confirm_sign_up(&signup_token(&mail), "192.0.2.10")
            .await
    }

    /// Presses the button of a sign-up confirmation page.
    pub async fn confirm_sign_up(&self, token: &str, from: &str) -> Reply {
        self.post_form("/api/signup_confirm", &[("token", token)], None, from)
            .await
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The secret of the confirmation link in a sign-up message.
pub fn signup_token(mail: &OutgoingMail) -> String {
    let link = mail.link.as_deref().expect("a sign-up message has a link");
    link.strip_prefix("http://gatehouse.test/signup/confirm/")
        .unwrap_or_else(|| panic!("not a confirmation link: {link}"))
        .to_string()
}
