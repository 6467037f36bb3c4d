//! `GET /api/health`: liveness plus database reachability, for humans and load balancers.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Health {
    /// "ok", or "degraded" when the database does not answer.
    pub status: &'static str,
    pub version: &'static str,
    pub uptime_seconds: u64,
    /// "ok" or "unreachable".
    pub database: &'static str,
}

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = tokio::time::timeout(Duration::from_secs(2), cloudshell::db::ping(&state.db))
        .await
        .unwrap_or(false);
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if db_ok { "ok" } else { "degraded" },
            version: env!("CARGO_PKG_VERSION"),
            uptime_seconds: state.started_at.elapsed().as_secs(),
            database: if db_ok { "ok" } else { "unreachable" },
        }),
    )
}
