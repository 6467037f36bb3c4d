//! The terminal heartbeat: marks this process's live sessions as alive, and ends sessions
//! whose owner (another replica on the same PostgreSQL) stopped beating.

use std::time::Duration;

use cloudshell::terminal::Orphans;

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(30);
/// Three missed beats and a session's owner is taken to be dead.
pub const STALE_AFTER: Duration = Duration::from_secs(90);

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(EVERY);
        loop {
            ticker.tick().await;
            if let Err(e) = state.terminals.heartbeat().await {
                tracing::error!(error = %e, "terminal heartbeat failed; will retry");
            }
            match state.terminals.reap(Orphans::Stale(STALE_AFTER)).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(sessions = n, "ended terminal sessions of a dead server"),
                Err(e) => tracing::error!(error = %e, "reaping dead terminal sessions failed"),
            }
        }
    })
}
