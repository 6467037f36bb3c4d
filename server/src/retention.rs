//! The retention task: prunes the audit log at startup and then every hour.

use std::time::Duration;

use time::OffsetDateTime;

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(3600);

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(EVERY);
        loop {
            ticker.tick().await;
            match cloudshell::audit::retention::prune(
                &state.auditor,
                state.audit_retention_days,
                OffsetDateTime::now_utc(),
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "audit retention pruned old entries"),
                Err(e) => tracing::error!(error = %e, "audit retention failed; will retry"),
            }
        }
    })
}
