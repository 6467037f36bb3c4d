use cloudshell::models::DeviceView;
use leptos::prelude::*;

use crate::api::devices::delete_device;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;

/// "Delete web01?" with Cancel focused first, so Enter does not delete by accident.
#[component]
pub fn ConfirmDelete(
    device: DeviceView,
    on_deleted: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = device.id;
    let toasts = use_toasts();
    let name = device.name.clone();
    let delete = move |_| {
        let name = name.clone();
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = delete_device(id).await;
            pending.set(false);
            match result {
                Ok(()) => {
                    toasts.success(format!("Deleted {name}"));
                    on_deleted.run(());
                    on_close.run(());
                }
                Err(e) => {
                    toasts.error(format!("{name} was not deleted: {e}"));
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <Modal title=format!("Delete {}?", device.name) on_close>
            <p>
                "This removes " <strong>{device.name.clone()}</strong> " ("
                <span class="mono">{device.target()}</span>
                ") and its stored credentials. This cannot be undone."
            </p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <div class="dialog-actions">
                <button class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="button danger" disabled=pending on:click=delete>
                    <Show when=move || pending.get()>
                        <span class="spinner" aria-hidden="true"></span>
                    </Show>
                    "Delete"
                </button>
            </div>
        </Modal>
    }
}
