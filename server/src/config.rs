//! Configuration from flags and the environment (SPEC §3). clap reports a bad value with the
//! flag, the variable and what was expected, and the process exits non-zero.

use crate::proxies::TrustedProxies;
use clap::{ArgAction, Args};
use std::{net::SocketAddr, path::PathBuf};

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "GATEHOUSE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// `sqlite://path` (created if missing) or `postgres://user:pass@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/gatehouse.db",
        global = true
    )]
    pub database_url: String,

    /// The URL people reach Gatehouse at, for links in email and the same-origin check
    /// (default: `http://` + the listen address).
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Anyone may create an organization (a public SaaS), not only on first run.
    #[arg(long, env = "GATEHOUSE_OPEN_SIGNUP", default_value_t = false, action = ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub open_signup: bool,

    /// PostgreSQL: this is the only Gatehouse server on the database, so it may reuse token
    /// lookups between requests (a SQLite database always has one server). Servers check it
    /// with a lock when they start: a single-node server refuses to run beside any other.
    #[arg(long, env = "GATEHOUSE_SINGLE_NODE", default_value_t = false, action = ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub single_node: bool,

    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers are believed: a
    /// comma-separated list of CIDR ranges or addresses (default: none). Behind them the client
    /// is the right-most address in the header that is not one of them.
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXIES", default_value = "",
          value_parser = TrustedProxies::parse, hide_default_value = true, global = true)]
    pub trusted_proxies: TrustedProxies,

    /// Where messages go as `.eml` files when no SMTP server is set.
    #[arg(
        long,
        env = "GATEHOUSE_MAIL_DIR",
        default_value = "data/mail",
        global = true
    )]
    pub mail_dir: PathBuf,

    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@host:465`.
    #[arg(long, env = "GATEHOUSE_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of outgoing mail (default: `Gatehouse <noreply@` + the public URL's host + `>`).
    #[arg(long, env = "GATEHOUSE_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Log filter, e.g. `info` or `gatehouse=debug,sqlx=warn`.
    #[arg(
        long,
        env = "GATEHOUSE_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub log: String,

    /// `text` or `json`.
    #[arg(long, env = "GATEHOUSE_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    /// The folder with the compiled console (`pkg/` and public assets).
    #[arg(
        long,
        env = "GATEHOUSE_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
}

impl Config {
    /// The sender of outgoing mail.
    pub fn mail_from(&self) -> Result<String, String> {
        if let Some(from) = &self.mail_from {
            return Ok(from.clone());
        }
        let origin = self.public_origin()?;
        let host = url::Url::parse(&origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        // A bare IP address is not a mail domain.
        let domain = if host.parse::<std::net::IpAddr>().is_ok() || !host.contains('.') {
            "localhost".to_string()
        } else {
            host
        };
        Ok(format!("Gatehouse <noreply@{domain}>"))
    }

    /// The public URL's origin (scheme, host, port), checked.
    pub fn public_origin(&self) -> Result<String, String> {
        let raw = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr));
        let url = url::Url::parse(&raw)
            .map_err(|e| format!("GATEHOUSE_PUBLIC_URL `{raw}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "GATEHOUSE_PUBLIC_URL `{raw}` must be an http:// or https:// URL with a host"
            ));
        }
        Ok(url.origin().ascii_serialization())
    }
}
