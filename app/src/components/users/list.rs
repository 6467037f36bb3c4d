//! The Users view: the table of accounts and, in its place, the form or question an action
//! opens (create, edit, reset password, disable, delete, the temporary password).

use cloudshell::format::utc_timestamp;
use cloudshell::models::users::{TemporaryPassword, UserView};
use leptos::prelude::*;

use super::data::UsersData;
use super::forms::{Confirm, ConfirmAction, CreateUser, EditUser, ShowPassword};

/// What the view shows instead of the table, if anything.
#[derive(Clone)]
pub enum Pane {
    List,
    Create,
    Edit(UserView),
    Confirm(ConfirmAction),
    Password(TemporaryPassword),
}

#[component]
pub fn UsersView(data: UsersData) -> impl IntoView {
    let pane = RwSignal::new(Pane::List);
    let filter = RwSignal::new(String::new());
    let back = Callback::new(move |_| pane.set(Pane::List));
    let shown = move || {
        let needle = filter.get().trim().to_lowercase();
        data.users
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|u| {
                needle.is_empty()
                    || u.username.to_lowercase().contains(&needle)
                    || u.groups
                        .iter()
                        .any(|g| g.name.to_lowercase().contains(&needle))
            })
            .collect::<Vec<_>>()
    };
    let row = move |user: UserView| {
        let name = user.username.clone();
        let groups = user
            .groups
            .iter()
            .map(|g| g.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let (edit, reset, toggle, delete) =
            (user.clone(), user.clone(), user.clone(), user.clone());
        let disabled = user.disabled;
        view! {
            <tr data-user=name.clone()>
                <td>{name.clone()}</td>
                <td>{user.role.label()}</td>
                <td>{if groups.is_empty() { "–".to_owned() } else { groups }}</td>
                <td>
                    <span class=if disabled { "status-pill off" } else { "status-pill on" }>
                        {if disabled { "Disabled" } else { "Active" }}
                    </span>
                    {user.must_change_password.then(|| view! {
                        <span class="status-pill pending" title="The user must choose a new password at the next sign-in">
                            "Password change pending"
                        </span>
                    })}
                </td>
                <td class="mono">
                    {user.last_login_at.map_or_else(|| "Never".to_owned(), utc_timestamp)}
                </td>
                <td class="row-actions">
                    <button class="button small" aria-label=format!("Edit {name}")
                        on:click=move |_| pane.set(Pane::Edit(edit.clone()))>"Edit"</button>
                    <button class="button small" aria-label=format!("Reset the password of {name}")
                        on:click=move |_| pane.set(Pane::Confirm(ConfirmAction::Reset(reset.clone())))>
                        "Reset password"
                    </button>
                    <button class="button small" aria-label=format!("{} {name}", if disabled { "Enable" } else { "Disable" })
                        on:click=move |_| pane.set(Pane::Confirm(if toggle.disabled {
                            ConfirmAction::Enable(toggle.clone())
                        } else {
                            ConfirmAction::Disable(toggle.clone())
                        }))>
                        {if disabled { "Enable" } else { "Disable" }}
                    </button>
                    <button class="button small danger" aria-label=format!("Delete {name}")
                        on:click=move |_| pane.set(Pane::Confirm(ConfirmAction::Delete(delete.clone())))>
                        "Delete"
                    </button>
                </td>
            </tr>
        }
    };
    view! {
        {move || match pane.get() {
            Pane::List => view! {
                <div class="users-toolbar">
                    <button class="button primary" on:click=move |_| pane.set(Pane::Create)>"New user"</button>
                    <input
                        type="search"
                        class="device-filter"
                        placeholder="Filter by name or group"
                        aria-label="Filter users by name or group"
                        bind:value=filter
                    />
                </div>
                <div class="audit-table-wrap">
                    <table class="audit-table users-table">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"Role"</th>
                                <th>"Groups"</th>
                                <th>"Status"</th>
                                <th>"Last sign-in"</th>
                                <th><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=shown
                                key=|u| (u.id, u.username.clone(), u.role, u.disabled, u.must_change_password, u.last_login_at, u.groups.clone())
                                children=row
                            />
                        </tbody>
                    </table>
                </div>
            }
                .into_any(),
            Pane::Create => view! { <CreateUser data on_done=Callback::new(move |t| pane.set(Pane::Password(t))) on_cancel=back /> }.into_any(),
            Pane::Edit(user) => view! { <EditUser data user on_done=back on_cancel=back /> }.into_any(),
            Pane::Confirm(action) => view! {
                <Confirm data action
                    on_password=Callback::new(move |t| pane.set(Pane::Password(t)))
                    on_done=back
                />
            }
                .into_any(),
            Pane::Password(temporary) => view! { <ShowPassword temporary on_done=back /> }.into_any(),
        }}
    }
}
