//! Randomness from the operating system (or the Worker's crypto), for secrets and ids.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// `N` random bytes. A platform without a random source cannot keep secrets, so this aborts.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// A 256-bit secret, URL-safe base64.
pub fn secret_256() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<32>())
}

/// A short id for correlating a client-visible error with the server log.
pub fn short_id() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<6>())
}

/// SHA-256 as lower-case hex: how secrets are stored.
pub fn sha256_hex(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
        out.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_bits_and_distinct() {
        let a = secret_256();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).expect("base64").len(), 32);
        assert_ne!(a, secret_256());
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
