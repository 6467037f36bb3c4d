use cloudshell::models::{DeviceView, KeyInput, SshAuthType};
use leptos::prelude::*;

use super::access::DeviceAccess;
use super::form_state::FormState;
use super::host_key::HostKeyPanel;
use super::key_field::{KeyField, PublicKey};
use crate::api::devices::{create_device, update_device};
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::components::users::picker::Picker;
use crate::error::AppError;
use crate::nav::go_to;

/// One field's message under the field.
#[component]
pub fn FieldMessage(message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <p class="field-error" role="alert">{move || message.get()}</p>
        </Show>
    }
}

/// Add or edit a device. After a key is generated it stays open to show the public key.
#[component]
pub fn DeviceDialog(
    existing: Option<DeviceView>,
    is_admin: bool,
    on_saved: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let state = FormState::new(existing.as_ref());
    let id = existing.as_ref().map(|d| d.id);
    let saving = RwSignal::new(false);
    let generating = RwSignal::new(false);
    let general = RwSignal::new(None::<String>);
    let generated = RwSignal::new(None::<DeviceView>);
    let stored_public = existing.as_ref().and_then(|d| d.public_key.clone());
    let access = DeviceAccess::load(id, is_admin);
    let title = match &existing {
        Some(d) => format!("Edit {}", d.name),
        None => "Add device".to_owned(),
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = match state.to_input() {
            Ok(input) => input,
            Err(errors) => {
                state.errors.set(errors);
                return;
            }
        };
        state.errors.set(Vec::new());
        general.set(None);
        saving.set(true);
        let generates = matches!(input.key, KeyInput::Generate { .. });
        generating.set(generates);
        leptos::task::spawn_local(async move {
            let result = match id {
                None => create_device(input).await,
                Some(id) => update_device(id, input).await,
            };
            // The device's access groups, once it exists; a refusal is said like any other.
            let result = match result {
                Ok(device) => access.save(device.id).await.map(|()| device),
                Err(e) => Err(e),
            };
            saving.set(false);
            match result {
                Ok(device) => {
                    toasts.success(match id {
                        None => format!("Added {}", device.name),
                        Some(_) => format!("Saved {}", device.name),
                    });
                    on_saved.run(());
                    if generates && device.public_key.is_some() {
                        generated.set(Some(device));
                    } else {
                        on_close.run(());
                    }
                }
                Err(AppError::Invalid(errors)) => {
                    toasts.error("Not saved: check the fields marked in the form");
                    state.errors.set(errors);
                }
                Err(AppError::Unauthorized) => go_to("/login"),
                Err(e) => {
                    toasts.error(format!("Not saved: {e}"));
                    general.set(Some(e.to_string()));
                }
            }
        });
    };

    let uses_password = move || state.auth_type.get().uses_password();
    let uses_key = move || state.auth_type.get().uses_key();
    let password_label = move || match (state.auth_type.get(), state.has_password) {
        (SshAuthType::KeyboardInteractive, _) => {
            "Password (answers the device's password prompt; optional)"
        }
        _ => "Password",
    };
    let password_hint = move || {
        if state.has_password && !state.endpoint_changed() {
            "Leave blank to keep the stored password"
        } else {
            ""
        }
    };
    let stored_public_for_form = stored_public.clone();

    view! {
        <Modal title on_close>
            <Show
                when=move || generated.get().is_some()
                fallback=move || {
                    let stored_public = stored_public_for_form.clone();
                    view! {
                        <form class="form device-form" novalidate on:submit=submit>
                            <label for="dev-name">"Name"</label>
                            <input id="dev-name" maxlength="64" autocomplete="off" placeholder="web01"
                                bind:value=state.name />
                            <FieldMessage message=state.error("name") />
                            <div class="form-row">
                                <div class="grow">
                                    <label for="dev-host">"Host"</label>
                                    <input id="dev-host" autocomplete="off" placeholder="10.0.0.5 or web01.example.org"
                                        bind:value=state.host />
                                </div>
                                <div class="port">
                                    <label for="dev-port">"Port"</label>
                                    <input id="dev-port" inputmode="numeric" bind:value=state.port />
                                </div>
                            </div>
                            <FieldMessage message=state.error("host") />
                            <FieldMessage message=state.error("port") />
                            <label for="dev-username">"Username"</label>
                            <input id="dev-username" autocomplete="off" placeholder="root"
                                bind:value=state.username />
                            <FieldMessage message=state.error("username") />
                            <label for="dev-auth">"Authentication"</label>
                            <select
                                id="dev-auth"
                                on:change=move |ev| {
                                    if let Some(t) = SshAuthType::parse(&event_target_value(&ev)) {
                                        state.auth_type.set(t);
                                    }
                                }
                            >
                                {SshAuthType::ALL
                                    .into_iter()
                                    .map(|t| {
                                        view! {
                                            <option value=t.as_str() selected=move || state.auth_type.get() == t>
                                                {t.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <Show when=move || state.drops_stored_secret()>
                                <p class="form-note" role="status">
                                    "The host, port or username changed: the stored password and key are not sent to a new place. Enter them again to keep using them."
                                </p>
                            </Show>
                            <Show when=uses_password>
                                <label for="dev-password">{password_label}</label>
                                <input id="dev-password" type="password" autocomplete="new-password"
                                    placeholder=password_hint bind:value=state.password />
                                <FieldMessage message=state.error("password") />
                            </Show>
                            <Show when=uses_key>
                                <KeyField state stored_public=stored_public.clone() />
                            </Show>
                            <Show when=move || is_admin && access.loaded.get()>
                                <Picker label="Access groups" items=access.names() chosen=access.chosen
                                    empty="No access groups yet: create them under Users and groups." />
                            </Show>
                            <Show when=move || general.get().is_some()>
                                <p class="form-error" role="alert">{move || general.get()}</p>
                            </Show>
                            <div class="dialog-actions">
                                <button type="button" class="button" on:click=move |_| on_close.run(())>
                                    "Cancel"
                                </button>
                                <button type="submit" class="button primary" disabled=saving>
                                    <Show when=move || saving.get()>
                                        <span class="spinner" aria-hidden="true"></span>
                                    </Show>
                                    {move || match (saving.get() && generating.get(), id) {
                                        (true, _) => "Generating key…",
                                        (false, None) => "Add device",
                                        (false, Some(_)) => "Save changes",
                                    }}
                                </button>
                            </div>
                        </form>
                        {id.map(|device_id| view! { <HostKeyPanel device_id is_admin /> })}
                    }
                }
            >
                {move || {
                    generated
                        .get()
                        .map(|device| {
                            let text = Signal::stored(device.public_key.clone().unwrap_or_default());
                            view! {
                                <p class="form-success" role="status">
                                    "Key generated and stored for " <strong>{device.name.clone()}</strong> ". "
                                    "Add the public key to " <span class="mono">"~/.ssh/authorized_keys"</span>
                                    " of " <span class="mono">{device.username.clone()}</span> " on "
                                    <span class="mono">{device.host.clone()}</span> "."
                                </p>
                                <PublicKey text />
                                <div class="dialog-actions">
                                    <button class="button primary" on:click=move |_| on_close.run(())>"Done"</button>
                                </div>
                            }
                        })
                }}
            </Show>
        </Modal>
    }
}
