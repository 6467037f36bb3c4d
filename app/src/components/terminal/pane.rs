use leptos::prelude::*;

use super::tabs::{TabStatus, TerminalTabs};

/// One terminal: xterm.js in the browser, attached to `/ws/terminal/{device_id}`. Unmounting
/// it (closing the tab, reconnecting) closes its WebSocket.
#[component]
pub fn TerminalPane(
    device_id: i64,
    status: RwSignal<TabStatus>,
    active: Signal<bool>,
    /// The tab it belongs to, and the tabs (for broadcast input).
    key: u64,
    tabs: TerminalTabs,
    /// Reconnects after an unexpected drop.
    retry: super::retry::Retry,
) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    let search = super::search::SearchState::new();
    #[cfg(feature = "hydrate")]
    let live = StoredValue::new_local(None::<super::xterm::LiveTerminal>);
    #[cfg(feature = "hydrate")]
    let on_search = Callback::new(move |request: super::search::SearchRequest| {
        live.with_value(|l| {
            if let Some(l) = l {
                l.search(&request);
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let on_search = Callback::new(|_: super::search::SearchRequest| {});
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            if let Some(el) = host.get()
                && live.with_value(|l| l.is_none())
            {
                status.set(TabStatus::Connecting);
                live.set_value(super::xterm::LiveTerminal::start(
                    el.into(),
                    device_id,
                    status,
                    (key, tabs),
                    retry,
                    search,
                ));
            }
        });
        // Settings changes (and their live preview) reach the running terminal, which
        // started with the settings of its time.
        Effect::new(
            move |before: Option<cloudshell::models::terminal_settings::TerminalSettings>| {
                let now = tabs.settings.get();
                if let Some(before) = before
                    && before != now
                {
                    live.with_value(|l| {
                        if let Some(l) = l {
                            l.apply(&before, &now);
                        }
                    });
                }
                now
            },
        );
        // A pane that becomes visible takes its size from the panel and the keyboard focus.
        Effect::new(move |_| {
            if active.get() {
                live.with_value(|l| {
                    if let Some(l) = l {
                        l.refit_and_focus();
                    }
                });
            }
        });
        on_cleanup(move || {
            tabs.broadcast.unregister(key);
            live.update_value(|l| {
                if let Some(l) = l.take() {
                    l.close();
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (device_id, status, active, key, tabs, retry);
    view! {
        <div class="terminal-host" node_ref=host></div>
        <Show when=move || search.open.get()>
            <super::search::SearchBar state=search on_request=on_search />
        </Show>
    }
}
