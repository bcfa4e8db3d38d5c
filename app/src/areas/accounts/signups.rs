//! Open sign-up: a request mails a confirmation link (or, to an address that has an account, a
//! note saying so, with the same answer on screen); following the link creates the organization
//! and its Admin. Nothing is created for an address nobody has shown they read.

use crate::{
    areas::{
        accounts::{
            service::{NewOrganizationInput, ParsedOrganization, SignUpDone, SignedIn},
            signup_types::SignUpLink,
            types::Language,
        },
        audit::event::{AuditActor, AuditEvent, AuditTarget},
    },
    core::{
        ids::{OrgId, UserId},
        validate::OrgSlug,
    },
    error::{AppError, Wording},
    server::{
        AppState, RequestCtx,
        mail::{self, SignUpMail},
        secrets as random,
        store::{NewOrganization, NewSignUp, NewUser},
    },
};
use serde_json::json;

/// How long a confirmation link works.
pub const LIFETIME_HOURS: u32 = 24;
const HOUR_MS: i64 = 60 * 60 * 1000;
/// How long an expired link still says "expired" rather than "unknown" before it is forgotten.
pub const KEEP_EXPIRED_MS: i64 = 7 * 24 * HOUR_MS;

/// The link's secret: 256 random bits, URL-safe base64 (43 characters).
fn is_well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn rate_limited(wait: u64) -> AppError {
    let minutes = wait.div_ceil(60).max(1);
    AppError::rate_limited(Wording::new("rate_signup").with("count", minutes), wait)
}

/// On first run, creates the organization and its first Admin at once and signs them in (there
/// is nobody to confirm an address with yet); with open sign-up afterwards, mails a link that
/// does so once followed ([`request`]), written in `language` (the request's).
pub async fn sign_up(
    state: &AppState,
    ctx: &RequestCtx,
    input: NewOrganizationInput<'_>,
    language: Language,
) -> Result<SignUpDone, AppError> {
    let first_run = state.store.organization_count().await? == 0;
    if !first_run {
        return if state.config.open_signup {
            request(state, ctx, input, language).await
        } else {
            Err(sign_up_closed())
        };
    }
    let created = match crate::areas::accounts::service::create_organization(
        state,
        ctx,
        input.clone(),
        None,
        true,
    )
    .await
    {
        Ok(created) => created,
        // Another first sign-up won the race: this one is an ordinary sign-up now.
        Err(AppError::Conflict { code, .. }) if code == "not_first" => {
            return if state.config.open_signup {
                request(state, ctx, input, language).await
            } else {
                Err(sign_up_closed())
            };
        }
        Err(e) => return Err(e),
    };
    let session_secret = crate::areas::accounts::service::start_session(
        state,
        ctx,
        created.admin,
        &created.admin_email,
    )
    .await?;
    Ok(SignUpDone::SignedIn(SignedIn {
        session_secret,
        landing: crate::areas::accounts::service::members_path(&created.org.slug),
    }))
}

fn sign_up_closed() -> AppError {
    AppError::forbidden(Wording::new("forbidden_signup_closed"))
}

/// Checks the form, then mails the address: a link that creates the organization when
/// followed, or, when the address has an account, a note saying so. Both take the same work
/// and get the same answer, so the answer does not tell whether an address is registered.
/// Throttled per client address, per client and address, and per address whoever asks.
/// The confirmation is written in `language` (the request's); the note to an account in the
/// account's own language if it chose one, else in `language`.
pub async fn request(
    state: &AppState,
    ctx: &RequestCtx,
    input: NewOrganizationInput<'_>,
    language: Language,
) -> Result<SignUpDone, AppError> {
    let ParsedOrganization {
        org_name,
        name,
        email,
        password,
        slug: _,
    } = crate::areas::accounts::service::parse_new_organization(&input)?;
    let client = ctx.client_addr.as_deref().unwrap_or("unknown");
    state
        .throttle
        .check(client, &format!("signup:{}", email.as_str()))
        .map_err(rate_limited)?;
    state
        .throttle
        .check_recipient(email.as_str())
        .map_err(rate_limited)?;
    // Hashed now, also for a registered address, so both answers take as long.
    let password_hash = state.passwords.hash(password).await?;
    let now = state.now();
    let expires_at = now + i64::from(LIFETIME_HOURS) * HOUR_MS;
    let origin = &state.config.public_origin;
    match state.store.user_credentials(email.as_str()).await? {
        Some(account) => {
            let message = mail::signup_existing_account(&SignUpMail {
                to: email.as_str(),
                org_name: org_name.as_str(),
                link: &format!("{origin}/signin"),
                expires_at,
                lifetime_hours: LIFETIME_HOURS,
                language: account.language.unwrap_or(language),
            });
            let audit = AuditEvent::new(
                None,
                AuditActor::anonymous(),
                "signup.requested",
                AuditTarget::new("user", Some(account.id.to_string()), email.as_str()),
                ctx,
                now,
            )
            .with_after(json!({ "org_name": org_name.as_str(), "account_exists": true }));
            state.store.queue_notice(message, audit).await?;
        }
        None => {
            let token = random::secret_256();
            let id = uuid::Uuid::now_v7();
            let message = mail::signup_confirmation(&SignUpMail {
                to: email.as_str(),
                org_name: org_name.as_str(),
                link: &format!("{origin}/signup/confirm/{token}"),
                expires_at,
                lifetime_hours: LIFETIME_HOURS,
                language,
            });
            let audit = AuditEvent::new(
                None,
                AuditActor::anonymous(),
                "signup.requested",
                AuditTarget::new("signup", Some(id.to_string()), email.as_str()),
                ctx,
                now,
            )
            .with_after(json!({
                "org_name": org_name.as_str(),
                "account_exists": false,
                "expires_at": expires_at,
            }));
            state
                .store
                .create_signup(
                    NewSignUp {
                        id,
                        token_hash: random::sha256_hex(&token),
                        email: email.as_str().into(),
                        name: name.as_str().into(),
                        org_name: org_name.as_str().into(),
                        password_hash,
                        now,
                        expires_at,
                    },
                    message,
                    audit,
                )
                .await?;
        }
    }
    Ok(SignUpDone::CheckEmail(format!(
        "Check your email to finish creating {}. We sent a message to {}; the link in it works \
         once, within {LIFETIME_HOURS} hours.",
        org_name.as_str(),
        email.as_str()
    )))
}

