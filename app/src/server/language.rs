//! Which language a request is answered in. A signed-in person's pages follow their own choice,
//! else the default of the organization whose page it is; otherwise the browser decides: the
//! language cookie (set by the sign-in page's switcher, and kept in step with the pages'
//! language), else `Accept-Language`, else English.
//!
//! The console's catalogue (leptos_i18n) reads the cookie and then `Accept-Language` on the
//! server; when the person's choice decides, the cookie in the request is replaced by it before
//! the page is rendered, so the first page is drawn in that language, `<html lang>` says so and
//! hydration keeps it.

use crate::{
    areas::accounts::{service::chosen_language, types::Language},
    server::{AppState, RequestCtx, auth::session::cookie_value},
};
use http::{HeaderMap, HeaderValue, header::ACCEPT_LANGUAGE, header::COOKIE, request::Parts};

// The language cookie (leptos_i18n's default name), which the server only reads.
use crate::core::language::LANGUAGE_COOKIE as COOKIE_NAME;

/// The language of this request, as the request extensions carry it for the code that
/// writes messages (errors of server functions, the REST API's `detail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLanguage(pub Language);

/// The browser's choice: the cookie, else `Accept-Language`.
pub fn browser_language(headers: &HeaderMap) -> Option<Language> {
    cookie_value(headers, COOKIE_NAME)
        .and_then(|c| Language::parse(&c))
        .or_else(|| accept_language(headers))
}

/// `Accept-Language` alone (the REST API ignores cookies).
pub fn accept_language(headers: &HeaderMap) -> Option<Language> {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language)
}

/// The organization a console path belongs to (`/o/{slug}/…`).
fn org_slug(path: &str) -> Option<&str> {
    path.strip_prefix("/o/")?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// Decides the language of a page request and makes the catalogue see it: when the person's
/// (or their organization's) choice decides, the language cookie in `parts` is replaced by it.
/// Returns the language, also put into the request's extensions as [`RequestLanguage`].
pub async fn settle(state: &AppState, parts: &mut Parts) -> Language {
    let ctx = RequestCtx::from_parts(parts, &state.config);
    let chosen = if ctx.session_secret.is_some() {
        // A failing lookup only costs the person's choice for this page.
        chosen_language(state, &ctx, org_slug(parts.uri.path()))
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    if let Some(language) = chosen {
        replace_cookie(&mut parts.headers, language);
    }
    let language = chosen
        .or_else(|| browser_language(&parts.headers))
        .unwrap_or_default();
    parts.extensions.insert(RequestLanguage(language));
    language
}

/// Replaces the language cookie among the request's cookies.
fn replace_cookie(headers: &mut HeaderMap, language: Language) {
    let mut pairs: Vec<String> = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(COOKIE_NAME))
        .map(str::to_string)
        .collect();
    pairs.push(format!("{COOKIE_NAME}={}", language.as_str()));
    if let Ok(v) = HeaderValue::from_str(&pairs.join("; ")) {
        headers.remove(COOKIE);
        headers.insert(COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_replaced_and_the_others_kept() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; i18n_pref_locale=en"));
        h.append(COOKIE, HeaderValue::from_static("gatehouse_session=s"));
        replace_cookie(&mut h, Language::De);
        assert_eq!(
            h.get(COOKIE).and_then(|v| v.to_str().ok()),
            Some("a=1; gatehouse_session=s; i18n_pref_locale=de")
        );
        assert_eq!(browser_language(&h), Some(Language::De));
    }

    #[test]
    fn the_cookie_comes_before_accept_language() {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("ru-RU,ru;q=0.9"));
        assert_eq!(browser_language(&h), Some(Language::Ru));
        h.insert(COOKIE, HeaderValue::from_static("i18n_pref_locale=zh"));
        assert_eq!(browser_language(&h), Some(Language::Zh));
        h.insert(COOKIE, HeaderValue::from_static("i18n_pref_locale=xx"));
        assert_eq!(browser_language(&h), Some(Language::Ru));
        assert_eq!(accept_language(&h), Some(Language::Ru));
    }

    #[test]
    fn organization_pages_name_their_organization() {
        assert_eq!(org_slug("/o/acme/members"), Some("acme"));
        assert_eq!(org_slug("/o/acme"), Some("acme"));
        assert_eq!(org_slug("/o//members"), None);
        assert_eq!(org_slug("/profile"), None);
    }
}
