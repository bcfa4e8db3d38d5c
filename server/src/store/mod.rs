//! The two database backends behind `app::backend::Store`, chosen by `DATABASE_URL`.

mod postgres;
mod sqlite;

use std::sync::Arc;

use app::{
    backend::{Store, store::StoreError},
    model::ProjectId,
    policy::{BuiltinRole, ResolvedBinding, RoleId},
};

pub use self::{postgres::PostgresStore, sqlite::SqliteStore};

/// A connected database of either kind.
#[derive(Clone)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Why the database could not be opened. The URL in the message never shows a password.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {0})")]
    Scheme(String),
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot create the folder for the database at {url}: {source}")]
    Folder {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error("migrating the database at {url} failed: {source}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

impl Database {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> Result<Database, OpenError> {
        if url.starts_with("sqlite:") {
            SqliteStore::connect(url).await.map(Database::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            PostgresStore::connect(url).await.map(Database::Postgres)
        } else {
            Err(OpenError::Scheme(redact_url(url)))
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        match self {
            Database::Sqlite(s) => s.migrate().await,
            Database::Postgres(s) => s.migrate().await,
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => match raw.split_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => raw.to_string(),
        },
    }
}

/// Resolves a stored binding's role id to its permissions. Built-ins are fixed; an id that is
/// no longer a role grants nothing.
fn resolve_binding(role_id: &str, project: Option<ProjectId>) -> ResolvedBinding {
    let permissions = match role_id.parse::<RoleId>() {
        Ok(RoleId::Builtin(b)) => b.permissions(),
        _ => app::policy::PermissionSet::EMPTY,
    };
    ResolvedBinding {
        permissions,
        project,
    }
}

/// Display names of role ids, for lists.
fn role_names(role_ids: Option<String>) -> Vec<String> {
    let mut names: Vec<String> = role_ids
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|id| match id.parse::<RoleId>() {
            Ok(RoleId::Builtin(b)) => b.name().to_string(),
            _ => id.to_string(),
        })
        .collect();
    names.sort_by_key(|n| {
        BuiltinRole::ALL
            .iter()
            .position(|b| b.name() == n)
            .map_or(usize::MAX, |p| usize::MAX - 1 - p)
    });
    names
}

/// Maps a unique-constraint violation to a conflict a person understands.
fn unique_violation(e: &sqlx::Error) -> Option<StoreError> {
    let db = e.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    let msg = db.message();
    let constraint = db.constraint().unwrap_or_default();
    if msg.contains("users.email") || constraint.contains("users_email") {
        Some(StoreError::Conflict {
            code: "email_taken",
            message: "An account with this email address already exists. Sign in instead.".into(),
        })
    } else if msg.contains("organizations.slug") || constraint.contains("organizations_slug") {
        Some(StoreError::Conflict {
            code: "org_name_taken",
            message: "An organization with this name was just created. Try again.".into(),
        })
    } else {
        None
    }
}

fn db_error(e: sqlx::Error) -> StoreError {
    unique_violation(&e).unwrap_or_else(|| StoreError::backend(e))
}

fn email_taken() -> StoreError {
    StoreError::Conflict {
        code: "email_taken",
        message: "An account with this email address already exists. Sign in instead.".into(),
    }
}

fn not_first() -> StoreError {
    StoreError::Conflict {
        code: "not_first",
        message: "An organization already exists. Sign-up is closed; ask for an invitation.".into(),
    }
}

/// The first free slug among `base`, `base-2`, `base-3`, … given the slugs already taken.
fn free_slug(base: &app::model::OrgSlug, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base.as_str()) {
        return base.as_str().to_string();
    }
    (2..)
        .map(|n| base.with_suffix(n))
        .find(|s| !taken.iter().any(|t| t == s.as_str()))
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            redact_url("postgres://gate:s3cret@db.internal:5432/gatehouse"),
            "postgres://gate:***@db.internal:5432/gatehouse"
        );
        assert_eq!(
            redact_url("sqlite://data/gatehouse.db"),
            "sqlite://data/gatehouse.db"
        );
    }

    #[test]
    fn slugs_get_the_first_free_suffix() {
        let base = app::model::OrgSlug::from_name("Acme").expect("slug");
        assert_eq!(free_slug(&base, &[]), "acme");
        assert_eq!(free_slug(&base, &["acme".into()]), "acme-2");
        assert_eq!(
            free_slug(&base, &["acme".into(), "acme-2".into(), "acme-3".into()]),
            "acme-4"
        );
    }

    #[test]
    fn role_names_put_admin_first() {
        assert_eq!(
            role_names(Some("viewer,admin".into())),
            vec!["Admin", "Viewer"]
        );
        assert!(role_names(None).is_empty());
    }
}
