//! The axum application: console routes and server functions, health checks, static files,
//! and the middleware every request passes through.

use crate::proxies::TrustedProxies;
use app::{
    App,
    server::{AppState, ClientAddr, auth::csrf, rest},
    shell,
};
use axum::{
    Json, Router,
    extract::{ConnectInfo, DefaultBodyLimit, FromRef, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde_json::json;
use std::net::SocketAddr;
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// Request bodies are capped; nothing the console or API accepts is larger.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The router's state: what Leptos needs to render, and what the services need.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    pub trusted_proxies: TrustedProxies,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

pub fn router(state: ServerState) -> Router {
    let routes = generate_route_list(App);
    let app_state = state.app.clone();
    let context = move || provide_context(app_state.clone());
    let leptos_options = state.leptos.clone();
    // Behind https, browsers are told to never come back over plain http.
    let hsts = state.app.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    Router::new()
        .nest_service("/pkg", console_files(&state.leptos))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest(rest::BASE, rest::router(state.app.clone()))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(state.clone(), language))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_origin_guard,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), client_addr))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(cap_body))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(tower::util::option_layer(hsts))
        // Pages, server functions and API answers are compressed as they go out (brotli at
        // quality 4, gzip); the console's files come compressed already (`console_files`).
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The console's WebAssembly, JavaScript and CSS (`/pkg/…`), in the brotli or gzip file that
/// the release build wrote beside each when the browser accepts it. Their names carry a hash
/// of their content in a release build, so browsers may keep them for a year; otherwise they
/// are checked again on each use.
fn console_files(
    leptos: &LeptosOptions,
) -> impl tower::Service<
    Request,
    Response = Response<tower_http::services::fs::ServeFileSystemResponseBody>,
    Error = std::convert::Infallible,
    Future: Send,
> + Clone
+ Send
+ Sync
+ 'static {
    let dir = std::path::Path::new(leptos.site_root.as_ref()).join(leptos.site_pkg_dir.as_ref());
    let cache = HeaderValue::from_static(if leptos.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    });
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |res: &Response<_>| res.status().is_success().then(|| cache.clone()),
        ))
        .service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
}

/// `GET /healthz`: the process is up.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers.
async fn readyz(State(state): State<ServerState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

/// Puts the client's address on the request where the services (audit, throttles, tokens' last
/// use) look for it: the peer's, or behind a trusted proxy the forwarded one.
async fn client_addr(State(state): State<ServerState>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = state.trusted_proxies.client(addr.ip(), req.headers());
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

/// Settles the language of console pages (the person's choice, their organization's default,
/// the browser's) before they are rendered; other requests get the browser's.
async fn language(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let page = req.method() == axum::http::Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && !path.contains('.')
        && path != "/healthz"
        && path != "/readyz";
    let (mut parts, body) = req.into_parts();
    if page {
        app::server::language::settle(&state.app, &mut parts).await;
    } else {
        let language = app::server::language::browser_language(&parts.headers).unwrap_or_default();
        parts
            .extensions
            .insert(app::server::language::RequestLanguage(language));
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Server functions read their bodies themselves, where an over-long body would surface as a
/// 500: read it here first, whether or not it declared its length, and answer 413.
async fn cap_body(req: Request, next: Next) -> Response {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is larger than 1 MiB",
        )
            .into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}

/// Refuses state-changing requests from other origins (see `app::server::auth::csrf`).
async fn same_origin_guard(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    match csrf::check(
        req.method(),
        req.uri().path(),
        req.headers(),
        &state.app.config.public_origin,
    ) {
        Ok(()) => next.run(req).await,
        Err(code) => {
            tracing::info!(method = %req.method(), path = %req.uri().path(), "cross-origin request refused");
            let refusal = app::error::AppError::forbidden(app::error::Wording::new(code));
            if req.uri().path().starts_with(rest::BASE) {
                // The API answers every error as a problem document, in the language asked for.
                let refusal = match app::server::language::accept_language(req.headers()) {
                    Some(language) => refusal.localized(language),
                    None => refusal,
                };
                return rest::ApiError(refusal).into_response();
            }
            let language =
                app::server::language::browser_language(req.headers()).unwrap_or_default();
            (
                StatusCode::FORBIDDEN,
                refusal.localized(language).to_string(),
            )
                .into_response()
        }
    }
}
