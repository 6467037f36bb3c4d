use std::time::Duration;

use cloudshell::format::{BadgeLevel, countdown, utc_timestamp};
use leptos::prelude::*;
use time::OffsetDateTime;

use super::toast::use_toasts;
use crate::api::auth::{keep_alive, me};
use crate::nav::go_to;

/// How often the badge asks the server for the current expiry (activity elsewhere extends it).
const RESYNC_EVERY: Duration = Duration::from_secs(60);

fn seconds_until(t: OffsetDateTime) -> i64 {
    (t - OffsetDateTime::now_utc()).whole_seconds()
}

/// Live countdown to the web session's expiry: yellow under 30 minutes, red under 5, when a
/// banner also warns. Clicking it shows who is signed in and until when.
#[component]
pub fn SessionBadge(expires_at: OffsetDateTime, username: String) -> impl IntoView {
    let expires = RwSignal::new(expires_at);
    let remaining = RwSignal::new(seconds_until(expires_at));
    let open = RwSignal::new(false);
    let extending = RwSignal::new(false);
    let toasts = use_toasts();

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

    // Esc closes the popover wherever the focus is (its button may have just been disabled).
    let escape = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" {
            open.set(false);
        }
    });
    on_cleanup(move || escape.remove());

    let extend = move |_| {
        extending.set(true);
        leptos::task::spawn_local(async move {
            let result = keep_alive().await;
            extending.set(false);
            match result {
                Ok(info) => {
                    expires.set(info.expires_at);
                    remaining.set(seconds_until(info.expires_at));
                    toasts.success(format!(
                        "Session extended until {}",
                        utc_timestamp(info.expires_at)
                    ));
                }
                Err(crate::error::AppError::Unauthorized) => go_to("/login"),
                Err(e) => toasts.error(format!("The session was not extended: {e}")),
            }
        });
    };

    let expiry_text = move || utc_timestamp(expires.get());
    let warning = move || {
        let left = remaining.get();
        left > 0 && BadgeLevel::for_remaining(left) == BadgeLevel::Danger
    };
    let stay_button = move || {
        view! {
            <button class="button small primary" disabled=extending on:click=extend>
                "Stay signed in"
            </button>
        }
    };

    view! {
        <div class="badge-wrap">
            <button
                class=move || format!("{} badge-button", BadgeLevel::for_remaining(remaining.get()).css_class())
                title=move || format!("Session expires at {}", expiry_text())
                aria-label=move || format!("Session time left {}; show details", countdown(remaining.get()))
                aria-expanded=move || open.get().to_string()
                aria-haspopup="dialog"
                data-testid="session-badge"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <svg class="badge-icon" viewBox="0 0 24 24" width="12" height="12" aria-hidden="true">
                    <circle cx="12" cy="13" r="8" fill="none" stroke="currentColor" stroke-width="2.5" />
                    <path d="M12 9v4l2.5 2.5M9 2h6" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
                </svg>
                " "
                {move || countdown(remaining.get())}
            </button>
            <Show when=move || open.get()>
                <div class="popover" role="dialog" aria-label="Session" data-testid="session-popover">
                    <p>"Signed in as " <strong>{username.clone()}</strong></p>
                    <p>"Session expires at " <time>{expiry_text}</time></p>
                    <p class="muted small">
                        "Any action in CloudShell extends it; an idle page does not."
                    </p>
                    {stay_button}
                </div>
            </Show>
        </div>
        <Show when=warning>
            <div class="expiry-warning" role="alert" data-testid="expiry-warning">
                <span>
                    "Your session ends in " {move || countdown(remaining.get())}
                    ". Open terminals close with it."
                </span>
                {stay_button}
            </div>
        </Show>
    }
}
