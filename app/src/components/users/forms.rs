//! The Users view's forms and questions: create, edit, the confirmations, and the temporary
//! password shown once.

use cloudshell::models::Role;
use cloudshell::models::users::{NewUser, TemporaryPassword, UserChange, UserView};
use leptos::prelude::*;

use super::data::UsersData;
use super::picker::Picker;
use crate::api::users::{
    create_user, delete_user, reset_user_password, set_user_disabled, update_user,
};
use crate::components::copy_button::CopyButton;
use crate::components::form_actions::FormActions;
use crate::components::toast::use_toasts;
use crate::error::AppError;

/// An action that asks first.
#[derive(Clone)]
pub enum ConfirmAction {
    Reset(UserView),
    Disable(UserView),
    Enable(UserView),
    Delete(UserView),
}

/// The role picker, with what each role may do.
#[component]
fn RoleSelect(id: &'static str, role: RwSignal<Role>) -> impl IntoView {
    view! {
        <label for=id>"Role"</label>
        <select
            id=id
            on:change=move |e| {
                if let Some(r) = Role::parse(&event_target_value(&e)) {
                    role.set(r);
                }
            }
        >
            {Role::ALL
                .into_iter()
                .map(|r| view! { <option value=r.as_str() selected=move || role.get() == r>{r.label()}</option> })
                .collect_view()}
        </select>
        <p class="muted field-help">
            {move || match role.get() {
                Role::Admin => "Everything: devices, users, groups and the whole audit log.",
                Role::Operator => "Terminals and files on the devices of their access groups; their own audit entries.",
                Role::Auditor => "Reads and exports the whole audit log; no terminals, files or device secrets.",
            }}
        </p>
    }
}

#[component]
pub fn CreateUser(
    data: UsersData,
    on_done: Callback<TemporaryPassword>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Operator);
    let groups = RwSignal::new(Vec::<i64>::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let toasts = use_toasts();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewUser {
            username: username.get().trim().to_owned(),
            role: role.get(),
            groups: groups.get(),
        };
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = create_user(input).await;
            pending.set(false);
            match result {
                Ok(created) => {
                    toasts.success(format!("Created {}", created.user.username));
                    data.reload();
                    on_done.run(created);
                }
                Err(e) => error.set(Some(field_text(&e, "username"))),
            }
        });
    };
    view! {
        <form class="form users-form" on:submit=submit>
            <h3>"New user"</h3>
            <label for="nu-name">"Username"</label>
            <input id="nu-name" required maxlength="64" autocomplete="off" bind:value=username />
            <RoleSelect id="nu-role" role />
            <Show when=move || role.get() == Role::Operator>
                <Picker label="Access groups" items=Signal::derive(move || data.group_names()) chosen=groups
                    empty="No access groups yet: create one under Access groups." />
            </Show>
            <p class="muted">"CloudShell makes a temporary password and shows it once; the user chooses their own at the first sign-in."</p>
            <FormActions error pending submit="Create user" on_cancel />
        </form>
    }
}

#[component]
pub fn EditUser(
    data: UsersData,
    user: UserView,
    on_done: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let role = RwSignal::new(user.role);
    let groups = RwSignal::new(user.groups.iter().map(|g| g.id).collect::<Vec<_>>());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let toasts = use_toasts();
    let id = user.id;
    let name = user.username.clone();
    let role_before = user.role;
    let mut groups_before: Vec<i64> = user.groups.iter().map(|g| g.id).collect();
    groups_before.sort_unstable();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Only what changed, so two admins editing different fields do not undo each other.
        let mut chosen = groups.get();
        chosen.sort_unstable();
        let change = UserChange {
            role: Some(role.get()).filter(|r| *r != role_before),
            groups: Some(chosen).filter(|g| role.get() == Role::Operator && *g != groups_before),
        };
        let name = name.clone();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = update_user(id, change).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    toasts.success(format!("Saved {name}"));
                    data.reload();
                    on_done.run(());
                }
                Err(e) => error.set(Some(field_text(&e, "groups"))),
            }
        });
    };
    view! {
        <form class="form users-form" on:submit=submit>
            <h3>"Edit " {user.username.clone()}</h3>
            <RoleSelect id="eu-role" role />
            <Show when=move || role.get() == Role::Operator>
                <Picker label="Access groups" items=Signal::derive(move || data.group_names()) chosen=groups
                    empty="No access groups yet: create one under Access groups." />
            </Show>
            <FormActions error pending submit="Save" on_cancel />
        </form>
    }
}

