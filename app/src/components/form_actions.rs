use leptos::prelude::*;

/// A dialog form's foot: the server's refusal (if any), Cancel, and the submit button with a
/// spinner while the request runs.
#[component]
pub fn FormActions(
    error: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
    submit: &'static str,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </Show>
        <div class="dialog-actions">
            <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            <button type="submit" class="button primary" disabled=pending>
                <Show when=move || pending.get()>
                    <span class="spinner" aria-hidden="true"></span>
                </Show>
                {submit}
            </button>
        </div>
    }
}
