use crate::{
    areas::{
        accounts::types::{Language, OrgSummary, SessionView},
        audit::event::{AuditActor, AuditEvent, AuditTarget},
    },
    core::{
        ids::{OrgId, UserId},
        validate::{DisplayName, Email, OrgName, OrgSlug, Password},
    },
    error::{AppError, Wording},
    server::{
        AppState, RequestCtx,
        auth::cache::AuthCache,
        secrets as random,
        store::{Attempt, AttemptOutcome, NewOrganization, NewSession, NewUser},
    },
};
use serde_json::json;

/// The answer to a successful sign-up or sign-in: the new session's secret (for the cookie)
/// and where the person should land.
pub struct SignedIn {
    pub session_secret: String,
    pub landing: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("landing", &self.landing)
            .finish_non_exhaustive()
    }
}

/// `next` if it is a path on this site (`/…`, not `//host` or a URL), for redirects after
/// sign-in that cannot be turned into an open redirect.
pub fn local_path(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 512
        && !next.chars().any(char::is_control);
    ok.then(|| next.to_string())
}

/// The landing page of an organization.
pub fn members_path(slug: &str) -> String {
    format!("/o/{slug}/members")
}

/// Whether `/signup` may create an organization now: on first run, or always with open sign-up.
pub async fn signup_available(state: &AppState) -> Result<bool, AppError> {
    Ok(state.config.open_signup || state.store.organization_count().await? == 0)
}

/// What a new organization and its first Admin are made of, as typed.
#[derive(Debug, Clone)]
pub struct NewOrganizationInput<'a> {
    pub org_name: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// What became of a sign-up.
#[derive(Debug)]
pub enum SignUpDone {
    /// First run: the organization exists and its Admin is signed in.
    SignedIn(SignedIn),
    /// Open sign-up: a message went to the address (a confirmation link, or a note that it
    /// has an account); this tells the person to look for it.
    CheckEmail(String),
}

/// A new organization and its first Admin.
#[derive(Debug, Clone)]
pub struct CreatedOrganization {
    pub org: OrgSummary,
    pub admin: UserId,
    pub admin_email: String,
}

/// Creates an organization with a new user as its Admin. `operator` is the audit actor when
/// someone other than the new Admin does it (the command line); `only_if_first` refuses if any
/// organization exists, decided in the same write.
pub async fn create_organization(
    state: &AppState,
    ctx: &RequestCtx,
    input: NewOrganizationInput<'_>,
    operator: Option<AuditActor>,
    only_if_first: bool,
) -> Result<CreatedOrganization, AppError> {
    let ParsedOrganization {
        org_name,
        name,
        email,
        password,
        slug,
    } = parse_new_organization(&input)?;
    let password_hash = state.passwords.hash(password).await?;
    let now = state.now();
    let user_id = UserId::new();
    let org_id = OrgId::new();
    let actor = operator.unwrap_or_else(|| AuditActor::user(user_id, email.as_str()));
    let audit = AuditEvent::new(
        Some(org_id),
        actor,
        "organization.created",
        AuditTarget::new("organization", Some(org_id.to_string()), org_name.as_str()),
        ctx,
        now,
    )
    .with_after(json!({ "name": org_name.as_str(), "admin": email.as_str() }));
    let org = state
        .store
        .create_organization(
            NewOrganization {
                id: org_id,
                name: org_name.as_str().into(),
                slug,
                admin: NewUser {
                    id: user_id,
                    email: email.as_str().into(),
                    name: name.as_str().into(),
                    password_hash,
                },
                only_if_first,
                now,
            },
            audit,
        )
        .await?;
    Ok(CreatedOrganization {
        org,
        admin: user_id,
        admin_email: email.as_str().into(),
    })
}

/// A new organization and its first Admin, checked.
pub(crate) struct ParsedOrganization {
    pub org_name: OrgName,
    pub name: DisplayName,
    pub email: Email,
    pub password: Password,
    pub slug: OrgSlug,
}

/// Checks every field of a new organization; the errors of all bad fields at once.
pub(crate) fn parse_new_organization(
    input: &NewOrganizationInput<'_>,
) -> Result<ParsedOrganization, AppError> {
    let org_name = OrgName::parse(input.org_name);
    let name = DisplayName::parse(input.name);
    let email = Email::parse(input.email);
    let password = Password::parse_new(input.password);
    let mut errors = Vec::new();
    for (field, r) in [
        ("org_name", org_name.as_ref().err()),
        ("name", name.as_ref().err()),
        ("email", email.as_ref().err()),
        ("password", password.as_ref().err()),
    ] {
        if let Some(m) = r {
            errors.push((field, m.clone()));
        }
    }
    AppError::fields(errors)?;
    let (Ok(org_name), Ok(name), Ok(email), Ok(password)) = (org_name, name, email, password)
    else {
        return Err(AppError::field_worded(
            "form",
            Wording::new("field_form_unreadable"),
        ));
    };
    let slug = OrgSlug::from_name(org_name.as_str())
        .ok_or_else(|| AppError::field_worded("org_name", Wording::new("field_org_name_letter")))?;
    Ok(ParsedOrganization {
        org_name,
        name,
        email,
        password,
        slug,
    })
}

