//! The storage boundary. One implementation per backend lives in the entry crate; every method
//! is a domain operation scoped to one organization where the data belongs to one.

// The store implementation (the entry crate) finds every area's store trait and record here.
pub use crate::{
    areas::{
        accounts::store::*, audit::store::*, groups::store::*, invitations::store::*,
        members::store::*, organizations::store::*, projects::store::*, roles::store::*,
        tokens::store::*,
    },
    error::{StoreError, StoreResult},
    server::mail::{OutboxStore, OutgoingMail, QueuedMail},
};

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Everything Gatehouse keeps, one trait per area.
pub trait Store:
    AccountStore
    + MemberStore
    + RoleStore
    + GroupStore
    + ProjectStore
    + InvitationStore
    + AcceptanceStore
    + SettingsStore
    + crate::server::mail::OutboxStore
    + SignUpStore
    + TokenStore
    + AuditStore
{
    /// A number that changes whenever a committed write may have changed what authentication
    /// reads (tokens, memberships, role bindings, roles, users, organizations). Read before a
    /// lookup, it lets the lookup's result be reused for as long as it stays the same. `None`:
    /// this store cannot know about every write (another node may make it), so nothing may be
    /// reused. Recording a token's or a session's last use does not change it, nor does
    /// starting a session (no reused lookup can have read a session that did not exist yet, nor
    /// the person's last sign-in time).
    fn generation(&self) -> Option<u64> {
        None
    }
}
