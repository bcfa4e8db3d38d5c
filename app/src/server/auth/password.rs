//! argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1). These are the blocking
//! primitives; the entry crate decides where they run.
//!
//! Each hash needs `m` KiB of working memory. Allocating it afresh for every hash (what
//! `argon2`'s `hash_password` does) leaves each thread's allocator holding up to a hash's worth
//! once a flood of sign-ins is over; a caller that hashes repeatedly keeps one [`HashMemory`]
//! instead and passes it to [`hash_with`] and [`verify_with`].

use crate::error::AppError;
use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString},
};
use std::sync::OnceLock;

fn params() -> Params {
    #[allow(clippy::expect_used)]
    Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid")
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::internal(&std::io::Error::other(e.to_string()))
}

/// Working memory for one hash at a time with the parameters new hashes get (19 MiB), kept
/// between hashes. Stored hashes made with more memory are verified in memory of their own.
pub struct HashMemory(Vec<Block>);

impl HashMemory {
    pub fn new() -> Self {
        HashMemory(vec![Block::new(); params().block_count()])
    }

    /// The memory's size in bytes.
    pub fn bytes(&self) -> usize {
        self.0.len() * Block::SIZE
    }
}

impl Default for HashMemory {
    fn default() -> Self {
        Self::new()
    }
}

/// Hashes a password into a PHC string, in `memory`.
pub fn hash_with(memory: &mut HashMemory, password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&crate::server::secrets::bytes::<16>()).map_err(failed)?;
    let params = params();
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(failed)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory.0)
        .map_err(failed)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(failed)?),
    };
    Ok(phc.to_string())
}

/// Hashes a password into a PHC string.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    hash_with(&mut HashMemory::new(), password)
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

/// Verifies `password` against the PHC string `hash` (or the dummy hash when `None`), in
/// `memory`. The algorithm, version and parameters are the stored hash's own, so hashes made
/// with other parameters keep verifying. A malformed stored hash verifies as false.
pub fn verify_with(memory: &mut HashMemory, password: &str, hash: Option<&str>) -> bool {
    let target = hash.unwrap_or_else(|| dummy_hash());
    let ok = PasswordHash::new(target)
        .ok()
        .is_some_and(|phc| matches_phc(memory, password, &phc));
    ok && hash.is_some()
}

/// What `argon2`'s `PasswordVerifier` does, with the caller's memory.
fn matches_phc(memory: &mut HashMemory, password: &str, phc: &PasswordHash<'_>) -> bool {
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm) else {
        return false;
    };
    let version = match phc.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(phc) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let hashed = if params.block_count() <= memory.0.len() {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory.0)
    } else {
        argon2.hash_password_into(password.as_bytes(), salt, &mut out)
    };
    // `Output`'s comparison takes the same time wherever the first difference is.
    hashed.is_ok() && Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// Verifies `password` against `hash` (or the dummy hash when `None`). A malformed stored hash
/// verifies as false.
pub fn verify_blocking(password: &str, hash: Option<&str>) -> bool {
    verify_with(&mut HashMemory::new(), password, hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

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

    #[test]
    fn one_memory_serves_many_hashes_and_agrees_with_the_argon2_crate() {
        let mut memory = HashMemory::new();
        assert_eq!(memory.bytes(), 19_456 * 1024);
        let ours = hash_with(&mut memory, "correct horse battery").expect("hash");
        // What `argon2` itself verifies, and what it hashes, whatever the memory held before.
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::encode_b64(&[7; 16]).expect("salt");
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"correct horse battery", &salt)
            .expect("hash")
            .to_string();
        for _ in 0..2 {
            assert!(verify_with(
                &mut memory,
                "correct horse battery",
                Some(&theirs)
            ));
            assert!(!verify_with(
                &mut memory,
                "correct horse batterY",
                Some(&theirs)
            ));
            assert!(verify_with(
                &mut memory,
                "correct horse battery",
                Some(&ours)
            ));
        }
    }

    #[test]
    fn stored_hashes_with_other_parameters_keep_verifying() {
        let mut memory = HashMemory::new();
        let salt = SaltString::encode_b64(&[9; 16]).expect("salt");
        let other = |algorithm, version, m, t, p| {
            let params = Params::new(m, t, p, None).expect("params");
            Argon2::new(algorithm, version, params)
                .hash_password(b"s3cret password", &salt)
                .expect("hash")
                .to_string()
        };
        for stored in [
            // Less memory, more passes, two lanes; more memory than ours; argon2i and v1.0.
            other(Algorithm::Argon2id, Version::V0x13, 8_192, 3, 2),
            other(Algorithm::Argon2id, Version::V0x13, 24_576, 1, 1),
            other(Algorithm::Argon2i, Version::V0x13, 4_096, 2, 1),
            other(Algorithm::Argon2id, Version::V0x10, 4_096, 2, 1),
        ] {
            assert!(
                verify_with(&mut memory, "s3cret password", Some(&stored)),
                "{stored}"
            );
            assert!(
                !verify_with(&mut memory, "s3cret passwort", Some(&stored)),
                "{stored}"
            );
        }
    }
}
