use cloudshell::format::utc_timestamp;
use cloudshell::models::HostKeyView;
use leptos::prelude::*;

use crate::api::devices::{device_host_key, forget_host_key};
use crate::components::toast::use_toasts;

/// The host key trusted for a device, and (for admins) a way to forget it.
#[component]
pub fn HostKeyPanel(device_id: i64, is_admin: bool) -> impl IntoView {
    let key = RwSignal::new(None::<Result<Option<HostKeyView>, String>>);
    let pending = RwSignal::new(false);
    let toasts = use_toasts();
    let load = move || {
        leptos::task::spawn_local(async move {
            let result = device_host_key(device_id).await;
            key.set(Some(result.map_err(|e| e.to_string())));
        });
    };
    Effect::new(move |_| load());
    let forget = move |_| {
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = forget_host_key(device_id).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    toasts.success("Host key forgotten; the next connection learns it again");
                    key.set(Some(Ok(None)));
                }
                Err(e) => {
                    toasts.error(format!("The host key was not forgotten: {e}"));
                    key.set(Some(Err(e.to_string())));
                }
            }
        });
    };
    view! {
        <section class="host-key" aria-label="Host key">
            <h3>"Host key"</h3>
            {move || match key.get() {
                None => view! { <span class="spinner small" aria-label="Loading"></span> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                Some(Ok(None)) => {
                    view! {
                        <p class="muted">
                            "None stored yet. It is learned and trusted on the first connection."
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(Some(stored))) => {
                    view! {
                        <p class="host-key-line">
                            <span class="mono">{stored.algorithm.clone()}</span>
                            " "
                            <span class="mono fingerprint">{stored.fingerprint.clone()}</span>
                        </p>
                        <p class="muted">
                            "Learned " {utc_timestamp(stored.learned_at)}
                        </p>
                        <Show when=move || is_admin>
                            <button type="button" class="button small" disabled=pending on:click=forget>
                                "Forget host key"
                            </button>
                            <p class="hint muted">
                                "Forget it only if you know the device's key changed (a reinstall, say); the next connection trusts whatever key it presents."
                            </p>
                        </Show>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
