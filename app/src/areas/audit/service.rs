//! Reading and exporting the audit log (`audit.read`). The events themselves are in
//! `audit_event`.

pub use crate::areas::audit::event::{AuditActor, AuditEvent, AuditTarget};
use crate::{
    error::{AppError, Wording},
    policy::Permission,
    server::{
        AppState,
        caller::Caller,
        store::{AuditAction, AuditFilter, AuditKey},
    },
};
use serde::{Deserialize, Serialize};

// ---- reading and exporting -----------------------------------------------------------------

/// An audit query as typed: every part optional, checked by [`filter`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// The actor's id or label (an email, `token …abcd`).
    pub actor: Option<String>,
    /// An action (`member.invited`), or a family of them (`member.*`).
    pub action: Option<String>,
    /// The target's id or label.
    pub target: Option<String>,
    /// RFC 3339 time (or date), or milliseconds since the Unix epoch; inclusive.
    pub since: Option<String>,
    /// RFC 3339 time (or date), or milliseconds since the Unix epoch; exclusive.
    pub until: Option<String>,
    /// At most 100; 50 unless given.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of audit events, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditListing {
    pub items: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
    pub total: i64,
}

/// A time given as RFC 3339 (`2026-11-24T08:00:00Z`), a date (`2026-11-24`, midnight UTC) or
/// milliseconds since the Unix epoch.
fn time_of(text: &str) -> Result<i64, Wording> {
    let t = text.trim();
    if let Ok(ms) = t.parse::<i64>() {
        return Ok(ms);
    }
    let full = if t.len() == 10 {
        format!("{t}T00:00:00Z")
    } else {
        t.to_string()
    };
    humantime::parse_rfc3339_weak(&full)
        .ok()
        .and_then(|st| st.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .ok_or_else(|| Wording::new("field_not_time").with("value", t))
}

fn encode_cursor(k: &AuditKey) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    URL_SAFE_NO_PAD.encode(format!("{}\n{}", k.at, k.id))
}

fn decode_cursor(cursor: &str) -> Result<AuditKey, AppError> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bad = crate::server::rest::paging::invalid_cursor;
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = text.split_once('\n').ok_or_else(bad)?;
    Ok(AuditKey {
        at: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a query and turns it into a store filter.
fn filter(query: &AuditQuery) -> Result<AuditFilter, AppError> {
    let mut errors = Vec::new();
    let mut text = |field: &'static str, v: &Option<String>| match nonempty(v) {
        Some(s) if s.chars().count() > 200 => {
            errors.push((
                field,
                Wording::new("field_text_long")
                    .with("field", field)
                    .with("max", 200),
            ));
            None
        }
        other => other.map(str::to_string),
    };
    let actor = text("actor", &query.actor);
    let target = text("target", &query.target);
    let action = text("action", &query.action).map(|a| match a.strip_suffix('*') {
        Some(prefix) => AuditAction::Prefix(prefix.to_string()),
        None => AuditAction::Exact(a),
    });
    let mut time = |field: &'static str, v: &Option<String>| match nonempty(v) {
        None => None,
        Some(t) => match time_of(t) {
            Ok(ms) => Some(ms),
            Err(w) => {
                errors.push((field, w));
                None
            }
        },
    };
    let since = time("since", &query.since);
    let until = time("until", &query.until);
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        errors.push(("limit", Wording::new("field_limit_range")));
    }
    let after = match nonempty(&query.cursor).map(decode_cursor).transpose() {
        Ok(k) => k,
        Err(_) => {
            errors.push(("cursor", Wording::new("field_cursor_stale")));
            None
        }
    };
    AppError::fields(errors)?;
    Ok(AuditFilter {
        actor,
        action,
        target,
        since,
        until,
        after,
        limit,
    })
}

/// One page of the organization's audit events (`audit.read`).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: &AuditQuery,
) -> Result<AuditListing, AppError> {
    let auth = caller.require(Permission::AuditRead)?;
    let filter = filter(query)?;
    let page = state.store.audit_page(auth.org(), &filter, true).await?;
    Ok(AuditListing {
        items: page.events,
        next_cursor: page.next.as_ref().map(encode_cursor),
        total: page.total,
    })
}

/// The shape of a streamed export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    /// One JSON array of events.
    Json,
}

const EXPORT_COLUMNS: [&str; 12] = [
    "id",
    "time",
    "actor_kind",
    "actor_id",
    "actor",
    "action",
    "target_kind",
    "target_id",
    "target",
    "before",
    "after",
    "client_addr",
];

