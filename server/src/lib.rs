//! The native Gatehouse server: configuration, databases, the axum application and the
//! command line. The application itself lives in the `app` crate.

pub mod cli;
pub mod config;
pub mod hashing;
pub mod http;
pub mod mail;
pub mod proxies;
pub mod runtime;
pub mod seed;
pub mod store;

use self::{
    config::Config, hashing::HashWorkers, http::ServerState, runtime::GovernorThrottle,
    store::Database,
};
use app::server::{AppConfig, AppState, Clock, SystemClock};
use leptos::prelude::LeptosOptions;
use std::{sync::Arc, time::Duration};

/// Everything a running server holds.
pub struct Server {
    pub state: ServerState,
    pub throttle: Arc<GovernorThrottle>,
    pub mailer: Arc<mail::LettreMailer>,
}

/// Assembles the application over an open database.
pub fn build(config: &Config, db: &Database, clock: Arc<dyn Clock>) -> Result<Server, String> {
    let public_origin = config.public_origin()?;
    let throttle = Arc::new(GovernorThrottle::new());
    let mailer = Arc::new(mail::LettreMailer::new(
        &config.mail_from()?,
        config.smtp_url.as_deref(),
        config.mail_dir.clone(),
    )?);
    let app = AppState {
        store: db.store(),
        passwords: Arc::new(HashWorkers::new()),
        throttle: throttle.clone(),
        clock,
        config: Arc::new(AppConfig::new(&public_origin, config.open_signup)),
        auth_cache: Arc::default(),
    };
    let hash_file = hash_file(&config.site_root);
    let leptos = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(hash_file.is_some())
        .hash_file(hash_file.map_or_else(|| "hash.txt".into(), Into::into))
        .build();
    Ok(Server {
        state: ServerState {
            leptos,
            app,
            trusted_proxies: config.trusted_proxies.clone(),
        },
        throttle,
        mailer,
    })
}

/// The hash file of a release build (`css:`, `js:`, `wasm:` lines: the hashes in the console's
/// file names), in the site folder or beside the binary, where cargo-leptos writes it. Without
/// one, the files have their plain names (a development build).
fn hash_file(site_root: &str) -> Option<String> {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")));
    [
        Some(std::path::Path::new(site_root).join("hash.txt")),
        beside_binary,
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
    .and_then(|p| std::path::absolute(p).ok())
    .map(|p| p.to_string_lossy().into_owned())
}

/// Periodic housekeeping: expired sessions, long-expired sign-ups, past sign-in windows and
/// idle throttle keys.
pub fn spawn_housekeeping(server: &Server) {
    let app = server.state.app.clone();
    let throttle = server.throttle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = app.now();
            match app
                .store
                .delete_expired_sessions(now - app.config.session_idle_ms, now)
                .await
            {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
            }
            let cutoff = now - app::areas::accounts::signups::KEEP_EXPIRED_MS;
            match app.store.delete_stale_signups(cutoff).await {
                Ok(n) if n > 0 => tracing::info!(signups = n, "expired sign-ups removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "removing expired sign-ups failed"),
            }
            let ended = now - app::areas::accounts::service::ACCOUNT_WINDOW_MS;
            if let Err(e) = app.store.delete_attempt_windows(ended).await {
                tracing::warn!(error = %e, "removing past sign-in windows failed");
            }
            throttle.forget_idle();
        }
    });
}

/// The outbox worker, polling once a second.
pub fn spawn_mail(server: &Server) {
    let app = &server.state.app;
    mail::spawn_outbox(
        app.store.clone(),
        server.mailer.clone(),
        app.clock.clone(),
        Duration::from_secs(1),
    );
}

/// The system clock, for production.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