#[component]
pub fn Confirm(
    data: UsersData,
    action: ConfirmAction,
    on_password: Callback<TemporaryPassword>,
    on_done: Callback<()>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let toasts = use_toasts();
    let (user, title, text, button, danger) = match &action {
        ConfirmAction::Reset(u) => (
            u.clone(),
            format!("Reset the password of {}?", u.username),
            "CloudShell makes a new temporary password and shows it once. Their sessions and terminals end now, and they choose a new password at the next sign-in.",
            "Reset password",
            false,
        ),
        ConfirmAction::Disable(u) => (
            u.clone(),
            format!("Disable {}?", u.username),
            "They are signed out and their terminals end at once, on every server. Their audit entries stay.",
            "Disable",
            true,
        ),
        ConfirmAction::Enable(u) => (
            u.clone(),
            format!("Enable {}?", u.username),
            "They can sign in again with their password.",
            "Enable",
            false,
        ),
        ConfirmAction::Delete(u) => (
            u.clone(),
            format!("Delete {}?", u.username),
            "Their account, sessions and layout go; their terminals end at once. Their audit entries keep their name. This cannot be undone.",
            "Delete",
            true,
        ),
    };
    let go = move |_| {
        let action = action.clone();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let name = user_of(&action).username.clone();
            let result = match &action {
                ConfirmAction::Reset(u) => reset_user_password(u.id).await.map(Some),
                ConfirmAction::Disable(u) => set_user_disabled(u.id, true).await.map(|_| None),
                ConfirmAction::Enable(u) => set_user_disabled(u.id, false).await.map(|_| None),
                ConfirmAction::Delete(u) => delete_user(u.id).await.map(|_| None),
            };
            pending.set(false);
            match result {
                Ok(password) => {
                    data.reload();
                    match password {
                        Some(t) => on_password.run(t),
                        None => {
                            toasts.success(format!("Done: {name}"));
                            on_done.run(());
                        }
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <div class="users-form" role="group" aria-label=title.clone()>
            <h3>{title.clone()}</h3>
            <p>{text}</p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <div class="dialog-actions">
                <button class="button" on:click=move |_| on_done.run(())>"Cancel"</button>
                <button class="button" class:danger=danger class:primary=!danger disabled=pending on:click=go
                    data-user=user.username.clone()>
                    <Show when=move || pending.get()>
                        <span class="spinner" aria-hidden="true"></span>
                    </Show>
                    {button}
                </button>
            </div>
        </div>
    }
}

fn user_of(action: &ConfirmAction) -> &UserView {
    match action {
        ConfirmAction::Reset(u)
        | ConfirmAction::Disable(u)
        | ConfirmAction::Enable(u)
        | ConfirmAction::Delete(u) => u,
    }
}

/// The temporary password, once: with a copy button and what to do with it.
#[component]
pub fn ShowPassword(temporary: TemporaryPassword, on_done: Callback<()>) -> impl IntoView {
    let password = temporary.password.expose().to_owned();
    let text = Signal::derive({
        let password = password.clone();
        move || password.clone()
    });
    view! {
        <div class="users-form" role="group" aria-label="Temporary password">
            <h3>"Temporary password for " {temporary.user.username.clone()}</h3>
            <p>"Give it to them over a channel you trust. It is shown only now; they must choose their own at the first sign-in."</p>
            <p class="temporary-password">
                <code class="mono" data-testid="temporary-password">{password}</code>
                " "
                <CopyButton text label="Copy the temporary password" />
            </p>
            <div class="dialog-actions">
                <button class="button primary" on:click=move |_| on_done.run(())>"Done"</button>
            </div>
        </div>
    }
}

/// The message for `field` if the server refused that field, else the error's own text.
fn field_text(e: &AppError, field: &str) -> String {
    match e.field(field) {
        Some(m) if field == "username" => format!("Username {m}"),
        Some(m) => capitalise(&m),
        None => e.to_string(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
