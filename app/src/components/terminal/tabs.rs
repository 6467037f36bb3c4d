use cloudshell::models::DeviceView;
use leptos::prelude::*;

use super::pane::TerminalPane;
use super::shortcuts;
use crate::components::copy_button::CopyButton;
use crate::components::files::FileManager;
use crate::components::toast::use_toasts;

/// A tab's connection state, shown as its badge. (Only the browser build sets the others.)
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabStatus {
    Connecting,
    Connected,
    Disconnected,
    Error,
}

impl TabStatus {
    pub fn label(self) -> &'static str {
        match self {
            TabStatus::Connecting => "Connecting",
            TabStatus::Connected => "Connected",
            TabStatus::Disconnected => "Disconnected",
            TabStatus::Error => "Error",
        }
    }

    fn class(self) -> &'static str {
        match self {
            TabStatus::Connecting => "badge badge-warn",
            TabStatus::Connected => "badge badge-ok",
            TabStatus::Disconnected => "badge",
            TabStatus::Error => "badge badge-danger",
        }
    }
}

/// What a tab shows: a terminal, or the device's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabKind {
    Terminal,
    Files,
}

#[derive(Clone)]
struct Tab {
    key: u64,
    kind: TabKind,
    device: DeviceView,
    status: RwSignal<TabStatus>,
    /// Bumped by Reconnect: the pane is rebuilt with a new WebSocket.
    generation: RwSignal<u32>,
}

/// The open tabs, shared through context so the sidebar can open one.
#[derive(Clone, Copy)]
pub struct TerminalTabs {
    tabs: RwSignal<Vec<Tab>>,
    active: RwSignal<Option<u64>>,
    next: StoredValue<u64>,
}

impl TerminalTabs {
    pub fn new() -> Self {
        Self {
            tabs: RwSignal::new(Vec::new()),
            active: RwSignal::new(None),
            next: StoredValue::new(1),
        }
    }

    /// Opens a new terminal tab to `device` (several to the same device are fine) and shows it.
    pub fn open(self, device: DeviceView) {
        self.open_kind(TabKind::Terminal, device);
    }

    /// Opens the device's files in a new tab and shows it.
    pub fn open_files(self, device: DeviceView) {
        self.open_kind(TabKind::Files, device);
    }

    fn open_kind(self, kind: TabKind, device: DeviceView) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        self.tabs.update(|tabs| {
            tabs.push(Tab {
                key,
                kind,
                device,
                status: RwSignal::new(TabStatus::Connecting),
                generation: RwSignal::new(0),
            })
        });
        self.active.set(Some(key));
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn active_key(self) -> Option<u64> {
        self.active.get_untracked()
    }

    /// Moves to the tab `by` places away, wrapping around the ends.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn step(self, by: isize) {
        let keys: Vec<u64> = self
            .tabs
            .with_untracked(|t| t.iter().map(|t| t.key).collect());
        let Some(len) = isize::try_from(keys.len()).ok().filter(|&n| n > 0) else {
            return;
        };
        let at = self
            .active_key()
            .and_then(|k| keys.iter().position(|&x| x == k))
            .and_then(|i| isize::try_from(i).ok())
            .unwrap_or(0);
        let next = usize::try_from((at + by).rem_euclid(len)).unwrap_or(0);
        self.active.set(keys.get(next).copied());
    }

    /// Closes a tab; its pane's cleanup closes the WebSocket at once.
    pub fn close(self, key: u64) {
        let mut next_active = None;
        self.tabs.update(|tabs| {
            if let Some(i) = tabs.iter().position(|t| t.key == key) {
                tabs.remove(i);
                next_active = tabs.get(i.min(tabs.len().saturating_sub(1))).map(|t| t.key);
            }
        });
        if self.active.get_untracked() == Some(key) {
            self.active.set(next_active);
        }
    }
}

impl Default for TerminalTabs {
    fn default() -> Self {
        Self::new()
    }
}

/// The workspace: the tab strip and the terminal panes (all mounted, one shown).
#[component]
pub fn Terminals(tabs: TerminalTabs) -> impl IntoView {
    let toasts = use_toasts();
    #[cfg(feature = "hydrate")]
    shortcuts::install(tabs);
    let tab_button = move |tab: Tab| {
        let key = tab.key;
        let name = tab.device.name.clone();
        let target = tab.device.target();
        let files = tab.kind == TabKind::Files;
        let status = tab.status;
        let selected = move || tabs.active.get() == Some(key);
        // The terminal says why in full; the toast makes sure a hidden tab's failure is seen.
        let failed_name = name.clone();
        Effect::new(move |before: Option<TabStatus>| {
            let now = status.get();
            if now == TabStatus::Error && before != Some(TabStatus::Error) {
                toasts.error(format!(
                    "{failed_name}: the connection failed; its tab says why"
                ));
            }
            now
        });
        view! {
            <div
                class="tab"
                class:active=selected
                role="tab"
                aria-selected=move || selected().to_string()
                tabindex="0"
                data-device=name.clone()
                data-kind=if files { "files" } else { "terminal" }
                on:click=move |_| tabs.active.set(Some(key))
                on:keydown=move |e| {
                    if e.target() == e.current_target() && matches!(e.key().as_str(), "Enter" | " ") {
                        e.prevent_default();
                        tabs.active.set(Some(key));
                    }
                }
            >
                <Show when=move || files>
                    <span class="tab-kind" title="Files" aria-label="Files">
                        {crate::components::files::folder_icon()}
                    </span>
                </Show>
                <span class="tab-name">{name.clone()}</span>
                <span class="tab-target mono muted">{target.clone()}</span>
                <span class=move || status.get().class()>{move || status.get().label()}</span>
                <CopyButton text=Signal::stored(target.clone()) label="Copy user@host:port" />
                <button
                    class="icon-button small"
                    aria-label=format!("Reconnect {name}")
                    title="Reconnect"
                    on:click=move |e| {
                        e.stop_propagation();
                        status.set(TabStatus::Connecting);
                        tab.generation.update(|g| *g += 1);
                    }
                >
                    "↻"
                </button>
                <button
                    class="icon-button small"
                    aria-label=format!("Close {name}")
                    title="Close tab"
                    on:click=move |e| {
                        e.stop_propagation();
                        tabs.close(key);
                    }
                >
                    "✕"
                </button>
            </div>
        }
    };
    view! {
        <Show
            when=move || !tabs.tabs.get().is_empty()
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
            <div class="terminals">
                <div class="tab-strip" role="tablist" aria-label="Terminals" title=shortcuts::HELP>
                    <For each=move || tabs.tabs.get() key=|t| t.key children=tab_button />
                </div>
                <div class="panes">
                    <For
                        each=move || tabs.tabs.get()
                        key=|t| t.key
                        children=move |tab: Tab| {
                            let key = tab.key;
                            let active = Signal::derive(move || tabs.active.get() == Some(key));
                            view! {
                                <div class="pane" class:hidden=move || !active.get() role="tabpanel">
                                    {move || {
                                        tab.generation.get();
                                        match tab.kind {
                                            TabKind::Terminal => {
                                                view! {
                                                    <TerminalPane device_id=tab.device.id status=tab.status active />
                                                }
                                                    .into_any()
                                            }
                                            TabKind::Files => {
                                                view! {
                                                    <FileManager device=tab.device.clone() status=tab.status active />
                                                }
                                                    .into_any()
                                            }
                                        }
                                    }}
                                </div>
                            }
                        }
                    />
                </div>
            </div>
        </Show>
    }
}
