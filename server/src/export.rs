//! `GET /api/audit/export?format=csv|ndjson&...filters`: streamed, never built in memory.

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cloudshell::audit::export::ExportFormat;
use cloudshell::audit::{AuditEvent, query};
use cloudshell::auth::CurrentSession;
use cloudshell::models::{AuditAction, AuditFilter, AuditOutcome};
use cloudshell::request::RequestMeta;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::state::AppState;

const CHUNK: u64 = 1000;

/// Query parameters; `actions` is comma-separated, times are RFC 3339.
#[derive(Debug, Deserialize)]
pub struct ExportParams {
    format: Option<String>,
    user: Option<String>,
    actions: Option<String>,
    ip: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    from: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    to: Option<OffsetDateTime>,
    q: Option<String>,
}

impl ExportParams {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            user: self.user.clone(),
            actions: self
                .actions
                .as_deref()
                .map(|a| a.split(',').map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default(),
            ip: self.ip.clone(),
            from: self.from,
            to: self.to,
            text: self.q.clone(),
        }
    }
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, message.to_owned()).into_response()
}

pub async fn export(
    State(state): State<AppState>,
    Extension(session): Extension<CurrentSession>,
    Extension(meta): Extension<RequestMeta>,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return bad_request("Invalid export parameters: check the time format (RFC 3339).");
    };
    let Some(format) = ExportFormat::parse(params.format.as_deref().unwrap_or("csv")) else {
        return bad_request("Unknown export format: use csv or ndjson.");
    };
    let mut filter = params.filter();
    // An operator exports their own entries only, whatever the filter asks.
    session.audit_scope(&mut filter);
    let cond = match query::condition(&filter) {
        Ok(c) => c,
        Err(e) => return bad_request(&e.to_string()),
    };
    // On disk before the first byte goes out: a kill right after cannot lose it.
    let recorded = state
        .auditor
        .record_durable(
            AuditEvent::new(
                &session.username,
                AuditAction::AuditExported,
                format!(
                    "Exported the audit log as {}",
                    format.extension().to_uppercase()
                ),
            )
            .ip(meta.client_ip)
            .outcome(AuditOutcome::Success),
        )
        .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "export not recorded; refused");
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "The export could not be recorded in the audit log. Try again shortly.",
        )
            .into_response();
    }

    let db = state.db.clone();
    // Keyset chunks, newest first; the cursor is the last id sent.
    let stream = futures_util::stream::unfold(
        (Some(format.header().to_owned()), None::<i64>, false),
        move |(header, cursor, done)| {
            let db = db.clone();
            let cond = cond.clone();
            async move {
                if let Some(h) = header {
                    return Some((
                        Ok::<_, std::io::Error>(Bytes::from(h)),
                        (None, cursor, done),
                    ));
                }
                if done {
                    return None;
                }
                match query::chunk(&db, cond, cursor, CHUNK).await {
                    Ok(entries) if entries.is_empty() => None,
                    Ok(entries) => {
                        let last = entries.last().map(|e| e.id);
                        let finished = (entries.len() as u64) < CHUNK;
                        let text: String = entries.iter().map(|e| format.row(e)).collect();
                        Some((Ok(Bytes::from(text)), (None, last, finished)))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "audit export failed mid-stream");
                        Some((
                            Err(std::io::Error::other("export failed")),
                            (None, cursor, true),
                        ))
                    }
                }
            }
        },
    );
    let filename = format!(
        "cloudshell-audit-{}.{}",
        OffsetDateTime::now_utc().date(),
        format.extension()
    );
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
