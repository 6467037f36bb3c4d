//! The Access groups view: a group's members may use its devices. Create, rename, fill with
//! members and devices (each list searchable), delete.

use cloudshell::models::users::{GroupChange, GroupView};
use leptos::prelude::*;

use super::data::UsersData;
use super::picker::Picker;
use crate::api::users::{create_group, delete_group, update_group};
use crate::components::toast::use_toasts;

#[component]
pub fn GroupsView(data: UsersData) -> impl IntoView {
    let selected = RwSignal::new(None::<i64>);
    let new_name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let toasts = use_toasts();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get().trim().to_owned();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = create_group(name).await;
            pending.set(false);
            match result {
                Ok(group) => {
                    toasts.success(format!("Created group {}", group.name));
                    new_name.set(String::new());
                    error.set(None);
                    selected.set(Some(group.id));
                    data.reload();
                }
                Err(e) => error.set(Some(
                    e.field("name")
                        .map_or_else(|| e.to_string(), |m| format!("Name: {m}")),
                )),
            }
        });
    };
    let current = move || {
        let id = selected.get()?;
        data.groups.get()?.into_iter().find(|g| g.id == id)
    };
    view! {
        <div class="groups-view">
            <div class="groups-list">
                <form class="form inline-form" on:submit=create>
                    <input
                        aria-label="New group name"
                        placeholder="New group name"
                        maxlength="64"
                        required
                        bind:value=new_name
                    />
                    <button type="submit" class="button primary small" disabled=pending>"Create group"</button>
                </form>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <ul class="group-buttons">
                    <For
                        each=move || data.groups.get().unwrap_or_default()
                        key=|g| (g.id, g.name.clone(), g.members.len(), g.devices.len())
                        children=move |g: GroupView| {
                            let id = g.id;
                            view! {
                                <li>
                                    <button
                                        class="group-button"
                                        class:selected=move || selected.get() == Some(id)
                                        aria-pressed=move || (selected.get() == Some(id)).to_string()
                                        on:click=move |_| selected.set(Some(id))
                                    >
                                        <span>{g.name.clone()}</span>
                                        <span class="muted">
                                            {format!("{} members · {} devices", g.members.len(), g.devices.len())}
                                        </span>
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
                <Show when=move || data.groups.get().is_some_and(|g| g.is_empty())>
                    <p class="muted">"No groups yet. A group gives its members the use of its devices."</p>
                </Show>
            </div>
            <div class="group-editor">
                {move || match current() {
                    None => view! { <p class="muted">"Choose a group to see and change its members and devices."</p> }.into_any(),
                    Some(group) => view! { <GroupEditor data group on_deleted=Callback::new(move |_| selected.set(None)) /> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn GroupEditor(data: UsersData, group: GroupView, on_deleted: Callback<()>) -> impl IntoView {
    let id = group.id;
    let name = RwSignal::new(group.name.clone());
    let before_members: Vec<i64> = group.members.iter().map(|m| m.id).collect();
    let before_devices: Vec<i64> = group.devices.iter().map(|d| d.id).collect();
    let members = RwSignal::new(before_members.clone());
    let devices = RwSignal::new(before_devices.clone());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let toasts = use_toasts();
    let old_name = group.name.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (m, d) = (members.get(), devices.get());
        let change = GroupChange {
            name: Some(name.get()).filter(|n| n.trim() != old_name),
            add_members: m
                .iter()
                .copied()
                .filter(|x| !before_members.contains(x))
                .collect(),
            remove_members: before_members
                .iter()
                .copied()
                .filter(|x| !m.contains(x))
                .collect(),
            add_devices: d
                .iter()
                .copied()
                .filter(|x| !before_devices.contains(x))
                .collect(),
            remove_devices: before_devices
                .iter()
                .copied()
                .filter(|x| !d.contains(x))
                .collect(),
        };
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = update_group(id, change).await;
            pending.set(false);
            match result {
                Ok(saved) => {
                    toasts.success(format!("Saved group {}", saved.name));
                    error.set(None);
                    data.reload();
                }
                Err(e) => error.set(Some(
                    e.field("name")
                        .map_or_else(|| e.to_string(), |m| format!("Name: {m}")),
                )),
            }
        });
    };
    let delete = move |_| {
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = delete_group(id).await;
            pending.set(false);
            match result {
                Ok(()) => {
                    toasts.success("Group deleted");
                    on_deleted.run(());
                    data.reload();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="form" on:submit=save>
            <label for="group-name">"Group name"</label>
            <input id="group-name" maxlength="64" required bind:value=name />
            <div class="picker-pair">
                <Picker label="Members" items=Signal::derive(move || data.user_names()) chosen=members
                    empty="No users yet." />
                <Picker label="Devices" items=data.devices.into() chosen=devices
                    empty="No devices yet." />
            </div>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <div class="dialog-actions">
                <Show
                    when=move || confirm_delete.get()
                    fallback=move || view! {
                        <button type="button" class="button danger" on:click=move |_| confirm_delete.set(true)>
                            "Delete group…"
                        </button>
                    }
                >
                    <span>"Members lose the access it gives."</span>
                    <button type="button" class="button" on:click=move |_| confirm_delete.set(false)>"Keep"</button>
                    <button type="button" class="button danger" disabled=pending on:click=delete>"Delete group"</button>
                </Show>
                <button type="submit" class="button primary" disabled=pending>
                    <Show when=move || pending.get()>
                        <span class="spinner" aria-hidden="true"></span>
                    </Show>
                    "Save group"
                </button>
            </div>
        </form>
    }
}
