//! Cross-site request refusal: a state-changing request authenticated by a session cookie must
//! come from our own origin. Bearer-token requests to the REST API carry no ambient credential
//! and are exempt; nothing else is (server functions authenticate by cookie, whatever other
//! headers ride along).

use http::{HeaderMap, Method, header};

/// Whether the request is a REST API call with a bearer token: the API reads no cookie, so it
/// is judged by the token alone.
fn bearer_api_call(path: &str, headers: &HeaderMap) -> bool {
    let under_api = path == crate::server::rest::BASE
        || path
            .strip_prefix(crate::server::rest::BASE)
            .is_some_and(|rest| rest.starts_with('/'));
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.get(..7))
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer "));
    under_api && bearer
}

/// `Err(code)` when the request must be refused; the catalogue's `errors.<code>` says why.
pub fn check(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    public_origin: &str,
) -> Result<(), &'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if bearer_api_call(path, headers) {
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
            Err("forbidden_cross_site")
        };
    }
    match text("sec-fetch-site") {
        Some("same-origin") | Some("none") => Ok(()),
        Some(_) => Err("forbidden_cross_site"),
        // Neither header: not a browser (browsers send Origin on every POST), so no ambient
        // cookie was used against the user's will.
        None if !headers.contains_key(header::COOKIE) => Ok(()),
        None => Err("forbidden_no_origin"),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const ORIGIN: &str = "http://127.0.0.1:3000";
    const SERVER_FN: &str = "/api/member_update";
    const REST: &str = "/api/v1/members/1";

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
                SERVER_FN,
                &headers(&[("origin", "http://127.0.0.1:3000")]),
                ORIGIN
            )
            .is_ok()
        );
        assert!(
            check(
                &post,
                SERVER_FN,
                &headers(&[("origin", "http://evil.example")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(
            check(
                &post,
                SERVER_FN,
                &headers(&[("sec-fetch-site", "same-origin"), ("cookie", "x=1")]),
                ORIGIN
            )
            .is_ok()
        );
        assert!(
            check(
                &post,
                SERVER_FN,
                &headers(&[("sec-fetch-site", "cross-site"), ("cookie", "x=1")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(
            check(
                &post,
                SERVER_FN,
                &headers(&[("cookie", "gatehouse_session=x")]),
                ORIGIN
            )
            .is_err()
        );
        assert!(
            check(
                &Method::DELETE,
                SERVER_FN,
                &headers(&[("origin", "null"), ("cookie", "x=1")]),
                ORIGIN
            )
            .is_err()
        );
    }

    #[test]
    fn safe_methods_and_bearer_requests_to_the_api_are_exempt() {
        let cross = headers(&[("origin", "http://evil.example"), ("cookie", "x=1")]);
        assert!(check(&Method::GET, SERVER_FN, &cross, ORIGIN).is_ok());
        let bearer = headers(&[
            ("origin", "http://evil.example"),
            ("authorization", "Bearer gth_o_x"),
        ]);
        assert!(check(&Method::POST, REST, &bearer, ORIGIN).is_ok());
        assert!(check(&Method::POST, "/api/v1", &bearer, ORIGIN).is_ok());
    }

    #[test]
    fn an_authorization_header_does_not_exempt_a_cookie_request_elsewhere() {
        // A server function authenticates by cookie: a header riding along changes nothing.
        for auth in ["Bearer gth_o_x", "Basic eDp5", "whatever"] {
            let h = headers(&[
                ("origin", "http://evil.example"),
                ("cookie", "gatehouse_session=s"),
                ("authorization", auth),
            ]);
            assert!(
                check(&Method::POST, SERVER_FN, &h, ORIGIN).is_err(),
                "{auth}"
            );
            assert!(
                check(&Method::POST, "/api/v1x/y", &h, ORIGIN).is_err(),
                "{auth}"
            );
        }
        // Under the API, only a bearer token exempts.
        let basic = headers(&[
            ("origin", "http://evil.example"),
            ("cookie", "gatehouse_session=s"),
            ("authorization", "Basic eDp5"),
        ]);
        assert!(check(&Method::POST, REST, &basic, ORIGIN).is_err());
    }
}
