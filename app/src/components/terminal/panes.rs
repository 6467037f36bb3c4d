//! The split view: a CSS grid of panes. Every tab's element stays mounted in one place in the
//! page and is only placed in a grid cell (or hidden), so moving it between panes or changing
//! the layout never reconnects; its ResizeObserver refits it and sends one resize.

use cloudshell::models::workspace::{MIN_SHARE, WorkspaceLayout};
use leptos::prelude::*;

use super::grid;
use super::pane::TerminalPane;
use super::tabs::{Tab, TabKind, TerminalTabs};
use crate::components::files::FileManager;

fn area(at: usize, cols: u8) -> String {
    let cols = usize::from(cols.max(1));
    format!("grid-area: {} / {}", at / cols + 1, at % cols + 1)
}

/// Which boundary is being dragged: (columns?, index of the pane before it).
type Drag = Option<(bool, usize)>;

#[component]
pub fn Panes(tabs: TerminalTabs) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let style = move || {
        tabs.layout.with(|l| {
            format!(
                "grid-template-rows: {}; grid-template-columns: {}",
                grid::template(&l.row_sizes),
                grid::template(&l.col_sizes)
            )
        })
    };
    let cell_of = move |key: u64| tabs.panes.with(|p| p.iter().position(|x| *x == Some(key)));
    let split = move || tabs.panes.with(|p| p.len() > 1);

    let pane = move |tab: Tab| {
        let key = tab.key;
        let device_name = tab.device.name.clone();
        let active = Signal::derive(move || {
            tabs.panes
                .with(|p| p.get(tabs.focused.get()).copied().flatten())
                == Some(key)
        });
        let placed = move || cell_of(key);
        let position = move || match placed() {
            Some(at) => area(at, tabs.layout.with(|l| l.cols)),
            None => String::new(),
        };
        let choose = move |e: leptos::ev::Event| {
            if let (Some(at), Ok(other)) = (placed(), event_target_value(&e).parse::<u64>()) {
                tabs.put(at, other);
            }
        };
        view! {
            <div
                class="pane"
                class:hidden=move || placed().is_none()
                class:focused=move || split() && active.get()
                class:broadcasting=move || tabs.broadcast.on.get() && tabs.receivers().contains(&key)
                style=position
                role="tabpanel"
                data-device=device_name
                data-pane=move || placed().map(|p| p.to_string())
                on:pointerdown=move |_| {
                    if let Some(at) = placed() {
                        tabs.focused.set(at);
                    }
                }
            >
                <Show when=move || split() || tabs.broadcast.on.get()>
                    <div class="pane-bar">
                        <select
                            aria-label=move || format!("Pane {} shows", placed().map_or(0, |p| p + 1))
                            prop:value=move || {
                                tabs.panes.track();
                                key.to_string()
                            }
                            on:change=choose
                        >
                            <For
                                each=move || tabs.tabs.get()
                                key=|t| t.key
                                children=move |t: Tab| {
                                    view! {
                                        <option value=t.key.to_string() selected=t.key == key>
                                            {format!("{} #{}", t.device.name, t.key)}
                                        </option>
                                    }
                                }
                            />
                        </select>
                        <Show when=move || tabs.broadcast.on.get() && tab.kind == TabKind::Terminal>
                            <label class="choice small">
                                <input
                                    type="checkbox"
                                    aria-label=move || format!("Pane {} receives broadcast", placed().map_or(0, |p| p + 1))
                                    prop:checked=move || !tabs.broadcast.excluded.with(|e| e.contains(&key))
                                    on:change=move |_| {
                                        tabs.broadcast.excluded.update(|e| {
                                            if !e.remove(&key) {
                                                e.insert(key);
                                            }
                                        })
                                    }
                                />
                                "Receives broadcast"
                            </label>
                        </Show>
                    </div>
                </Show>
                <div class="pane-body">
                    {move || {
                        tab.generation.get();
                        match tab.kind {
                            TabKind::Terminal => {
                                view! {
                                    <TerminalPane
                                        device_id=tab.device.id
                                        status=tab.status
                                        active
                                        key
                                        tabs
                                        retry=super::retry::Retry { attempts: tab.retries, generation: tab.generation }
                                    />
                                }
                                    .into_any()
                            }
                            TabKind::Files => {
                                view! { <FileManager device=tab.device.clone() status=tab.status active /> }
                                    .into_any()
                            }
                        }
                    }}
                </div>
            </div>
        }
    };

    // Empty panes list the open tabs not on screen (the keyboard path to fill one).
    let empty = move |at: usize| {
        let off_screen = move || {
            tabs.tabs.with(|all| {
                tabs.panes.with(|p| {
                    all.iter()
                        .filter(|t| !p.contains(&Some(t.key)))
                        .map(|t| (t.key, t.device.name.clone()))
                        .collect::<Vec<_>>()
                })
            })
        };
        view! {
            <div
                class="pane empty-pane"
                class:focused=move || split() && tabs.focused.get() == at
                style=move || area(at, tabs.layout.with(|l| l.cols))
                data-pane=at.to_string()
                on:pointerdown=move |_| tabs.focused.set(at)
            >
                <p class="muted">"Empty pane"</p>
                {move || {
                    let list = off_screen();
                    if list.is_empty() {
                        view! { <p class="muted small">"Open a device from the sidebar, or drag a tab here."</p> }
                            .into_any()
                    } else {
                        list.into_iter()
                            .map(|(key, name)| {
                                view! {
                                    <button class="button small" on:click=move |_| tabs.put(at, key)>
                                        {format!("Show {name}")}
                                    </button>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
            </div>
        }
    };
    let empties = move || {
        tabs.panes.with(|p| {
            p.iter()
                .enumerate()
                .filter(|(_, x)| x.is_none())
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        })
    };

    // Dropping a dragged tab: one target per pane over the grid.
    let drop_targets = move || {
        tabs.dragging.get().map(|key| {
            let count = tabs.panes.with(Vec::len);
            (0..count)
                .map(|at| {
                    view! {
                        <div
                            class="drop-target"
                            style=move || area(at, tabs.layout.with(|l| l.cols))
                            data-pane=at.to_string()
                            on:dragover=|e: leptos::ev::DragEvent| e.prevent_default()
                            on:drop=move |e: leptos::ev::DragEvent| {
                                e.prevent_default();
                                tabs.dragging.set(None);
                                tabs.put(at, key);
                            }
                        >
                            {format!("Show here (pane {})", at + 1)}
                        </div>
                    }
                })
                .collect_view()
        })
    };

    // Splitters: drag to move a boundary, double-click to even them all.
    let drag: RwSignal<Drag> = RwSignal::new(None);
    let on_move = move |e: leptos::ev::PointerEvent| {
        let (Some((columns, index)), Some(el)) = (drag.get_untracked(), container.get_untracked())
        else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        let (at, span) = if columns {
            (f64::from(e.client_x()) - rect.left(), rect.width())
        } else {
            (f64::from(e.client_y()) - rect.top(), rect.height())
        };
        if span <= 0.0 {
            return;
        }
        let fraction = (at / span) as f32;
        tabs.layout.update(|l| {
            let sizes = if columns {
                &mut l.col_sizes
            } else {
                &mut l.row_sizes
            };
            let start: f32 = sizes[..index].iter().sum();
            let pair = sizes[index] + sizes[index + 1];
            *sizes = grid::drag_boundary(sizes, index, (fraction - start) / pair, MIN_SHARE);
        });
    };
    let splitters = move || {
        let layout = tabs.layout.get();
        let handle = move |columns: bool, index: usize, offset: f32| {
            let style = if columns {
                format!("left: calc({:.3}% - 3px)", offset * 100.0)
            } else {
                format!("top: calc({:.3}% - 3px)", offset * 100.0)
            };
            view! {
                <div
                    class=if columns { "splitter splitter-col" } else { "splitter splitter-row" }
                    style=style
                    role="separator"
                    aria-orientation=if columns { "vertical" } else { "horizontal" }
                    aria-label=format!("{} splitter {}", if columns { "Column" } else { "Row" }, index + 1)
                    title="Drag to resize; double-click to even out"
                    on:pointerdown=move |e: leptos::ev::PointerEvent| {
                        e.prevent_default();
                        if let Some(el) = e.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()) {
                            let _ = el.set_pointer_capture(e.pointer_id());
                        }
                        drag.set(Some((columns, index)));
                    }
                    on:pointermove=on_move
                    on:pointerup=move |_| {
                        drag.set(None);
                        tabs.save();
                    }
                    on:pointercancel=move |_| {
                        drag.set(None);
                        tabs.save();
                    }
                    on:dblclick=move |_| {
                        tabs.layout.update(|l| {
                            let even = WorkspaceLayout::even(l.rows, l.cols);
                            l.row_sizes = even.row_sizes;
                            l.col_sizes = even.col_sizes;
                        });
                        tabs.save();
                    }
                ></div>
            }
        };
        let running = |sizes: &[f32]| {
            sizes[..sizes.len().saturating_sub(1)]
                .iter()
                .scan(0.0, |sum, s| {
                    *sum += s;
                    Some(*sum)
                })
                .collect::<Vec<f32>>()
        };
        let cols = running(&layout.col_sizes)
            .into_iter()
            .enumerate()
            .map(move |(i, at)| handle(true, i, at));
        let rows = running(&layout.row_sizes)
            .into_iter()
            .enumerate()
            .map(move |(i, at)| handle(false, i, at));
        cols.chain(rows).collect_view()
    };

    view! {
        <div class="panes" class:split=split style=style node_ref=container>
            <For each=move || tabs.tabs.get() key=|t| t.key children=pane />
            <For each=empties key=|at| *at children=empty />
            {drop_targets}
            <Show when=split>{splitters}</Show>
        </div>
    }
}
