//! Open sign-up: the answer to the form, and what a confirmation link leads to.

use serde::{Deserialize, Serialize};

/// The answer to the sign-up form. On the wire, where to land is a plain string (as before
/// open sign-up needed confirming) and the other answer an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignUpAnswer {
    /// First run: the organization exists and its Admin is signed in; go here.
    SignedIn(String),
    /// Open sign-up: a message went to the address; `message` says so. Worded the same whether
    /// or not the address has an account.
    CheckEmail { message: String },
}

/// What `/signup/confirm/{token}` finds behind a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignUpLink {
    /// Not a link Gatehouse makes (cut off, mistyped).
    Malformed,
    /// Well formed, but no sign-up has it (or it was forgotten long after it expired).
    Unknown,
    Used,
    Expired,
    /// The address got an account since the link was sent: following it would create nothing.
    AccountExists {
        email: String,
    },
    Open {
        org_name: String,
        email: String,
        expires_at: i64,
    },
}

impl SignUpLink {
    /// The error code for a link that was used (`true`) or has expired; its sentence is the
    /// catalogue's `errors.<code>`.
    pub const fn closed_reason(used: bool) -> &'static str {
        if used {
            "signup_used"
        } else {
            "signup_expired"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_answers_tell_apart_on_the_wire() {
        for answer in [
            SignUpAnswer::SignedIn("/o/acme/members".into()),
            SignUpAnswer::CheckEmail {
                message: "Check your email".into(),
            },
        ] {
            let wire = serde_json::to_string(&answer).ok();
            let back = wire.as_deref().map(serde_json::from_str::<SignUpAnswer>);
            assert!(matches!(back, Some(Ok(a)) if a == answer), "{wire:?}");
        }
        assert_eq!(
            serde_json::to_string(&SignUpAnswer::SignedIn("/o/acme/members".into())).ok(),
            Some("\"/o/acme/members\"".to_string())
        );
    }
}
