//! Sign-up, sign-in, sign-out and who is signed in.

use crate::{
    areas::accounts::{
        signup_types::{SignUpAnswer, SignUpLink},
        types::SessionView,
    },
    error::AppError,
};
use leptos::prelude::*;

/// Whether the sign-up page may create an organization now.
#[server(endpoint = "signup_available")]
pub async fn signup_available() -> Result<bool, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _) = request()?;
            crate::areas::accounts::service::signup_available(&state).await
        }
        .await,
    )
}

/// First run: creates the organization and its first Admin, signs them in and sends them to
/// it. Open sign-up: mails a confirmation link and says to look for it.
#[server(endpoint = "signup")]
pub async fn sign_up(
    org_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<SignUpAnswer, AppError> {
    use crate::areas::accounts::service::SignUpDone;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            // The mail is written in the language of the page that asked for it.
            let language = use_context::<http::request::Parts>()
                .and_then(|p| {
                    p.extensions
                        .get::<crate::server::language::RequestLanguage>()
                        .copied()
                })
                .map(|l| l.0)
                .unwrap_or_default();
            let input = crate::areas::accounts::service::NewOrganizationInput {
                org_name: &org_name,
                name: &name,
                email: &email,
                password: &password,
            };
            Ok(
                match crate::areas::accounts::signups::sign_up(&state, &ctx, input, language)
                    .await?
                {
                    SignUpDone::SignedIn(done) => {
                        SignUpAnswer::SignedIn(hand_over_session(&state, done))
                    }
                    SignUpDone::CheckEmail(message) => SignUpAnswer::CheckEmail { message },
                },
            )
        }
        .await,
    )
}

/// What a sign-up confirmation link leads to (the `/signup/confirm/{token}` page).
#[server(endpoint = "signup_link")]
pub async fn load_signup_link(token: String) -> Result<SignUpLink, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, _) = request()?;
            crate::areas::accounts::signups::link_state(&state, &token).await
        }
        .await,
    )
}

/// Confirms an open sign-up: creates the organization, signs its Admin in and sends them to it.
#[server(endpoint = "signup_confirm")]
pub async fn confirm_sign_up(token: String) -> Result<String, AppError> {
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let done = crate::areas::accounts::signups::confirm(&state, &ctx, &token).await?;
            Ok(hand_over_session(&state, done))
        }
        .await,
    )
}

/// Gives the browser its session cookie and sends it where the person should land.
#[cfg(feature = "ssr")]
pub(crate) fn hand_over_session(
    state: &crate::server::AppState,
    done: crate::areas::accounts::service::SignedIn,
) -> String {
    crate::server::serverfns::set_header(
        http::header::SET_COOKIE,
        crate::server::auth::session::set_cookie(&state.config, &done.session_secret),
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
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let mut done =
                crate::areas::accounts::service::sign_in(&state, &ctx, &email, &password).await?;
            if let Some(path) = crate::areas::accounts::service::local_path(&next) {
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
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            crate::areas::accounts::service::sign_out(&state, &ctx).await?;
            set_header(
                http::header::SET_COOKIE,
                crate::server::auth::session::clear_cookie(&state.config),
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
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            crate::areas::accounts::service::session_view(&state, &ctx).await
        }
        .await,
    )
}

/// Sets the signed-in person's interface language (`en`, `de`, `zh`, `ru`), or with an empty
/// `language` clears it (their organization's default, else the browser's, applies then).
#[server(endpoint = "language")]
pub async fn set_language(language: String) -> Result<(), AppError> {
    use crate::areas::accounts::types::language_choice;
    use crate::server::serverfns::*;
    respond(
        async {
            let (state, ctx) = request()?;
            let language = language_choice(&language, "language", "field_language")?;
            crate::areas::accounts::service::set_language(&state, &ctx, language).await
        }
        .await,
    )
}
