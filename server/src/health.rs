//! `GET /api/health`: liveness plus database reachability, for load balancers and admins.
//! Anonymous callers get only `{"status": "ok" | "degraded"}`; the version, uptime and the
//! database and audit details need a session.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use cloudshell::auth::CurrentSession;
use serde::Serialize;

use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Health {
    /// "ok", or "degraded" when the database does not answer.
    pub status: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub details: Option<HealthDetails>,
}

#[derive(Debug, Serialize)]
pub struct HealthDetails {
    pub version: &'static str,
    pub uptime_seconds: u64,
    /// "ok" or "unreachable".
    pub database: &'static str,
    pub audit: AuditStatus,
}

#[derive(Debug, Serialize)]
pub struct AuditStatus {
    /// "ok", or "retrying" while writes fail (events are kept and retried, not dropped).
    pub status: &'static str,
    /// Events accepted but not yet on disk.
    pub pending: u64,
}

pub async fn health(
    State(state): State<AppState>,
    session: Option<Extension<CurrentSession>>,
) -> (StatusCode, Json<Health>) {
    let db_ok = tokio::time::timeout(Duration::from_secs(2), cloudshell::db::ping(&state.db))
        .await
        .unwrap_or(false);
    let audit = state.auditor.health();
    let healthy = db_ok && !audit.failing;
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if healthy { "ok" } else { "degraded" },
            details: session.map(|_| HealthDetails {
                version: env!("CARGO_PKG_VERSION"),
                uptime_seconds: state.started_at.elapsed().as_secs(),
                database: if db_ok { "ok" } else { "unreachable" },
                audit: AuditStatus {
                    status: if audit.failing { "retrying" } else { "ok" },
                    pending: audit.pending,
                },
            }),
        }),
    )
}
