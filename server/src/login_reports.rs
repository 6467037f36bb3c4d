//! Records the login throttle's block summaries: one LOGIN_BLOCKED per block that refused
//! attempts, written after it ends. The refusals themselves never touch the database.

use std::time::Duration;

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(15);

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(EVERY);
        loop {
            ticker.tick().await;
            state.auth.report_blocks().await;
        }
    })
}