/// A cell a spreadsheet will not run as a formula (OWASP "CSV injection"): text beginning with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets show as
/// text. Every CSV the product writes passes its cells through this.
pub fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_rows(events: &[AuditEvent], header: bool) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal(&e);
    if header {
        w.write_record(EXPORT_COLUMNS).map_err(fail)?;
    }
    for e in events {
        let json =
            |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        w.write_record(
            [
                e.id.to_string(),
                crate::core::time::rfc3339(e.at),
                e.actor.kind.clone(),
                e.actor.id.clone().unwrap_or_default(),
                e.actor.label.clone(),
                e.action.clone(),
                e.target.kind.clone(),
                e.target.id.clone().unwrap_or_default(),
                e.target.label.clone(),
                json(&e.before),
                json(&e.after),
                e.client_addr.clone().unwrap_or_default(),
            ]
            .map(spreadsheet_safe),
        )
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::internal(e.error()))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(&e))
}

fn json_rows(events: &[AuditEvent], first: bool) -> Result<String, AppError> {
    let mut out = String::new();
    for (i, e) in events.iter().enumerate() {
        if !(first && i == 0) {
            out.push_str(",\n");
        }
        out.push_str(&serde_json::to_string(e).map_err(|e| AppError::internal(&e))?);
    }
    Ok(out)
}

/// Events per database read while exporting.
const EXPORT_PAGE: u32 = 500;

/// Every event matching the query (`audit.read`), oldest page last, as a stream of text chunks
/// read from the database a page at a time, so an export of any size holds one page in memory.
/// The query is checked before the stream starts; `limit` and `cursor` do not apply.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    query: &AuditQuery,
    format: ExportFormat,
) -> Result<impl futures_util::Stream<Item = Result<String, AppError>> + Send + 'static, AppError> {
    let auth = caller.require(Permission::AuditRead)?;
    let mut filter = filter(&AuditQuery {
        limit: None,
        cursor: None,
        ..query.clone()
    })?;
    filter.limit = EXPORT_PAGE;
    let org = auth.org();
    let store = state.store.clone();
    enum Step {
        Start,
        Next(AuditFilter, bool),
        Close,
        Done,
    }
    use futures_util::StreamExt;
    Ok(futures_util::stream::unfold(Step::Start, move |step| {
        let store = store.clone();
        let base = filter.clone();
        async move {
            let (f, first) = match step {
                Step::Done => return None,
                Step::Close => {
                    return match format {
                        ExportFormat::Json => Some((Ok("\n]\n".to_string()), Step::Done)),
                        ExportFormat::Csv => None,
                    };
                }
                Step::Start => (base, true),
                Step::Next(f, first) => (f, first),
            };
            let page = match store.audit_page(org, &f, false).await {
                Ok(p) => p,
                Err(e) => return Some((Err(e.into()), Step::Done)),
            };
            let chunk = match format {
                ExportFormat::Csv => csv_rows(&page.events, first),
                ExportFormat::Json => json_rows(&page.events, first)
                    .map(|rows| if first { format!("[\n{rows}") } else { rows }),
            };
            let wrote_any = !page.events.is_empty();
            let next = match page.next {
                Some(k) => Step::Next(
                    AuditFilter {
                        after: Some(k),
                        ..f
                    },
                    first && !wrote_any,
                ),
                None => Step::Close,
            };
            Some((chunk, next))
        }
    })
    // Ends for good: a response body may be polled again after its end (compression does).
    .fuse())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(spreadsheet_safe(formula.into()), format!("'{formula}"));
        }
        for plain in ["CI deploys", "ada@example.com", "", "1=1", "{\"a\":1}"] {
            assert_eq!(spreadsheet_safe(plain.into()), plain);
        }
    }

    #[test]
    fn times_parse_as_rfc3339_dates_or_milliseconds() {
        assert_eq!(time_of("1970-01-02"), Ok(86_400_000));
        assert_eq!(time_of("1970-01-01T00:00:01Z"), Ok(1_000));
        assert_eq!(time_of("1795370520000"), Ok(1_795_370_520_000));
        let e = time_of("yesterday").expect_err("refused");
        assert_eq!(e.code, "field_not_time");
    }

    #[test]
    fn queries_become_filters_and_bad_parts_are_field_errors() {
        let f = filter(&AuditQuery {
            action: Some("member.*".into()),
            actor: Some(" ada@example.com ".into()),
            ..AuditQuery::default()
        })
        .expect("valid");
        assert_eq!(f.action, Some(AuditAction::Prefix("member.".into())));
        assert_eq!(f.actor.as_deref(), Some("ada@example.com"));
        assert_eq!(f.limit, 50);
        let e = filter(&AuditQuery {
            limit: Some(101),
            since: Some("soon".into()),
            cursor: Some("!!".into()),
            ..AuditQuery::default()
        })
        .expect_err("refused");
        for field in ["limit", "since", "cursor"] {
            assert!(e.field_message(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn cursors_round_trip() {
        let k = AuditKey {
            at: 1_795_370_520_000,
            id: crate::core::ids::AuditEventId(uuid::Uuid::from_u128(9)),
        };
        assert_eq!(decode_cursor(&encode_cursor(&k)), Ok(k));
    }
}
