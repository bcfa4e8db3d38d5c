//! Sign-up, sign-in, sign-out and who is signed in.

use leptos::prelude::*;

use crate::{error::AppError, model::SessionView};

/// Whether the sign-up page may create an organization now.
#[server(endpoint = "signup_available")]
pub async fn signup_available() -> Result<bool, AppError> {
    use super::ssr::*;
    respond(
        async {
            let (state, _) = request()?;
            crate::backend::services::signup_available(&state).await
        }
        .await,
    )
}

/// Creates an organization and its first Admin, signs them in and sends them to it.
#[server(endpoint = "signup")]
pub async fn sign_up(
    org_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<String, AppError> {
    use super::ssr::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let input = crate::backend::services::NewOrganizationInput {
                org_name: &org_name,
                name: &name,
                email: &email,
                password: &password,
            };
            let done = crate::backend::services::sign_up(&state, &ctx, input).await?;
            Ok(hand_over_session(&state, done))
        }
        .await,
    )
}

/// Gives the browser its session cookie and sends it where the person should land.
#[cfg(feature = "ssr")]
pub(super) fn hand_over_session(
    state: &crate::backend::AppState,
    done: crate::backend::services::SignedIn,
) -> String {
    super::ssr::set_header(
        http::header::SET_COOKIE,
        crate::backend::session::set_cookie(&state.config, &done.session_secret),
    );
    leptos_axum::redirect(&done.landing);
    done.landing
}

/// Signs in with email and password.
#[server(endpoint = "signin")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] next: String,
) -> Result<String, AppError> {
    use super::ssr::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let mut done =
                crate::backend::services::sign_in(&state, &ctx, &email, &password).await?;
            if let Some(path) = crate::backend::services::local_path(&next) {
                done.landing = path;
            }
            Ok(hand_over_session(&state, done))
        }
        .await,
    )
}

/// Ends the session and forgets the cookie.
#[server(endpoint = "signout")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::ssr::*;
    respond(
        async {
            let (state, ctx) = request()?;
            crate::backend::services::sign_out(&state, &ctx).await?;
            set_header(
                http::header::SET_COOKIE,
                crate::backend::session::clear_cookie(&state.config),
            );
            leptos_axum::redirect("/signin");
            Ok(())
        }
        .await,
    )
}

/// The signed-in person, or `None`.
#[server(endpoint = "session")]
pub async fn current_session() -> Result<Option<SessionView>, AppError> {
    use super::ssr::*;
    respond(
        async {
            let (state, ctx) = request()?;
            crate::backend::services::session_view(&state, &ctx).await
        }
        .await,
    )
}
