//! The workspace: the tab strip, the split view, and the bar that offers to reopen what the
//! saved layout held. The layout is loaded from the server once.

use leptos::prelude::*;

use super::panes::Panes;
use super::strip::TabStrip;
use super::tabs::{TabKind, TerminalTabs};

#[component]
pub fn Terminals(tabs: TerminalTabs) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        super::shortcuts::install(tabs);
        leptos::task::spawn_local(async move {
            if let Ok(settings) = crate::api::workspace::load_terminal_settings().await {
                tabs.settings.set(settings);
            }
            tabs.settings_loaded.set(true);
            if let Ok(Some(saved)) = crate::api::workspace::load_workspace().await {
                tabs.restore(saved);
            }
        });
    }
    // Broadcast input reaches only the sessions it was recorded for: when another one would
    // start receiving (a tab opened into a pane, a pane refilled, a box ticked again), it
    // turns off and says so.
    let toasts = crate::components::toast::use_toasts();
    Effect::new(move |_| {
        if tabs.broadcast.on.get() && tabs.broadcast.grew(&tabs.receivers()) {
            tabs.set_broadcast(false);
            toasts.error(
                "Broadcast input is off: the terminals on screen changed. Turn it on again to include them."
                    .to_owned(),
            );
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::pagehide, move |_| {
            tabs.broadcast.stop_on_leave();
        });
        on_cleanup(move || {
            tabs.broadcast.stop_on_leave();
            handle.remove();
        });
    }
    let reopening = RwSignal::new(false);
    // Opens each saved seat's device in its pane (devices deleted since are skipped).
    let reopen = move |_| {
        let Some(saved) = tabs.offer.get_untracked() else {
            return;
        };
        reopening.set(true);
        leptos::task::spawn_local(async move {
            let devices = crate::api::devices::list_devices()
                .await
                .unwrap_or_default();
            reopening.set(false);
            tabs.offer.set(None);
            for (at, seat) in saved.seats.iter().enumerate() {
                let Some(seat) = seat else { continue };
                let Some(device) = devices.iter().find(|d| d.id == seat.device_id) else {
                    continue;
                };
                let kind = match seat.kind {
                    cloudshell::models::workspace::SeatKind::Terminal => TabKind::Terminal,
                    cloudshell::models::workspace::SeatKind::Files => TabKind::Files,
                };
                let key = tabs.open_kind(kind, device.clone());
                tabs.put(at, key);
            }
        });
    };
    let offer_text = move || {
        tabs.offer.with(|o| {
            o.as_ref().map(|saved| match saved.seated() {
                1 => "Reopen 1 session".to_owned(),
                n => format!("Reopen {n} sessions"),
            })
        })
    };
    view! {
        <Show when=move || tabs.offer.with(Option::is_some)>
            <div class="reopen-bar" role="status">
                <span>"Your last layout is back, with its panes empty."</span>
                <button class="button small primary" disabled=reopening on:click=reopen>
                    {move || offer_text().unwrap_or_default()}
                </button>
                <button class="button small" on:click=move |_| tabs.offer.set(None)>"Dismiss"</button>
            </div>
        </Show>
        <div class="terminals">
            <TabStrip tabs />
            <Show
                when=move || !tabs.tabs.get().is_empty() || tabs.panes.with(|p| p.len() > 1)
                fallback=|| {
                    view! {
                        <div class="empty-state">
                            <h2>"No terminal open"</h2>
                            <p class="muted">
                                "Click a device in the sidebar to open a terminal tab, or its folder icon to browse its files."
                            </p>
                        </div>
                    }
                }
            >
                <Panes tabs />
            </Show>
        </div>
    }
}
