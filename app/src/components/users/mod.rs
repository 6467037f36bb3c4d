//! Users and access groups, for admins: a header icon opens a modal with two views. The
//! server checks the role on every call; hiding the icon from others is only a convenience.

mod data;
mod forms;
mod groups;
mod list;
pub mod picker;

use leptos::prelude::*;

use crate::components::modal::Modal;
use data::UsersData;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Users,
    Groups,
}

/// The header's Users icon-button and, while open, the modal.
#[component]
pub fn UsersButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            class="icon-button"
            aria-label="Users and groups"
            title="Users and groups"
            on:click=move |_| open.set(true)
        >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path
                    d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1M16 3.5a4 4 0 0 1 0 7M19 14a5 5 0 0 1 3 5v2"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    stroke-linecap="round"
                />
            </svg>
        </button>
        // Mounted only while open: each opening starts from fresh lists.
        <Show when=move || open.get()>
            <UsersModal on_close=Callback::new(move |_| open.set(false)) />
        </Show>
    }
}

#[component]
fn UsersModal(on_close: Callback<()>) -> impl IntoView {
    let data = UsersData::new();
    data.reload();
    let tab = RwSignal::new(Tab::Users);
    let tab_button = move |which: Tab, label: &'static str| {
        view! {
            <button
                type="button"
                class="button small"
                class:primary=move || tab.get() == which
                aria-pressed=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {label}
            </button>
        }
    };
    view! {
        <Modal title="Users and groups".to_owned() on_close wide=true>
            <div class="users-tabs" role="group" aria-label="Show">
                {tab_button(Tab::Users, "Users")}
                {tab_button(Tab::Groups, "Access groups")}
                <Show when=move || data.loading.get()>
                    <span class="spinner small" aria-label="Loading"></span>
                </Show>
            </div>
            <Show when=move || data.error.get().is_some()>
                <div class="form-error" role="alert">
                    <span>{move || data.error.get()}</span>
                    " "
                    <button class="button small" on:click=move |_| data.reload()>"Retry"</button>
                </div>
            </Show>
            {move || match tab.get() {
                Tab::Users => view! { <list::UsersView data /> }.into_any(),
                Tab::Groups => view! { <groups::GroupsView data /> }.into_any(),
            }}
        </Modal>
    }
}
