use cloudshell::models::DeviceView;
use cloudshell::models::users::DeviceGroup;
use leptos::prelude::*;

use super::delete::ConfirmDelete;
use super::form::DeviceDialog;
use crate::api::devices::{device_groups, list_devices};
use crate::components::terminal::TerminalTabs;
use crate::error::AppError;
use crate::nav::go_to;

/// Which dialog is open over the sidebar.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Add,
    Edit(DeviceView),
    Delete(DeviceView),
}

/// Whether a device's name, host or user holds `needle` (already lower-case).
fn matches_filter(device: &DeviceView, needle: &str) -> bool {
    [&device.name, &device.host, &device.username]
        .iter()
        .any(|field| field.to_lowercase().contains(needle))
}

/// What a device row is keyed on: it is redrawn when any of this changes.
fn device_key(d: &DeviceView) -> (i64, String, String, u32, String) {
    (
        d.id,
        d.name.clone(),
        d.host.clone(),
        d.port,
        d.username.clone(),
    )
}

/// The left sidebar: the devices the user may use, in sections by access group, with a
/// filter; admins also add, edit and delete.
#[component]
pub fn DeviceSidebar(is_admin: bool) -> impl IntoView {
    let devices = RwSignal::new(None::<Vec<DeviceView>>);
    let groups = RwSignal::new(Vec::<DeviceGroup>::new());
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let dialog = RwSignal::new(Dialog::None);

    let reload = move || {
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result = list_devices().await;
            // Sections are a convenience: without them the list is shown flat.
            let sections = device_groups().await.unwrap_or_default();
            loading.set(false);
            match result {
                Ok(list) => {
                    groups.set(sections);
                    devices.set(Some(list));
                    error.set(None);
                }
                Err(AppError::Unauthorized) => go_to("/login"),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    Effect::new(move |_| reload());
    let close = Callback::new(move |_| dialog.set(Dialog::None));
    let changed = Callback::new(move |_| reload());

    let tabs = use_context::<TerminalTabs>();
    let filter = RwSignal::new(String::new());
    let item = move |device: DeviceView| {
        let edit = device.clone();
        let delete = device.clone();
        let open = device.clone();
        let fresh = device.clone();
        let browse = device.clone();
        let name = device.name.clone();
        view! {
            <li class="device-item" data-device=device.name.clone()>
                <button
                    class="device-text"
                    aria-label=format!("Open a terminal to {name}")
                    title=format!("Open a terminal to {name} (Shift-click: a new session)")
                    on:click=move |e| {
                        if let Some(tabs) = tabs {
                            // A device with a terminal open is focused; Shift asks for another.
                            if e.shift_key() {
                                tabs.open(open.clone());
                            } else {
                                tabs.open_or_show(open.clone());
                            }
                        }
                    }
                >
                    <span class="device-name">{device.name.clone()}</span>
                    <span class="device-target mono muted">{device.target()}</span>
                </button>
                <button
                    class="icon-button small"
                    aria-label=format!("New session to {name}")
                    title=format!("New session to {name}")
                    on:click=move |_| {
                        if let Some(tabs) = tabs {
                            tabs.open(fresh.clone());
                        }
                    }
                >
                    <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
                        <path d="M4 6h16v12H4zM7 10l3 2-3 2M12 14h4" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" />
                    </svg>
                </button>
                <button
                    class="icon-button small"
                    aria-label=format!("Browse files on {name}")
                    title=format!("Browse files on {name}")
                    on:click=move |_| {
                        if let Some(tabs) = tabs {
                            tabs.open_files(browse.clone());
                        }
                    }
                >
                    {crate::components::files::folder_icon()}
                </button>
                {is_admin.then(|| view! {
                <button
                    class="icon-button small"
                    aria-label=format!("Edit {name}")
                    title=format!("Edit {name}")
                    on:click=move |_| dialog.set(Dialog::Edit(edit.clone()))
                >
                    <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
                        <path d="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
                    </svg>
                </button>
                <button
                    class="icon-button small danger"
                    aria-label=format!("Delete {name}")
                    title=format!("Delete {name}")
                    on:click=move |_| dialog.set(Dialog::Delete(delete.clone()))
                >
                    <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
                        <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
                    </svg>
                </button>
                })}
            </li>
        }
    };

    view! {
        <aside class="sidebar" id="device-sidebar" aria-label="Devices">
            <div class="sidebar-header">
                <h2>"Devices"</h2>
                <Show when=move || loading.get()>
                    <span class="spinner small" aria-label="Loading devices"></span>
                </Show>
                <Show when=move || is_admin>
                <button
                    class="icon-button"
                    aria-label="Add device"
                    title="Add device"
                    on:click=move |_| dialog.set(Dialog::Add)
                >
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                        <path d="M12 5v14M5 12h14" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                    </svg>
                </button>
                </Show>
            </div>
            <Show when=move || error.get().is_some()>
                <div class="form-error" role="alert">
                    <span>{move || error.get()}</span>
                    " "
                    <button class="button small" on:click=move |_| reload()>"Retry"</button>
                </div>
            </Show>
            {move || match devices.get() {
                None => ().into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p class="muted sidebar-empty">
                            {if is_admin {
                                "No devices yet. Add one with the + button."
                            } else {
                                "No devices are shared with you yet. Ask an admin to add you to an access group."
                            }}
                        </p>
                    }
                        .into_any()
                }
                Some(list) => {
                    let list = StoredValue::new(list);
                    // The devices passing the filter, of `only` if given.
                    let matching = move |only: Option<&[i64]>| {
                        let needle = filter.get().trim().to_lowercase();
                        list.with_value(|list| {
                            list.iter()
                                .filter(|d| only.is_none_or(|ids| ids.contains(&d.id)))
                                .filter(|d| needle.is_empty() || matches_filter(d, &needle))
                                .cloned()
                                .collect::<Vec<_>>()
                        })
                    };
                    let shown = move || matching(None);
                    view! {
                        <input
                            class="device-filter"
                            type="search"
                            placeholder="Filter devices"
                            aria-label="Filter devices by name, host or user"
                            prop:value=move || filter.get()
                            on:input=move |e| filter.set(event_target_value(&e))
                        />
                        {move || {
                            let sections = groups.get();
                            if sections.is_empty() {
                                return view! {
                                    <ul class="device-list">
                                        <For each=shown key=device_key children=item />
                                    </ul>
                                }
                                    .into_any();
                            }
                            let grouped: Vec<i64> =
                                sections.iter().flat_map(|g| g.device_ids.clone()).collect();
                            let others: Vec<i64> = list.with_value(|l| {
                                l.iter().map(|d| d.id).filter(|id| !grouped.contains(id)).collect()
                            });
                            let mut sections: Vec<(String, Vec<i64>)> =
                                sections.into_iter().map(|g| (g.name, g.device_ids)).collect();
                            if !others.is_empty() {
                                sections.push(("Not in a group".to_owned(), others));
                            }
                            sections
                                .into_iter()
                                .map(|(name, ids)| {
                                    let ids = StoredValue::new(ids);
                                    let in_group = move || ids.with_value(|ids| matching(Some(ids)));
                                    view! {
                                        <Show when=move || !in_group().is_empty()>
                                            <details class="device-group" open>
                                                <summary>
                                                    {name.clone()}
                                                    " "
                                                    <span class="muted">{move || in_group().len()}</span>
                                                </summary>
                                                <ul class="device-list">
                                                    <For each=in_group key=device_key children=item />
                                                </ul>
                                            </details>
                                        </Show>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }}
                        <Show when=move || !filter.get().trim().is_empty() && shown().is_empty()>
                            <p class="muted sidebar-empty">"No device matches the filter."</p>
                        </Show>
                    }
                        .into_any()
                }
            }}
        </aside>
        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Add => {
                view! { <DeviceDialog existing=None is_admin on_saved=changed on_close=close /> }
                    .into_any()
            }
            Dialog::Edit(device) => {
                view! {
                    <DeviceDialog existing=Some(device) is_admin on_saved=changed on_close=close />
                }
                    .into_any()
            }
            Dialog::Delete(device) => {
                view! { <ConfirmDelete device on_deleted=changed on_close=close /> }.into_any()
            }
        }}
    }
}
