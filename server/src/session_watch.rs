//! Terminals live no longer than the web session they were opened from: every
//! `CHECK_EVERY` the web sessions of live terminals are looked up, terminals whose session
//! expired or was revoked end ("web session ended"), and sessions whose terminals had input
//! slide their expiry forward, as any request would (at most once a minute each). Sessions
//! whose user may no longer use their device (groups or role changed, account disabled or
//! deleted) end too ("access revoked"): access is checked when a session opens and then
//! here, so a grant taken away ends what it gave within `CHECK_EVERY`.

use std::time::Duration;

use crate::state::AppState;

pub const CHECK_EVERY: Duration = Duration::from_secs(2);

/// One check; returns how many terminals it ended.
pub async fn check_once(state: &AppState) -> Result<usize, sea_orm::DbErr> {
    let (in_use, typed) = state.terminals.web_sessions_in_use();
    if in_use.is_empty() {
        return Ok(0);
    }
    let live = state.auth.live_web_sessions(&in_use, &typed).await?;
    let ended: Vec<i64> = in_use.into_iter().filter(|id| !live.contains(id)).collect();
    let mut stopped = state.terminals.stop_web_sessions(&ended);
    let revoked = state
        .permissions
        .revoked(&state.terminals.devices_in_use())
        .await?;
    for (username, device, reason) in revoked {
        stopped += state.terminals.stop_user_device(&username, device, reason);
    }
    Ok(stopped)
}

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(CHECK_EVERY);
        let mut failing = false;
        loop {
            ticker.tick().await;
            match check_once(&state).await {
                Ok(_) => failing = false,
                Err(e) if !failing => {
                    failing = true;
                    tracing::error!(error = %e, "checking terminals' web sessions failed; will retry");
                }
                Err(_) => {}
            }
        }
    })
}
