//! `/organization`: the settings of the token's organization.

use crate::{
    areas::{accounts::types::Language, organizations::types::OrgSettings},
    server::{
        AppState,
        rest::{
            extract::{ApiCaller, Body},
            problem::{ApiResult, E400, E401, E403, E422},
        },
    },
};
use axum::{Json, extract::State};
use serde::{Deserialize, Deserializer};

/// The organization's settings (`org.manage`).
#[utoipa::path(
    get,
    path = "/organization",
    operation_id = "organization_get",
    tag = "organization",
    responses((status = 200, body = OrgSettings), E401, E403),
)]
pub async fn get(State(state): State<AppState>, api: ApiCaller) -> ApiResult<Json<OrgSettings>> {
    Ok(Json(
        crate::areas::organizations::service::settings(&state, &api.caller).await?,
    ))
}

/// What to change; what is not given stays.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    /// One line of 1 to 100 characters with at least one letter or digit.
    #[schema(min_length = 1, max_length = 100)]
    name: Option<String>,
    #[schema(minimum = 1, maximum = 720)]
    #[serde(default, deserialize_with = "whole")]
    invitation_lifetime_hours: Option<u32>,
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(default, deserialize_with = "whole")]
    pending_invitation_limit: Option<u32>,
    #[schema(minimum = 1, maximum = 1000)]
    #[serde(default, deserialize_with = "whole")]
    custom_role_limit: Option<u32>,
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(default, deserialize_with = "whole")]
    group_limit: Option<u32>,
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(default, deserialize_with = "whole")]
    project_limit: Option<u32>,
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(default, deserialize_with = "whole")]
    token_limit: Option<u32>,
    /// `en`, `de`, `zh` or `ru`; `null` clears it (each person's browser decides then).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Language>)]
    default_language: Option<Option<Language>>,
}

/// A whole number, also when written as `12.0` (JSON does not tell the two apart).
fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) => {
            Ok(Some(x as u32))
        }
        Some(x) => Err(serde::de::Error::custom(format!(
            "{x} is not a whole number from 0 to {}",
            u32::MAX
        ))),
    }
}

/// A field that is present (even as `null`) becomes `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Changes the organization's settings (`org.manage`), as the settings page does.
#[utoipa::path(
    patch,
    path = "/organization",
    operation_id = "organization_update",
    tag = "organization",
    request_body = SettingsChange,
    responses((status = 200, body = OrgSettings), E400, E401, E403, E422),
)]
pub async fn update(
    State(state): State<AppState>,
    api: ApiCaller,
    Body(c): Body<SettingsChange>,
) -> ApiResult<Json<OrgSettings>> {
    let s = crate::areas::organizations::service::settings(&state, &api.caller).await?;
    let changed = OrgSettings {
        name: c.name.unwrap_or(s.name),
        invitation_lifetime_hours: c
            .invitation_lifetime_hours
            .unwrap_or(s.invitation_lifetime_hours),
        pending_invitation_limit: c
            .pending_invitation_limit
            .unwrap_or(s.pending_invitation_limit),
        custom_role_limit: c.custom_role_limit.unwrap_or(s.custom_role_limit),
        group_limit: c.group_limit.unwrap_or(s.group_limit),
        project_limit: c.project_limit.unwrap_or(s.project_limit),
        token_limit: c.token_limit.unwrap_or(s.token_limit),
        default_language: c.default_language.unwrap_or(s.default_language),
    };
    Ok(Json(
        crate::areas::organizations::service::update_settings(
            &state,
            &api.ctx,
            &api.caller,
            changed,
        )
        .await?,
    ))
}