/// Sign-in attempts at one account are counted in the database, so the limit holds across
/// every server, in fixed windows of this length…
pub const ACCOUNT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// …of which this many go through at once…
pub const ACCOUNT_FREE_ATTEMPTS: i64 = 10;
/// …and each later one waits this much longer than the one before (30 s, 60 s, 90 s, …), until
/// the window ends. A delay, never a lockout: anyone can make attempts at a named account, so a
/// lockout would let anyone shut its owner out.
pub const ACCOUNT_DELAY_STEP_MS: i64 = 30_000;

/// "Wait 45 seconds" or "Wait 3 minutes".
fn too_many_sign_ins(wait: u64) -> AppError {
    let wording = if wait < 60 {
        Wording::new("rate_sign_in_seconds").with("count", wait)
    } else {
        Wording::new("rate_sign_in_minutes").with("count", wait.div_ceil(60))
    };
    AppError::rate_limited(wording, wait)
}

/// Counts an attempt at the account `email` in the database (across every server); refuses it
/// while the account's progressive delay runs.
async fn check_account(state: &AppState, email: &Email) -> Result<(), AppError> {
    let now = state.now();
    let window_start = now - now.rem_euclid(ACCOUNT_WINDOW_MS);
    let key = random::sha256_hex(&format!("sign-in\n{}", email.as_str()));
    let outcome = state
        .store
        .count_attempt(Attempt {
            key: &key,
            window_start,
            now,
            free: ACCOUNT_FREE_ATTEMPTS,
            step_ms: ACCOUNT_DELAY_STEP_MS,
        })
        .await?;
    match outcome {
        AttemptOutcome::Admitted(_) => Ok(()),
        AttemptOutcome::Delayed { until } => {
            // A new window starts over, so nobody waits past the end of this one.
            let until = until.min(window_start + ACCOUNT_WINDOW_MS);
            let wait_ms = u64::try_from(until - now).unwrap_or(0);
            Err(too_many_sign_ins(wait_ms.div_ceil(1000).max(1)))
        }
    }
}

/// Signs a person in with email and password. Unknown email and wrong password answer alike,
/// after the same work. The input is checked before anything is counted, so that what the
/// throttles remember is bounded (an email address of at most 254 characters, lower-cased); then
/// the client address's limits, then the account's limit across servers.
pub async fn sign_in(
    state: &AppState,
    ctx: &RequestCtx,
    email: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    let password =
        Password::parse_attempt(password).map_err(|w| AppError::field_worded("password", w))?;
    let email = Email::parse(email).map_err(|w| AppError::field_worded("email", w))?;
    let client = ctx.client_addr.as_deref().unwrap_or("unknown");
    state
        .throttle
        .check(client, email.as_str())
        .map_err(too_many_sign_ins)?;
    check_account(state, &email).await?;

    let credentials = state.store.user_credentials(email.as_str()).await?;
    let verified = state
        .passwords
        .verify(
            password,
            credentials.as_ref().map(|c| c.password_hash.clone()),
        )
        .await?;
    let now = state.now();
    match credentials {
        Some(c) if verified => {
            let session_secret = start_session(state, ctx, c.id, email.as_str()).await?;
            let landing = match state.store.session_view(c.id).await? {
                Some(view) => view
                    .organizations
                    .first()
                    .map(|o| members_path(&o.slug))
                    .unwrap_or_else(|| "/".into()),
                None => "/".into(),
            };
            Ok(SignedIn {
                session_secret,
                landing,
            })
        }
        other => {
            let target_id = other.map(|c| c.id.to_string());
            let audit = AuditEvent::new(
                None,
                AuditActor::anonymous(),
                "user.sign_in_failed",
                AuditTarget::new("user", target_id, email.as_str()),
                ctx,
                now,
            );
            state.store.record_audit(audit).await?;
            Err(AppError::unauthorized(Wording::new(
                "unauthorized_credentials",
            )))
        }
    }
}

pub(crate) async fn start_session(
    state: &AppState,
    ctx: &RequestCtx,
    user: UserId,
    label: &str,
) -> Result<String, AppError> {
    let secret = random::secret_256();
    let now = state.now();
    let audit = AuditEvent::new(
        None,
        AuditActor::user(user, label),
        "user.signed_in",
        AuditTarget::new("user", Some(user.to_string()), label),
        ctx,
        now,
    );
    state
        .store
        .create_session(
            NewSession {
                id_hash: random::sha256_hex(&secret),
                user_id: user,
                now,
                expires_at: now + state.config.session_absolute_ms,
                client_addr: ctx.client_addr.clone(),
                user_agent: ctx.user_agent.clone(),
            },
            audit,
        )
        .await?;
    Ok(secret)
}

