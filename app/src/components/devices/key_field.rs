use cloudshell::models::device_api::MAX_PRIVATE_KEY_BYTES;
use cloudshell::models::{FieldError, KeyAlgorithm};
use leptos::prelude::*;

use super::form::FieldMessage;
use super::form_state::{FormState, KeySource};
use crate::components::copy_button::CopyButton;

/// The private-key part of the device form: keep, paste or load from a file, or generate.
#[component]
pub fn KeyField(state: FormState, stored_public: Option<String>) -> impl IntoView {
    let source = state.key_source;
    let radio = move |value: KeySource, label: &'static str| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="key-source"
                    prop:checked=move || source.get() == value
                    on:change=move |_| source.set(value)
                />
                {label}
            </label>
        }
    };
    let has_stored = state.has_key;
    let stored_public = Signal::stored(stored_public.unwrap_or_default());
    view! {
        <fieldset class="key-field">
            <legend>"Private key"</legend>
            <Show when=move || has_stored>{radio(KeySource::Keep, "Keep the stored key")}</Show>
            {radio(KeySource::Paste, "Paste or load a key (OpenSSH or PEM)")}
            {radio(KeySource::Generate, "Generate a new key on the server")}

            <Show when=move || source.get() == KeySource::Keep && !stored_public.get().is_empty()>
                <PublicKey text=stored_public />
            </Show>
            // A moved endpoint makes the stored key unusable: say so where the choice is.
            <Show when=move || source.get() == KeySource::Keep>
                <FieldMessage message=state.error("private_key") />
            </Show>
            <Show when=move || source.get() == KeySource::Paste>
                <label for="dev-key">"Private key"</label>
                <textarea
                    id="dev-key"
                    class="mono"
                    rows="6"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                    bind:value=state.private_key
                ></textarea>
                <label class="file-picker">
                    "Load from a file… "
                    <input
                        type="file"
                        id="dev-key-file"
                        on:change=move |ev| load_key_file(&ev, state.private_key, state.errors)
                    />
                </label>
                <FieldMessage message=state.error("private_key") />
                <label for="dev-passphrase">"Passphrase (only if the key is encrypted)"</label>
                <input
                    id="dev-passphrase"
                    type="password"
                    autocomplete="off"
                    bind:value=state.passphrase
                />
                <FieldMessage message=state.error("passphrase") />
            </Show>
            <Show when=move || source.get() == KeySource::Generate>
                <label for="dev-algorithm">"Key type"</label>
                <select
                    id="dev-algorithm"
                    on:change=move |ev| {
                        state.algorithm.set(match event_target_value(&ev).as_str() {
                            "rsa4096" => KeyAlgorithm::Rsa4096,
                            _ => KeyAlgorithm::Ed25519,
                        })
                    }
                >
                    <option value="ed25519" selected=move || state.algorithm.get() == KeyAlgorithm::Ed25519>
                        "Ed25519 (recommended)"
                    </option>
                    <option value="rsa4096" selected=move || state.algorithm.get() == KeyAlgorithm::Rsa4096>
                        "RSA-4096 (for older devices)"
                    </option>
                </select>
                <p class="hint muted">
                    "The private key stays on the server. You will get the public key to add to the device."
                </p>
                <FieldMessage message=state.error("private_key") />
            </Show>
        </fieldset>
    }
}

/// A public key in `authorized_keys` form, selectable, with a copy button.
#[component]
pub fn PublicKey(text: Signal<String>) -> impl IntoView {
    view! {
        <div class="public-key">
            <label for="dev-public-key">"Public key (for authorized_keys)"</label>
            <textarea
                id="dev-public-key"
                class="mono"
                rows="3"
                readonly
                spellcheck="false"
                prop:value=move || text.get()
            ></textarea>
            <CopyButton text label="Copy public key" />
        </div>
    }
}

/// Reads the chosen file in the browser into the key box; nothing is uploaded until Save.
fn load_key_file(
    ev: &leptos::ev::Event,
    target: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
) {
    let input: web_sys::HtmlInputElement = event_target(ev);
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    let fail = move |message: &str| {
        errors.update(|all| {
            all.retain(|e| e.field != "private_key");
            all.push(FieldError {
                field: "private_key".to_owned(),
                message: message.to_owned(),
            });
        })
    };
    if file.size() > MAX_PRIVATE_KEY_BYTES as f64 {
        fail("That file is too large to be a private key (at most 16 KiB).");
        return;
    }
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => {
                target.set(text.as_string().unwrap_or_default());
                errors.update(|all| all.retain(|e| e.field != "private_key"));
            }
            Err(_) => fail("The file could not be read."),
        }
    });
}
