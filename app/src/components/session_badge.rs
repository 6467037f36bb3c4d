use std::time::Duration;

use cloudshell::format::{BadgeLevel, countdown, utc_timestamp};
use leptos::prelude::*;
use time::OffsetDateTime;

use crate::api::auth::me;
use crate::nav::go_to;

/// How often the badge asks the server for the current expiry (activity elsewhere extends it).
const RESYNC_EVERY: Duration = Duration::from_secs(60);

fn seconds_until(t: OffsetDateTime) -> i64 {
    (t - OffsetDateTime::now_utc()).whole_seconds()
}

/// Live countdown to the web session's expiry: yellow under 30 minutes, red under 5.
#[component]
pub fn SessionBadge(expires_at: OffsetDateTime) -> impl IntoView {
    let expires = RwSignal::new(expires_at);
    let remaining = RwSignal::new(seconds_until(expires_at));

    // Browser only: tick every second, resync every minute, leave when the session is over.
    Effect::new(move |_| {
        let tick = set_interval_with_handle(
            move || {
                let left = seconds_until(expires.get_untracked());
                remaining.set(left);
                if left <= 0 {
                    go_to("/login");
                }
            },
            Duration::from_secs(1),
        );
        let resync = set_interval_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    match me().await {
                        Ok(info) => expires.set(info.expires_at),
                        Err(crate::error::AppError::Unauthorized) => go_to("/login"),
                        Err(_) => {}
                    }
                });
            },
            RESYNC_EVERY,
        );
        on_cleanup(move || {
            if let Ok(h) = tick {
                h.clear();
            }
            if let Ok(h) = resync {
                h.clear();
            }
        });
    });

    let expiry_title = move || format!("Session expires at {}", utc_timestamp(expires.get()));

    view! {
        <span
            class=move || BadgeLevel::for_remaining(remaining.get()).css_class()
            title=expiry_title
            aria-label="Session time left"
            data-testid="session-badge"
        >
            <svg class="badge-icon" viewBox="0 0 24 24" width="12" height="12" aria-hidden="true">
                <circle cx="12" cy="13" r="8" fill="none" stroke="currentColor" stroke-width="2.5" />
                <path d="M12 9v4l2.5 2.5M9 2h6" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
            </svg>
            " "
            {move || countdown(remaining.get())}
        </span>
    }
}
