//! An organization's settings.

use super::{
    Database,
    audit::insert_audit,
    db::{Ids, query},
    db_error,
};
use app::{
    areas::{
        accounts::types::Language, audit::event::AuditEvent, organizations::types::OrgSettings,
    },
    core::ids::OrgId,
    policy::Authorized,
    server::store::{SettingsStore, StoreError, StoreResult},
};
use async_trait::async_trait;

/// An organization's settings as `org_settings` reads them.
#[derive(sqlx::FromRow)]
struct SettingsRow {
    name: String,
    lifetime: i64,
    pending_limit: i64,
    custom_role_limit: i64,
    group_limit: i64,
    project_limit: i64,
    token_limit: i64,
    default_language: Option<String>,
}

#[async_trait]
impl SettingsStore for Database {
    async fn org_settings(&self, org: OrgId) -> StoreResult<OrgSettings> {
        let r = query(
            "SELECT name, CAST(invitation_lifetime_hours AS BIGINT) AS lifetime, \
                    CAST(pending_invitation_limit AS BIGINT) AS pending_limit, \
                    CAST(custom_role_limit AS BIGINT) AS custom_role_limit, \
                    CAST(group_limit AS BIGINT) AS group_limit, \
                    CAST(project_limit AS BIGINT) AS project_limit, \
                    CAST(token_limit AS BIGINT) AS token_limit, default_language \
             FROM organizations WHERE id = $1",
        )
        .bind(Ids::bind(org.0))
        .fetch_optional(self.read_pool())
        .await
        .map_err(db_error)?
        .ok_or(StoreError::NotFound)?;
        let s: SettingsRow = r.decode()?;
        let number = |n: i64, default: u32| u32::try_from(n).unwrap_or(default);
        Ok(OrgSettings {
            name: s.name,
            invitation_lifetime_hours: number(s.lifetime, OrgSettings::DEFAULT_LIFETIME_HOURS),
            pending_invitation_limit: number(s.pending_limit, OrgSettings::DEFAULT_PENDING_LIMIT),
            custom_role_limit: number(s.custom_role_limit, OrgSettings::DEFAULT_CUSTOM_ROLE_LIMIT),
            group_limit: number(s.group_limit, OrgSettings::DEFAULT_GROUP_LIMIT),
            project_limit: number(s.project_limit, OrgSettings::DEFAULT_PROJECT_LIMIT),
            token_limit: number(s.token_limit, OrgSettings::DEFAULT_TOKEN_LIMIT),
            default_language: s.default_language.as_deref().and_then(Language::parse),
        })
    }

    async fn update_org_settings(
        &self,
        auth: &Authorized,
        settings: &OrgSettings,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let org = auth.org();
        let mut tx = self.write_tx().await?;
        let n = query(
            "UPDATE organizations SET name = $2, invitation_lifetime_hours = $3, pending_invitation_limit = $4, \
                    custom_role_limit = $5, group_limit = $6, project_limit = $7, token_limit = $8, \
                    default_language = $9 \
             WHERE id = $1",
        )
        .bind(Ids::bind(org.0))
        .bind(&settings.name)
        .bind(i64::from(settings.invitation_lifetime_hours))
        .bind(i64::from(settings.pending_invitation_limit))
        .bind(i64::from(settings.custom_role_limit))
        .bind(i64::from(settings.group_limit))
        .bind(i64::from(settings.project_limit))
        .bind(i64::from(settings.token_limit))
        .bind(settings.default_language.map(Language::as_str))
        .execute(&mut tx)
        .await
        .map_err(db_error)?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(db_error)
    }
}