/// The signed-in user of this request, if the session is valid; touches it at most once a minute.
/// The session is looked up again only after a change (see `server::auth::cache`); its idle and
/// absolute lifetimes are checked every time.
pub async fn authenticate(state: &AppState, ctx: &RequestCtx) -> Result<Option<UserId>, AppError> {
    let Some(secret) = ctx.session_secret.as_deref() else {
        return Ok(None);
    };
    let id_hash = random::sha256_hex(secret);
    let sessions = &state.auth_cache.sessions;
    let found = sessions
        .through(&*state.store, &id_hash, || state.store.session(&id_hash))
        .await?;
    let Some(session) = found else {
        return Ok(None);
    };
    let now = state.now();
    if now >= session.expires_at || now - session.last_seen_at >= state.config.session_idle_ms {
        state.store.delete_session(&id_hash, None).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= 60_000 {
        state.store.touch_session(&id_hash, now).await?;
        sessions.update(&id_hash, |s| s.last_seen_at = now);
    }
    Ok(Some(session.user_id))
}

/// The person `user` as the console shows them (name, email, organizations, language), reused
/// until something changes.
pub async fn person(state: &AppState, user: UserId) -> Result<Option<SessionView>, AppError> {
    Ok(state
        .auth_cache
        .people
        .through(&*state.store, &user.to_string(), || {
            state.store.session_view(user)
        })
        .await?)
}

/// The person's own language and the default of the organization `org_slug` (see
/// `AccountStore::languages`), reused until something changes.
pub async fn languages(
    state: &AppState,
    user: UserId,
    org_slug: Option<&str>,
) -> Result<(Option<Language>, Option<Language>), AppError> {
    let key = AuthCache::member_key(user, org_slug);
    let found = state
        .auth_cache
        .languages
        .through(&*state.store, &key, || async {
            state.store.languages(user, org_slug).await.map(Some)
        })
        .await?;
    Ok(found.unwrap_or_default())
}

/// Ends this request's session.
pub async fn sign_out(state: &AppState, ctx: &RequestCtx) -> Result<(), AppError> {
    let Some(secret) = ctx.session_secret.as_deref() else {
        return Ok(());
    };
    let id_hash = random::sha256_hex(secret);
    let Some(session) = state.store.session(&id_hash).await? else {
        return Ok(());
    };
    let label = state
        .store
        .session_view(session.user_id)
        .await?
        .map(|v| v.email)
        .unwrap_or_default();
    let audit = AuditEvent::new(
        None,
        AuditActor::user(session.user_id, &label),
        "user.signed_out",
        AuditTarget::new("user", Some(session.user_id.to_string()), &label),
        ctx,
        state.now(),
    );
    state.store.delete_session(&id_hash, Some(audit)).await?;
    Ok(())
}

/// The signed-in person, or `None`.
pub async fn session_view(
    state: &AppState,
    ctx: &RequestCtx,
) -> Result<Option<SessionView>, AppError> {
    match authenticate(state, ctx).await? {
        Some(user) => person(state, user).await,
        None => Ok(None),
    }
}

/// Sets (or with `None` clears) the signed-in person's interface language.
pub async fn set_language(
    state: &AppState,
    ctx: &RequestCtx,
    language: Option<Language>,
) -> Result<(), AppError> {
    let Some(view) = session_view(state, ctx).await? else {
        return Err(AppError::unauthorized(Wording::new(
            "unauthorized_sign_in_first",
        )));
    };
    let audit = AuditEvent::new(
        None,
        AuditActor::user(view.user_id, &view.email),
        "user.language_changed",
        AuditTarget::new("user", Some(view.user_id.to_string()), &view.email),
        ctx,
        state.now(),
    )
    .with_before(json!({ "language": view.language }))
    .with_after(json!({ "language": language }));
    Ok(state
        .store
        .set_language(view.user_id, language, audit)
        .await?)
}

/// The language a signed-in person's pages are drawn in, when it is decided by who they are:
/// their own choice, else the default of the organization whose page this is (`org_slug`,
/// where they are an active member; on a page outside any organization, the first of theirs
/// that has one). `None` for a visitor without a session, and when neither
/// is set: the browser's choice (cookie, `Accept-Language`) applies then.
pub async fn chosen_language(
    state: &AppState,
    ctx: &RequestCtx,
    org_slug: Option<&str>,
) -> Result<Option<Language>, AppError> {
    let Some(user) = authenticate(state, ctx).await? else {
        return Ok(None);
    };
    let (own, org) = languages(state, user, org_slug).await?;
    Ok(own.or(org))
}
