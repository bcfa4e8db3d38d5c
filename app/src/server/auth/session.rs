//! Session cookies: a 256-bit random secret in an `HttpOnly`, `SameSite=Lax` cookie; only its
//! SHA-256 is stored.

use crate::server::AppConfig;
use http::{HeaderMap, HeaderValue, header::COOKIE};

/// The `Set-Cookie` value that hands `secret` to the browser.
pub fn set_cookie(config: &AppConfig, secret: &str) -> HeaderValue {
    let max_age = config.session_absolute_ms / 1000;
    cookie_header(config, secret, max_age)
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub fn clear_cookie(config: &AppConfig) -> HeaderValue {
    cookie_header(config, "", 0)
}

fn cookie_header(config: &AppConfig, value: &str, max_age: i64) -> HeaderValue {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        config.session_cookie_name()
    );
    // Names and base64url secrets are always valid header text.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes_follow_the_public_url() {
        let plain = AppConfig::new("http://127.0.0.1:3000", false);
        let c = set_cookie(&plain, "abc");
        assert_eq!(
            c.to_str().expect("ascii"),
            "gatehouse_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000"
        );
        let tls = AppConfig::new("https://gatehouse.example.com/", false);
        let c = set_cookie(&tls, "abc");
        assert!(
            c.to_str()
                .expect("ascii")
                .starts_with("__Host-gatehouse_session=abc; Path=/; HttpOnly")
        );
        assert!(c.to_str().expect("ascii").ends_with("; Secure"));
        assert!(
            clear_cookie(&tls)
                .to_str()
                .expect("ascii")
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn reads_the_named_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            HeaderValue::from_static("a=1; gatehouse_session=s3cr3t; b=2"),
        );
        assert_eq!(cookie_value(&h, "gatehouse_session"), Some("s3cr3t".into()));
        assert_eq!(cookie_value(&h, "missing"), None);
    }
}
