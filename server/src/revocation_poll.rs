//! Applies terminal revocations published by any replica (logout, password change) to the
//! sessions this server holds, within `POLL_EVERY`; and clears old ones now and then.

use cloudshell::terminal::revocations::POLL_EVERY;

use crate::state::AppState;

/// Polls between cleanups of old revocations.
const CLEAN_EVERY_POLLS: u32 = 600;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(POLL_EVERY);
        let mut polls = 0u32;
        let mut failing = false;
        loop {
            ticker.tick().await;
            match state.revocations.poll(&state.terminals).await {
                Ok(_) => failing = false,
                Err(e) if !failing => {
                    failing = true;
                    tracing::error!(error = %e, "reading terminal revocations failed; will retry");
                }
                Err(_) => {}
            }
            polls = polls.wrapping_add(1);
            if polls.is_multiple_of(CLEAN_EVERY_POLLS)
                && let Err(e) = state.revocations.clean().await
            {
                tracing::error!(error = %e, "clearing old terminal revocations failed");
            }
        }
    })
}
