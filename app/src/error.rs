//! The one error type of the application, shared by browser and server.

use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every error a request can end in. The message of each variant is meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// No credentials, or bad ones.
    #[error("{0}")]
    Unauthorized(String),
    /// A known resource that the caller may not touch.
    #[error("{0}")]
    Forbidden(String),
    /// Unknown, or another organization's (rule 5: the two are indistinguishable).
    #[error("Not found")]
    NotFound,
    /// A rule or state conflict (last admin, already invited, …). `code` is stable.
    #[error("{message}")]
    Conflict { code: String, message: String },
    /// Invalid input, with one message per field.
    #[error("{message}")]
    Validation {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// Details are in the server log under `request_id`; the client sees nothing more.
    #[error("Something went wrong on our side (reference {request_id})")]
    Internal { request_id: String },
    /// The request did not reach the server function (network, encoding).
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code: code.into(),
            message: message.into(),
        }
    }

    /// A validation error for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation {
            message: message.clone(),
            fields: BTreeMap::from([(field.to_string(), message)]),
        }
    }

    /// Collects several field errors; `Ok` if there were none.
    pub fn fields(errors: Vec<(&str, String)>) -> Result<(), Self> {
        if errors.is_empty() {
            return Ok(());
        }
        let message = errors
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(". ");
        Err(AppError::Validation {
            message,
            fields: errors
                .into_iter()
                .map(|(f, m)| (f.to_string(), m))
                .collect(),
        })
    }

    /// The message for one field, if this is a validation error that names it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Validation { fields, .. } => fields.get(field).map(String::as_str),
            _ => None,
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::Validation { .. } => 422,
            AppError::RateLimited { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::Transport(_) => 400,
        }
    }

    /// Logs an unexpected failure with its source chain and returns what the client may see.
    #[cfg(feature = "ssr")]
    pub fn internal(source: &(dyn std::error::Error + 'static)) -> Self {
        let request_id = crate::server::secrets::short_id();
        let mut chain = source.to_string();
        let mut next = source.source();
        while let Some(s) = next {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            next = s.source();
        }
        tracing::error!(request_id = %request_id, error = %chain, "internal error");
        AppError::Internal { request_id }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::Transport(format!("The request could not be read: {m}"))
            }
            ServerFnErrorErr::Request(m) => {
                AppError::Transport(format!("The server could not be reached: {m}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(e: ServerFnError) -> Self {
        AppError::Transport(e.to_string())
    }
}

/// What can go wrong in a store. Backend failures carry their source for the log only.
#[cfg(feature = "ssr")]
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// Input that refers to something the organization does not have.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[cfg(feature = "ssr")]
impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

#[cfg(feature = "ssr")]
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { code, message } => {
                crate::error::AppError::conflict(code, message)
            }
            StoreError::NotFound => crate::error::AppError::NotFound,
            StoreError::Invalid { field, message } => crate::error::AppError::field(field, message),
            e @ StoreError::Backend(_) => crate::error::AppError::internal(&e),
        }
    }
}

#[cfg(feature = "ssr")]
pub type StoreResult<T> = Result<T, StoreError>;
