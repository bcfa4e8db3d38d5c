//! What an invitation's stored status means, and the conflicts a closed or capped invitation
//! answers.

use app::error::Wording;
use app::{
    areas::invitations::types::InvitationStatus,
    error::{StoreError, StoreResult},
};

/// The stored status and expiry as the list shows them.
pub(super) fn shown_status(
    stored: &str,
    expires_at: i64,
    now: i64,
) -> StoreResult<InvitationStatus> {
    match stored {
        "pending" if expires_at <= now => Ok(InvitationStatus::Expired),
        "pending" => Ok(InvitationStatus::Pending),
        "accepted" => Ok(InvitationStatus::Accepted),
        "withdrawn" => Ok(InvitationStatus::Withdrawn),
        other => Err(StoreError::backend(std::io::Error::other(format!(
            "unknown invitation status {other}"
        )))),
    }
}

/// An invitation's stored status as `SELECT status, expires_at` reads it.
#[derive(sqlx::FromRow)]
pub(super) struct StatusRow {
    status: String,
    expires_at: i64,
}

impl StatusRow {
    /// The status as the list shows it at `now` (see [`shown_status`]).
    pub(super) fn shown(&self, now: i64) -> StoreResult<InvitationStatus> {
        shown_status(&self.status, self.expires_at, now)
    }
}

/// Why a link cannot be accepted (the wording lives with the status, shared with the service).
pub(super) fn closed(status: InvitationStatus) -> StoreError {
    StoreError::coded(status.closed_reason().unwrap_or("invitation_open"))
}

pub(super) fn cap_reached(limit: i64) -> StoreError {
    StoreError::conflict(
        "invitation_cap",
        Wording::new("invitation_cap").with("count", limit).with(
            "n",
            app::core::text::thousands(u32::try_from(limit).unwrap_or(u32::MAX)),
        ),
    )
}

pub(super) fn not_open() -> StoreError {
    StoreError::coded("invitation_closed")
}
