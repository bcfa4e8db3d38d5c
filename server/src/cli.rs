//! The `gatehouse` command line (SPEC §3).

use crate::{config::Config, store::Database};
use app::{areas::audit::event::AuditActor, core::kinds::TokenKind, server::RequestCtx};
use clap::{Parser, Subcommand};
use std::{io::BufRead, net::SocketAddr};

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Organizations, members, roles and access tokens"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console and the API (the default); migrations run first.
    Serve,
    /// Run migrations and exit.
    Migrate,
    /// Operator commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Access tokens for automation.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the REST API's OpenAPI 3.1 document (as served at /api/v1/openapi.json).
    Openapi,
    /// Development tools.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Add N members with a realistic spread of names, roles, groups and statuses to an
    /// organization (they sign in with the password `gatehouse-demo`).
    Seed {
        /// The organization's slug (as in /o/SLUG/members).
        #[arg(long)]
        org: String,
        /// How many members to add.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        members: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an organization token and print its secret, once.
    Create {
        /// The organization's slug (as in /o/SLUG/members).
        #[arg(long)]
        org: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// `viewer`, `editor`, `admin`, or a custom role's id.
        #[arg(long)]
        role: String,
        /// 7, 30, 90 or 365; never expires when not given.
        #[arg(long)]
        expires_days: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organization and its first Admin. The password comes from
    /// GATEHOUSE_ADMIN_PASSWORD, or else the first line of standard input.
    Create {
        /// The organization's name.
        #[arg(long)]
        org: String,
        /// The Admin's email address.
        #[arg(long)]
        email: String,
        /// The Admin's name.
        #[arg(long)]
        name: String,
    },
}

pub type CliResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Opens the database named by the configuration and migrates it.
pub async fn open_database(config: &Config) -> Result<Database, crate::store::OpenError> {
    let db = Database::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

pub async fn run(cli: Cli) -> CliResult {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.config).await,
        Command::Migrate => {
            let db = open_database(&cli.config).await?;
            tracing::info!(database = db.kind(), "migrations are up to date");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { org, email, name },
        } => admin_create(&cli.config, &org, &email, &name).await,
        Command::Token {
            command:
                TokenCommand::Create {
                    org,
                    name,
                    role,
                    expires_days,
                },
        } => token_create(&cli.config, &org, &name, &role, expires_days).await,
        Command::Openapi => {
            println!("{}", app::server::rest::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Dev {
            command: DevCommand::Seed { org, members },
        } => {
            let db = open_database(&cli.config).await?;
            let now = crate::system_clock().now_ms();
            let took = crate::seed::seed(&db, &org, members as usize, now).await?;
            println!(
                "Added {members} members to {org} in {:.1} s (password: {}).",
                took.as_secs_f64(),
                crate::seed::SEED_PASSWORD
            );
            Ok(())
        }
    }
}

async fn serve(config: &Config) -> CliResult {
    let db = open_database(config).await?;
    let _claim = db.claim_server(config.single_node).await?;
    let server = crate::build(config, &db, crate::system_clock())?;
    crate::spawn_housekeeping(&server);
    crate::spawn_mail(&server);
    let server_mail = server.mailer.describe();
    let app = crate::http::router(server.state);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    tracing::info!(addr = %config.addr, database = db.kind(), mail = %server_mail, "Gatehouse is listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("Gatehouse stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

fn describe(e: app::error::AppError) -> String {
    match e {
        app::error::AppError::Validation { fields, .. } => fields
            .into_iter()
            .map(|(field, m)| format!("{field}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn token_create(
    config: &Config,
    org: &str,
    name: &str,
    role: &str,
    expires_days: Option<u32>,
) -> CliResult {
    let role = role.parse().map_err(|e: String| format!("role: {e}"))?;
    let db = open_database(config).await?;
    let server = crate::build(config, &db, crate::system_clock())?;
    let state = &server.state.app;
    let org = state
        .store
        .organization_by_slug(org)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no organization `{org}`"))?;
    let (token, secret) = app::areas::tokens::service::unchecked_create_organization_token(
        state,
        &RequestCtx::default(),
        org.id,
        app::areas::tokens::service::TokenRequest {
            name: name.to_string(),
            kind: TokenKind::Organization,
            role,
            expires_in_days: expires_days,
        },
    )
    .await
    .map_err(describe)?;
    eprintln!(
        "Created organization token “{}” ({}) in {}. It is shown this once:",
        token.name, token.role_name, org.name
    );
    println!("{}", secret.expose());
    Ok(())
}

async fn admin_create(config: &Config, org: &str, email: &str, name: &str) -> CliResult {
    let password = match std::env::var("GATEHOUSE_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let db = open_database(config).await?;
    let server = crate::build(config, &db, crate::system_clock())?;
    let input = app::areas::accounts::service::NewOrganizationInput {
        org_name: org,
        name,
        email,
        password: &password,
    };
    let created = app::areas::accounts::service::create_organization(
        &server.state.app,
        &RequestCtx::default(),
        input,
        Some(AuditActor::system()),
        false,
    )
    .await
    .map_err(describe)?;
    println!(
        "Created organization {} ({}) with {} as its Admin.\nSign in at {}/signin",
        created.org.name,
        created.org.slug,
        created.admin_email,
        config.public_origin()?
    );
    Ok(())
}