/// What the link `token` leads to, for `/signup/confirm/{token}`. Reading it changes nothing
/// (mail scanners open links); the page's button confirms.
pub async fn link_state(state: &AppState, token: &str) -> Result<SignUpLink, AppError> {
    if !is_well_formed(token) {
        return Ok(SignUpLink::Malformed);
    }
    let Some(rec) = state
        .store
        .signup_by_token(&random::sha256_hex(token))
        .await?
    else {
        return Ok(SignUpLink::Unknown);
    };
    Ok(if rec.used {
        SignUpLink::Used
    } else if rec.expires_at <= state.now() {
        SignUpLink::Expired
    } else if rec.account_exists {
        SignUpLink::AccountExists { email: rec.email }
    } else {
        SignUpLink::Open {
            org_name: rec.org_name,
            email: rec.email,
            expires_at: rec.expires_at,
        }
    })
}

fn account_exists(email: &str) -> AppError {
    AppError::conflict(
        "email_taken",
        Wording::new("email_taken_signup").with("email", email),
    )
}

/// Follows the link: creates the organization and its Admin from the sign-up and uses up the
/// link in one write (once, also when requests race), signs the Admin in and lands them in
/// the organization. Throttled per client address and link.
pub async fn confirm(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
) -> Result<SignedIn, AppError> {
    let hash = random::sha256_hex(token);
    let client = ctx.client_addr.as_deref().unwrap_or("unknown");
    state
        .throttle
        .check(client, &format!("signup-link:{hash}"))
        .map_err(|wait| {
            AppError::rate_limited(Wording::new("rate_attempts").with("count", wait), wait)
        })?;
    if !is_well_formed(token) {
        return Err(AppError::NotFound);
    }
    let rec = state
        .store
        .signup_by_token(&hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.now();
    if rec.used || rec.expires_at <= now {
        return Err(AppError::coded(SignUpLink::closed_reason(rec.used)));
    }
    if rec.account_exists {
        return Err(account_exists(&rec.email));
    }
    let slug = OrgSlug::from_name(&rec.org_name)
        .ok_or_else(|| AppError::field_worded("org_name", Wording::new("field_org_name_letter")))?;
    let org_id = OrgId::new();
    let user_id = UserId::new();
    let actor = AuditActor::user(user_id, &rec.email);
    let created = AuditEvent::new(
        Some(org_id),
        actor.clone(),
        "organization.created",
        AuditTarget::new("organization", Some(org_id.to_string()), &rec.org_name),
        ctx,
        now,
    )
    .with_after(json!({ "name": rec.org_name, "admin": rec.email }));
    let confirmed = AuditEvent::new(
        Some(org_id),
        actor,
        "signup.confirmed",
        AuditTarget::new("signup", Some(rec.id.to_string()), &rec.email),
        ctx,
        now,
    )
    .with_after(json!({ "organization": org_id, "user": user_id }));
    let org = state
        .store
        .confirm_signup(
            &hash,
            NewOrganization {
                id: org_id,
                name: rec.org_name.clone(),
                slug,
                admin: NewUser {
                    id: user_id,
                    email: rec.email.clone(),
                    name: rec.name.clone(),
                    password_hash: rec.password_hash.clone(),
                },
                only_if_first: false,
                now,
            },
            vec![created, confirmed],
        )
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict { code, .. } if code == "email_taken" => account_exists(&rec.email),
            e => e,
        })?;
    let session_secret =
        crate::areas::accounts::service::start_session(state, ctx, user_id, &rec.email).await?;
    Ok(SignedIn {
        session_secret,
        landing: crate::areas::accounts::service::members_path(&org.slug),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_secrets_are_checked_before_any_lookup() {
        assert!(is_well_formed(&random::secret_256()));
        assert!(!is_well_formed("short"));
        assert!(!is_well_formed(&format!("{}!", "a".repeat(42))));
    }
}
