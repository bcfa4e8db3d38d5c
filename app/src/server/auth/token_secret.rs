//! Access token secrets (ENGINEERING §6): a kind prefix (`gth_u_` for a user token, `gth_o_`
//! for an organization token), 32 random bytes in base62 (43 characters), and a CRC32 of the
//! prefix and body in base62 (6 characters) — 55 characters that secret scanners recognise and
//! that can be rejected for a typo or truncation before any database work. Only the SHA-256 of
//! the whole token and its last four characters are stored.

use crate::{core::kinds::TokenKind, server::secrets as random};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PREFIX_LEN: usize = 6;
const BODY_LEN: usize = 43;
const CHECK_LEN: usize = 6;
pub const TOKEN_LEN: usize = PREFIX_LEN + BODY_LEN + CHECK_LEN;

fn prefix(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::User => "gth_u_",
        TokenKind::Organization => "gth_o_",
    }
}

/// A big-endian unsigned number in base62, left-padded with `0` to `width` digits.
fn base62(bytes: &[u8], width: usize) -> String {
    let mut n = bytes.to_vec();
    let mut digits = Vec::with_capacity(width);
    while n.iter().any(|b| *b != 0) {
        // One long division of the whole number by 62.
        let mut rem = 0u32;
        for b in n.iter_mut() {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 62) as u8;
            rem = cur % 62;
        }
        digits.push(ALPHABET[rem as usize]);
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

fn checksum(prefix_and_body: &str) -> String {
    base62(
        &crc32fast::hash(prefix_and_body.as_bytes()).to_be_bytes(),
        CHECK_LEN,
    )
}

/// A token secret, as shown once to its creator. Never serialized by accident, never logged.
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(…)")
    }
}

/// What is stored about a token: the hash it is found by and the last four characters shown
/// in lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFingerprint {
    pub kind: TokenKind,
    pub hash: String,
    pub last_four: String,
}

/// A new random token of `kind`, with its fingerprint.
pub fn generate(kind: TokenKind) -> (TokenSecret, TokenFingerprint) {
    let body = base62(&random::bytes::<32>(), BODY_LEN);
    let head = format!("{}{body}", prefix(kind));
    let token = format!("{head}{}", checksum(&head));
    let fingerprint = fingerprint(kind, &token);
    (TokenSecret(token), fingerprint)
}

fn fingerprint(kind: TokenKind, token: &str) -> TokenFingerprint {
    TokenFingerprint {
        kind,
        hash: random::sha256_hex(token),
        last_four: token[token.len() - 4..].to_string(),
    }
}

/// Why a presented token was refused without a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Prefix,
    Length,
    Characters,
    Checksum,
}

/// Checks a presented token's form and checksum; only a well-formed token is looked up.
pub fn parse(token: &str) -> Result<TokenFingerprint, Malformed> {
    let kind = if token.starts_with(prefix(TokenKind::User)) {
        TokenKind::User
    } else if token.starts_with(prefix(TokenKind::Organization)) {
        TokenKind::Organization
    } else {
        return Err(Malformed::Prefix);
    };
    if token.len() != TOKEN_LEN {
        return Err(Malformed::Length);
    }
    if !token[PREFIX_LEN..]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Malformed::Characters);
    }
    let (head, check) = token.split_at(PREFIX_LEN + BODY_LEN);
    if checksum(head) != check {
        return Err(Malformed::Checksum);
    }
    Ok(fingerprint(kind, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_matches_known_values() {
        assert_eq!(
            base62(&[0xff; 32], 43),
            "yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1"
        );
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(base62(&one, 43), format!("{}1", "0".repeat(42)));
        assert_eq!(base62(&[0; 32], 43), "0".repeat(43));
    }

    #[test]
    fn the_checksum_is_crc32_of_prefix_and_body() {
        let head = format!("gth_u_{}1", "0".repeat(42));
        assert_eq!(checksum(&head), "4KcBjX");
        assert_eq!(
            parse(&format!("{head}4KcBjX")).map(|f| f.kind),
            Ok(TokenKind::User)
        );
    }

    #[test]
    fn generated_tokens_parse_and_differ() {
        for kind in [TokenKind::User, TokenKind::Organization] {
            let (secret, fp) = generate(kind);
            let t = secret.expose();
            assert_eq!(t.len(), TOKEN_LEN);
            assert!(t.starts_with(prefix(kind)));
            assert_eq!(parse(t), Ok(fp.clone()));
            assert_eq!(fp.last_four, t[TOKEN_LEN - 4..]);
            assert_eq!(fp.hash, random::sha256_hex(t));
            assert_ne!(generate(kind).0.expose(), t);
            assert_eq!(format!("{secret:?}"), "TokenSecret(…)");
        }
    }

    #[test]
    fn any_single_change_is_caught_before_a_lookup() {
        let (secret, _) = generate(TokenKind::User);
        let t = secret.expose();
        for i in PREFIX_LEN..t.len() {
            let mut b = t.as_bytes().to_vec();
            b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(b).unwrap_or_default();
            assert_eq!(parse(&changed), Err(Malformed::Checksum), "position {i}");
        }
        // Swapping the kind is caught too: the prefix is part of the checksum.
        let swapped = t.replacen("gth_u_", "gth_o_", 1);
        assert_eq!(parse(&swapped), Err(Malformed::Checksum));
        assert_eq!(parse(&t[..t.len() - 1]), Err(Malformed::Length));
        assert_eq!(
            parse(&format!("{}!", &t[..t.len() - 1])),
            Err(Malformed::Characters)
        );
        assert_eq!(parse("ghp_abc"), Err(Malformed::Prefix));
        assert_eq!(parse(""), Err(Malformed::Prefix));
    }
}
