//! Cross-site request refusal: a state-changing request authenticated by a session cookie must
//! come from our own origin. Bearer-token requests carry no ambient credential and are exempt.

use http::{HeaderMap, Method, header};

/// `Err(message)` when the request must be refused.
pub fn check(
    method: &Method,
    headers: &HeaderMap,
    public_origin: &str,
) -> Result<(), &'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if headers.contains_key(header::AUTHORIZATION) {
        // Judged by the token alone, never by a cookie that rides along.
        return Ok(());
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text("origin") {
        return if origin
            .trim_end_matches('/')
            .eq_ignore_ascii_case(public_origin)
        {
            Ok(())
        } else {
            Err("This request came from another site and was refused")
        };
    }
    match text("sec-fetch-site") {
        Some("same-origin") | Some("none") => Ok(()),
        Some(_) => Err("This request came from another site and was refused"),
        // Neither header: not a browser (browsers send Origin on every POST), so no ambient
        // cookie was used against the user's will.
        None if !headers.contains_key(header::COOKIE) => Ok(()),
        None => Err("This request carried no Origin header and was refused"),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const ORIGIN: &str = "http://127.0.0.1:3000";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_posts_pass_and_cross_site_posts_fail() {
        let post = Method::POST;
        assert!(
            check(
                &post,
                &headers(&[("origin", "http://127.0.0.1:3000")]),
                ORIGIN
            )
            .is_ok()
        );
        assert!(
            check(
                &post,
                &headers(&[("origin", "http://evil.example")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(
            check(
                &post,
                &headers(&[("sec-fetch-site", "same-origin"), ("cookie", "x=1")]),
                ORIGIN
            )
            .is_ok()
        );
        assert!(
            check(
                &post,
                &headers(&[("sec-fetch-site", "cross-site"), ("cookie", "x=1")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(
            check(
                &post,
                &headers(&[("cookie", "gatehouse_session=x")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(
            check(
                &Method::DELETE,
                &headers(&[("origin", "null"), ("cookie", "x=1")]),
                ORIGIN
            )
            .is_err()
        );
    }

    #[test]
    fn safe_methods_and_bearer_requests_are_exempt() {
        let cross = headers(&[("origin", "http://evil.example"), ("cookie", "x=1")]);
        assert!(check(&Method::GET, &cross, ORIGIN).is_ok());
        let bearer = headers(&[
            ("origin", "http://evil.example"),
            ("authorization", "Bearer gth_o_x"),
        ]);
        assert!(check(&Method::POST, &bearer, ORIGIN).is_ok());
    }
}
