//! argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1). These are the blocking
//! primitives; the entry crate decides where they run.

use crate::error::AppError;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
    password_hash::SaltString,
};
use std::sync::OnceLock;

fn argon2() -> Argon2<'static> {
    #[allow(clippy::expect_used)]
    let params = Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&crate::server::secrets::bytes::<16>())
        .map_err(|e| AppError::internal(&std::io::Error::other(e.to_string())))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(&std::io::Error::other(e.to_string())))
}

/// A hash of nothing anyone knows, verified against when an account does not exist, so that
/// unknown emails take as long as wrong passwords.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        // Hashing only fails if the platform cannot produce random bytes.
        hash_blocking(&crate::server::secrets::secret_256()).unwrap_or_default()
    })
}

/// Verifies `password` against `hash` (or the dummy hash when `None`). A malformed stored hash
/// verifies as false.
pub fn verify_blocking(password: &str, hash: Option<&str>) -> bool {
    let target = hash.unwrap_or_else(|| dummy_hash());
    let ok = match PasswordHash::new(target) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    };
    ok && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash_blocking("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("correct horse battery", Some(&h)));
        assert!(!verify_blocking("wrong horse battery", Some(&h)));
        assert_ne!(
            h,
            hash_blocking("correct horse battery").expect("hash"),
            "salted"
        );
    }

    #[test]
    fn no_hash_never_verifies() {
        assert!(!verify_blocking("anything", None));
        assert!(!verify_blocking("anything", Some("not a phc string")));
    }
}
