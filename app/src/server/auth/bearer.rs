use crate::{
    core::kinds::{MembershipStatus, TokenKind},
    error::{AppError, Wording},
    policy::Principal,
    server::{
        AppState, RequestCtx,
        auth::{cache::CachedToken, token_secret as tokens},
        caller::Caller,
        store::TokenRecord,
    },
};

/// Last use is written at most this often per token.
const USE_RESOLUTION_MS: i64 = 60_000;

fn bad_token() -> AppError {
    AppError::unauthorized(Wording::new("unauthorized_token_invalid"))
}

/// The caller a bearer token stands for, with the token as stored. Malformed tokens are
/// refused before any lookup; expired tokens, and user tokens whose owner is not an active
/// member, are refused.
///
/// Failures are throttled per client address: once an address is over the limit, its requests
/// are refused before any lookup (so a guess cannot be told apart from a hit), valid tokens
/// included, until the wait has passed.
pub async fn authenticate(
    state: &AppState,
    ctx: &RequestCtx,
    bearer: &str,
) -> Result<(Caller, TokenRecord), AppError> {
    let client = ctx.client_addr.as_deref().unwrap_or("unknown");
    state
        .throttle
        .failures_blocked(client)
        .map_err(too_many_failures)?;
    match authenticate_unthrottled(state, ctx, bearer).await {
        Err(AppError::Unauthorized(message)) => Err(match state.throttle.failed(client) {
            Ok(()) => AppError::Unauthorized(message),
            Err(wait) => too_many_failures(wait),
        }),
        other => other,
    }
}

fn too_many_failures(wait: u64) -> AppError {
    AppError::rate_limited(Wording::new("rate_token").with("count", wait), wait)
}

async fn authenticate_unthrottled(
    state: &AppState,
    ctx: &RequestCtx,
    bearer: &str,
) -> Result<(Caller, TokenRecord), AppError> {
    let fp = tokens::parse(bearer.trim()).map_err(|_| bad_token())?;
    // Read before the lookup, so that a change committed during it makes the result stale.
    let generation = state.store.generation();
    let cache = &state.auth_cache.tokens;
    let cached = generation.and_then(|g| cache.get(&fp.hash, g));
    let CachedToken { rec, principal } = match cached {
        Some(hit) => hit,
        None => {
            let found = look_up(state, &fp.hash).await?;
            if let Some(g) = generation {
                cache.put(&fp.hash, g, found.clone());
            }
            found
        }
    };
    let now = state.now();
    if rec.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::unauthorized(Wording::new(
            "unauthorized_token_expired",
        )));
    }
    if rec
        .last_used_at
        .is_none_or(|t| now - t >= USE_RESOLUTION_MS)
    {
        state
            .store
            .token_used(rec.id, now, ctx.client_addr.as_deref())
            .await?;
        cache.update(&fp.hash, |t| t.rec.last_used_at = Some(now));
    }
    let caller = Caller {
        principal,
        label: format!("token “{}” …{}", rec.name, fp.last_four),
    };
    Ok((caller, rec))
}

/// The token with this secret hash and what it may do now; unauthorized when there is no such
/// token or its owner is not an active member.
async fn look_up(state: &AppState, hash: &str) -> Result<CachedToken, AppError> {
    let rec = state
        .store
        .token_by_hash(hash)
        .await?
        .ok_or_else(bad_token)?;
    let principal = match (rec.kind, rec.owner) {
        (TokenKind::Organization, _) => Principal::organization_token(rec.id, rec.org.id, rec.role),
        (TokenKind::User, Some(owner)) => {
            let access = state
                .store
                .member_access(rec.org.id, owner)
                .await?
                .filter(|a| a.status == MembershipStatus::Active)
                .ok_or_else(|| AppError::unauthorized(Wording::new("unauthorized_token_owner")))?;
            Principal::user_token(
                rec.id,
                owner,
                rec.org.id,
                rec.role,
                access.status,
                access.bindings,
            )
        }
        (TokenKind::User, None) => return Err(bad_token()),
    };
    Ok(CachedToken { rec, principal })
}
