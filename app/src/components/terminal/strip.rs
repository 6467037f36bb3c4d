//! The tab strip: one compact tab per open terminal or file manager (draggable onto a pane),
//! and the layout picker.

use leptos::prelude::*;

use super::shortcuts;
use super::tabs::{Tab, TabKind, TabStatus, TerminalTabs};
use crate::components::copy_button::CopyButton;
use crate::components::toast::use_toasts;

/// The presets: rows × columns.
const PRESETS: [(u8, u8, &str); 4] = [(1, 1, "1"), (1, 2, "1×2"), (2, 1, "2×1"), (2, 2, "2×2")];

#[component]
pub fn LayoutPicker(tabs: TerminalTabs) -> impl IntoView {
    let rows = RwSignal::new(String::from("3"));
    let cols = RwSignal::new(String::from("3"));
    let error = RwSignal::new(None::<String>);
    let current = move || tabs.layout.with(|l| (l.rows, l.cols));
    let apply = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let parse = |s: RwSignal<String>| s.get_untracked().trim().parse::<u8>().unwrap_or(0);
        match tabs.set_grid(parse(rows), parse(cols)) {
            Ok(()) => error.set(None),
            Err(why) => error.set(Some(why)),
        }
    };
    view! {
        <div class="layout-picker" role="group" aria-label="Layout">
            {PRESETS
                .into_iter()
                .map(|(r, c, label)| {
                    view! {
                        <button
                            class="button small"
                            class:active=move || current() == (r, c)
                            aria-label=format!("Layout {label}")
                            aria-pressed=move || (current() == (r, c)).to_string()
                            title=format!("{label} panes")
                            on:click=move |_| {
                                let _ = tabs.set_grid(r, c);
                                error.set(None);
                            }
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
            <form class="custom-grid" novalidate on:submit=apply>
                <input
                    type="number"
                    min="1"
                    max="4"
                    aria-label="Rows"
                    prop:value=move || rows.get()
                    on:input=move |e| rows.set(event_target_value(&e))
                />
                "×"
                <input
                    type="number"
                    min="1"
                    max="4"
                    aria-label="Columns"
                    prop:value=move || cols.get()
                    on:input=move |e| cols.set(event_target_value(&e))
                />
                <button class="button small" type="submit">"Apply grid"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <span class="field-error" role="alert">{move || error.get()}</span>
            </Show>
        </div>
    }
}

#[component]
pub fn TabStrip(tabs: TerminalTabs) -> impl IntoView {
    let toasts = use_toasts();
    let tab_button = move |tab: Tab| {
        let key = tab.key;
        let name = tab.device.name.clone();
        let target = tab.device.target();
        let files = tab.kind == TabKind::Files;
        let status = tab.status;
        let selected = move || {
            tabs.panes
                .with(|p| p.get(tabs.focused.get()).copied().flatten())
                == Some(key)
        };
        let on_screen = move || tabs.panes.with(|p| p.contains(&Some(key)));
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
                class:on-screen=on_screen
                role="tab"
                aria-selected=move || selected().to_string()
                tabindex="0"
                draggable="true"
                data-device=name.clone()
                data-kind=if files { "files" } else { "terminal" }
                title=format!("{name} · {target} · drag onto a pane to show it there")
                on:click=move |_| tabs.show(key)
                on:dragstart=move |e: leptos::ev::DragEvent| {
                    if let Some(data) = e.data_transfer() {
                        let _ = data.set_data("text/plain", &key.to_string());
                        data.set_effect_allowed("move");
                    }
                    tabs.dragging.set(Some(key));
                }
                on:dragend=move |_| tabs.dragging.set(None)
                on:keydown=move |e| {
                    if e.target() == e.current_target() && matches!(e.key().as_str(), "Enter" | " ") {
                        e.prevent_default();
                        tabs.show(key);
                    }
                }
            >
                <Show when=move || files>
                    <span class="tab-kind" title="Files" aria-label="Files">
                        {crate::components::files::folder_icon()}
                    </span>
                </Show>
                <span class=move || format!("status-dot {}", status.get().class()) title=move || status.get().label()>
                    <span class="sr-only">{move || status.get().label()}</span>
                </span>
                <span class="tab-name">{name.clone()}</span>
                <span class="tab-target sr-only">{target.clone()}</span>
                <CopyButton text=Signal::stored(target.clone()) label="Copy user@host:port" />
                <button
                    class="icon-button small"
                    aria-label=format!("Reconnect {name}")
                    title="Reconnect"
                    on:click=move |e| {
                        e.stop_propagation();
                        status.set(TabStatus::Connecting);
                        tab.retries.set(0);
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
        <div class="tab-bar">
            <div class="tab-strip" role="tablist" aria-label="Terminals" title=shortcuts::HELP>
                <For each=move || tabs.tabs.get() key=|t| t.key children=tab_button />
            </div>
            <button
                class="button small broadcast-toggle"
                class:on=move || tabs.broadcast.on.get()
                aria-pressed=move || tabs.broadcast.on.get().to_string()
                title="Type into every terminal on screen at once"
                on:click=move |_| tabs.set_broadcast(!tabs.broadcast.on.get_untracked())
            >
                "Broadcast input"
            </button>
            <LayoutPicker tabs />
            <super::settings::SettingsButton tabs />
        </div>
        <Show when=move || tabs.broadcast.on.get()>
            <div class="broadcast-banner" role="alert">
                <strong>"Broadcast input is on"</strong>
                <span>
                    {move || format!(
                        ": what you type goes to {} terminals (outlined in orange).",
                        tabs.receivers().len(),
                    )}
                </span>
                <button class="button small" on:click=move |_| tabs.set_broadcast(false)>
                    "Turn broadcast off"
                </button>
            </div>
        </Show>
    }
}
