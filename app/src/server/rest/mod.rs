//! The REST API (`/api/v1`): every capability of the console for access tokens. Handlers only
//! translate between HTTP and the services — the same functions the console's server functions
//! call — so the API holds no rule of its own. Each route is registered together with its
//! OpenAPI description (`utoipa-axum`), so the document at `/api/v1/openapi.json` lists exactly
//! the routes the router serves.

use crate::areas::audit::rest as audit;
pub mod extract;
use crate::areas::{
    accounts::rest as me, groups::rest as groups, invitations::rest as invitations,
    members::rest as members, organizations::rest as organization,
};

pub mod problem;
use crate::areas::{projects::rest as projects, roles::rest as roles};

pub mod paging;
pub(crate) mod schema;
pub use crate::server::rest::problem::{ApiError, Problem};
use crate::{areas::tokens::rest as tokens, server::AppState};
use axum::{Json, Router, http::header, response::IntoResponse};
use std::sync::LazyLock;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Where the API is mounted.
pub const BASE: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        description = "Members, roles, groups, projects, invitations, access tokens and the audit \
                       log of one organization: the organization of the access token that calls. \
                       Errors are `application/problem+json` (RFC 9457).",
    ),
    servers((url = "/api/v1")),
    components(schemas(Problem, schema::AuditAnswer, crate::areas::audit::service::AuditListing)),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "me"), (name = "organization"), (name = "members"), (name = "invitations"), (name = "roles"),
        (name = "groups"), (name = "projects"), (name = "tokens"), (name = "audit"), (name = "meta"),
    ),
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("gth_u_… (user token) or gth_o_… (organization token)".into());
        scheme.description = Some(
            "An access token created on the tokens page, or with `gatehouse token create`".into(),
        );
        components.add_security_scheme("token", SecurityScheme::Http(scheme));
    }
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me))
        .routes(routes!(organization::get, organization::update))
        .routes(routes!(members::list))
        .routes(routes!(members::get, members::update, members::remove))
        .routes(routes!(members::deactivate))
        .routes(routes!(members::reactivate))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::withdraw))
        .routes(routes!(invitations::resend))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::get, roles::update, roles::delete))
        .routes(routes!(groups::list, groups::create))
        .routes(routes!(groups::get, groups::update, groups::delete))
        .routes(routes!(groups::add_member, groups::remove_member))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::update, projects::delete))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::delete))
        .routes(routes!(tokens::regenerate))
        .routes(routes!(audit::list))
        .routes(routes!(openapi_json))
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| api().into_openapi());

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    DOCUMENT.clone()
}

/// The API's routes, to be mounted at [`BASE`]. Unknown paths answer a 404 problem.
pub fn router<S>(state: AppState) -> Router<S> {
    let (router, _) = api().split_for_parts();
    router
        .fallback(|| async { ApiError(crate::error::AppError::NotFound).into_response() })
        .layer(axum::middleware::from_fn(problem::in_language))
        .with_state(state)
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")),
)]
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(&*DOCUMENT),
    )
}
