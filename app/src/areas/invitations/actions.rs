//! What the invitations page shares with its forms: the server actions, and the bulk form's
//! state (kept by the page so that its report outlives a reload of the list).

use crate::{
    areas::invitations::{
        serverfns::{Invite, ResendInvitation, ResendInvitationTo, WithdrawInvitation},
        types::BulkReport,
    },
    error::AppError,
};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Actions {
    pub invite: ServerAction<Invite>,
    pub resend: ServerAction<ResendInvitation>,
    pub resend_to: ServerAction<ResendInvitationTo>,
    pub withdraw: ServerAction<WithdrawInvitation>,
    pub bulk_done: RwSignal<u32>,
    pub bulk: BulkState,
    /// The address in the invite form (kept across reloads, for the resend offer).
    pub invite_email: RwSignal<String>,
    /// The invite and bulk-invite dialogs are open.
    pub invite_open: RwSignal<bool>,
    pub bulk_open: RwSignal<bool>,
    /// The invitation a person is about to withdraw (the confirmation is open while set).
    pub withdrawing: RwSignal<Option<(crate::core::ids::InvitationId, String)>>,
}

/// The bulk form's state lives with the page, not the body that reloads after each change, so
/// the report stays on screen.
#[derive(Clone, Copy)]
pub struct BulkState {
    pub text: RwSignal<String>,
    pub reports: RwSignal<Vec<BulkReport>>,
    /// Lines done, of all.
    pub progress: RwSignal<Option<(usize, usize)>>,
    pub error: RwSignal<Option<AppError>>,
}
