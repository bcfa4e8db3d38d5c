use crate::{
    areas::audit::service::{self as audit, AuditQuery, ExportFormat},
    server::{
        AppState,
        rest::{
            extract::{ApiCaller, Params},
            problem::{ApiError, ApiResult, E401, E403, E422},
        },
    },
};
use axum::{
    Json,
    body::Body as HttpBody,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The actor's id, or their label (an email address, `token …abcd`).
    #[param(max_length = 200)]
    actor: Option<String>,
    /// An action such as `member.invited`, or a family such as `member.*`.
    #[param(max_length = 200)]
    action: Option<String>,
    /// The target's id or label.
    #[param(max_length = 200)]
    target: Option<String>,
    /// From this time, inclusive: RFC 3339 in UTC (`2026-11-24T08:00:00Z`), a date
    /// (`2026-11-24`, midnight UTC) or milliseconds since the Unix epoch.
    #[param(schema_with = crate::server::rest::schema::instant)]
    since: Option<String>,
    /// Until this time, exclusive; written as `since`.
    #[param(schema_with = crate::server::rest::schema::instant)]
    until: Option<String>,
    /// Without `format`, one page of events (`limit`, `cursor`). With `format=json` or
    /// `format=csv`, every matching event, streamed as a download.
    #[param(schema_with = crate::server::rest::schema::audit_format)]
    format: Option<String>,
    /// 1 to 100; 50 unless given (pages only).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    cursor: Option<String>,
}

/// The audit log, newest first: one page, or (with `format`) an export of every matching event.
#[utoipa::path(
    get,
    path = "/audit",
    operation_id = "audit_list",
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, description = "A page of events, or the export", content(
            (crate::server::rest::schema::AuditAnswer = "application/json"),
            (String = "text/csv"),
        )),
        E401, E403, E422,
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiCaller,
    Params(p): Params<AuditParams>,
) -> ApiResult<Response> {
    let query = AuditQuery {
        actor: p.actor,
        action: p.action,
        target: p.target,
        since: p.since,
        until: p.until,
        limit: p.limit,
        cursor: p.cursor,
    };
    let format = match p.format.as_deref() {
        None | Some("") => {
            return Ok(Json(audit::list(&state, &api.caller, &query).await?).into_response());
        }
        Some("json") => ExportFormat::Json,
        Some("csv") => ExportFormat::Csv,
        Some(other) => {
            return Err(ApiError(crate::error::AppError::field_worded(
                "format",
                crate::error::Wording::new("field_export_format").with("value", other),
            )));
        }
    };
    let chunks = audit::export(&state, &api.caller, &query, format).await?;
    let (content_type, file) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "audit.csv"),
        ExportFormat::Json => ("application/json", "audit.json"),
    };
    // A failure mid-stream can no longer change the status: it ends the body early, which the
    // client sees as a broken download rather than a complete file.
    let body = HttpBody::from_stream(chunks.map(|c| c.map_err(std::io::Error::other)));
    let mut res = body.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
