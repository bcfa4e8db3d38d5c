//! The one error type of the application, shared by browser and server.

pub use crate::core::wording::Wording;
use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt, ops::Deref};

/// A sentence for a person, with the wording it was made from when it came from the catalogue
/// (so the edge can say it again in the request's language).
#[derive(Debug, Clone, Eq, Serialize, Deserialize)]
pub struct Message {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wording: Option<Wording>,
}

/// Two messages are the same when they read the same.
impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Deref for Message {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message {
            text,
            wording: None,
        }
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        text.to_string().into()
    }
}

impl From<Wording> for Message {
    fn from(w: Wording) -> Self {
        Message {
            text: english(&w),
            wording: Some(w),
        }
    }
}

/// The English sentence of a wording (its code if the catalogue lacks it).
pub fn english(w: &Wording) -> String {
    crate::core::wording::sentence(w, crate::core::language::Language::En)
        .unwrap_or_else(|| w.code.clone())
}

/// Every error a request can end in. The message of each variant is meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// No credentials, or bad ones.
    #[error("{0}")]
    Unauthorized(Message),
    /// A known resource that the caller may not touch.
    #[error("{0}")]
    Forbidden(Message),
    /// Unknown, or another organization's (rule 5: the two are indistinguishable).
    #[error("Not found")]
    NotFound,
    /// A rule or state conflict (last admin, already invited, …). `code` is stable.
    #[error("{message}")]
    Conflict {
        code: String,
        message: String,
        #[serde(default)]
        wording: Option<Wording>,
    },
    /// Invalid input, with one message per field (and the wording of those that have one).
    #[error("{message}")]
    Validation {
        message: String,
        fields: BTreeMap<String, String>,
        #[serde(default)]
        wordings: BTreeMap<String, Wording>,
    },
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
        #[serde(default)]
        wording: Option<Wording>,
    },
    /// The server is too busy to take this request now (its queue of work is full); asking
    /// again after `retry_after_secs` may succeed.
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after_secs: u64,
        #[serde(default)]
        wording: Option<Wording>,
    },
    /// Details are in the server log under `request_id`; the client sees nothing more.
    #[error("Something went wrong on our side (reference {request_id})")]
    Internal { request_id: String },
    /// The request did not reach the server function (network, encoding).
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    /// A validation error for one field, with a sentence already in the reader's language
    /// (the console's own checks).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation {
            message: message.clone(),
            fields: BTreeMap::from([(field.to_string(), message)]),
            wordings: BTreeMap::new(),
        }
    }

    /// A refusal by a rule or state, said by the catalogue's `errors.<code>`.
    pub fn coded(code: &str) -> Self {
        Self::conflict(code, Wording::new(code))
    }

    /// A refusal by a rule or state (`code`), said by `wording`.
    pub fn conflict(code: &str, wording: Wording) -> Self {
        AppError::Conflict {
            code: code.into(),
            message: english(&wording),
            wording: Some(wording),
        }
    }

    /// A validation error for one field, said by `wording`.
    pub fn field_worded(field: &str, wording: Wording) -> Self {
        let message = english(&wording);
        AppError::Validation {
            message: message.clone(),
            fields: BTreeMap::from([(field.to_string(), message)]),
            wordings: BTreeMap::from([(field.to_string(), wording)]),
        }
    }

    /// Collects several field errors; `Ok` if there were none.
    pub fn fields(errors: Vec<(&str, Wording)>) -> Result<(), Self> {
        if errors.is_empty() {
            return Ok(());
        }
        let message = errors
            .iter()
            .map(|(_, w)| english(w))
            .collect::<Vec<_>>()
            .join(". ");
        Err(AppError::Validation {
            message,
            fields: errors
                .iter()
                .map(|(f, w)| (f.to_string(), english(w)))
                .collect(),
            wordings: errors
                .into_iter()
                .map(|(f, w)| (f.to_string(), w))
                .collect(),
        })
    }

    pub fn unauthorized(wording: Wording) -> Self {
        AppError::Unauthorized(wording.into())
    }

    pub fn forbidden(wording: Wording) -> Self {
        AppError::Forbidden(wording.into())
    }

    pub fn rate_limited(wording: Wording, retry_after_secs: u64) -> Self {
        AppError::RateLimited {
            message: english(&wording),
            retry_after_secs,
            wording: Some(wording),
        }
    }

    /// The server is too busy for this request; the client may ask again after a moment.
    pub fn unavailable(wording: Wording, retry_after_secs: u64) -> Self {
        AppError::Unavailable {
            message: english(&wording),
            retry_after_secs,
            wording: Some(wording),
        }
    }

    /// How long the client should wait before asking again (`Retry-After`), for the errors
    /// that say so.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::RateLimited {
                retry_after_secs, ..
            }
            | AppError::Unavailable {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The same error said in `lang`: every message that came from the catalogue is taken from
    /// it again; others (and codes the catalogue lacks) stay as they are.
    pub fn localized(self, lang: crate::core::language::Language) -> AppError {
        use crate::core::wording::sentence;
        let say = |m: Message| match m.wording.as_ref().and_then(|w| sentence(w, lang)) {
            Some(text) => Message { text, ..m },
            None => m,
        };
        match self {
            AppError::Unauthorized(m) => AppError::Unauthorized(say(m)),
            AppError::Forbidden(m) => AppError::Forbidden(say(m)),
            AppError::Conflict {
                code,
                message,
                wording,
            } => AppError::Conflict {
                code,
                message: wording
                    .as_ref()
                    .and_then(|w| sentence(w, lang))
                    .unwrap_or(message),
                wording,
            },
            AppError::RateLimited {
                message,
                retry_after_secs,
                wording,
            } => AppError::RateLimited {
                message: wording
                    .as_ref()
                    .and_then(|w| sentence(w, lang))
                    .unwrap_or(message),
                retry_after_secs,
                wording,
            },
            AppError::Unavailable {
                message,
                retry_after_secs,
                wording,
            } => AppError::Unavailable {
                message: wording
                    .as_ref()
                    .and_then(|w| sentence(w, lang))
                    .unwrap_or(message),
                retry_after_secs,
                wording,
            },
            AppError::Validation {
                mut message,
                mut fields,
                wordings,
            } => {
                for (field, w) in &wordings {
                    if let (Some(said), Some(text)) = (fields.get_mut(field), sentence(w, lang)) {
                        // The whole message joins the field messages: each is replaced in place.
                        message = message.replace(said.as_str(), &text);
                        *said = text;
                    }
                }
                AppError::Validation {
                    message,
                    fields,
                    wordings,
                }
            }
            other => other,
        }
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
            AppError::Unavailable { .. } => 503,
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
    /// `message` is the English sentence of `wording`.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        wording: Wording,
    },
    #[error("not found")]
    NotFound,
    /// Input that refers to something the organization does not have.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
        wording: Wording,
    },
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[cfg(feature = "ssr")]
impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }

    /// A refusal by a rule or state (`code`), said by `wording`.
    pub fn conflict(code: &'static str, wording: Wording) -> Self {
        StoreError::Conflict {
            code,
            message: english(&wording),
            wording,
        }
    }

    /// A refusal said by the catalogue's `errors.<code>`.
    pub fn coded(code: &'static str) -> Self {
        Self::conflict(code, Wording::new(code))
    }

    /// Input of `field` that refers to something the organization does not have.
    pub fn invalid(field: &'static str, wording: Wording) -> Self {
        StoreError::Invalid {
            field,
            message: english(&wording),
            wording,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict {
                code,
                message,
                wording,
            } => AppError::Conflict {
                code: code.to_string(),
                message,
                wording: Some(wording),
            },
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid { field, wording, .. } => AppError::field_worded(field, wording),
            e @ StoreError::Backend(_) => crate::error::AppError::internal(&e),
        }
    }
}

#[cfg(feature = "ssr")]
pub type StoreResult<T> = Result<T, StoreError>;
