use leptos::ev;
use leptos::prelude::*;

/// A modal dialog: backdrop click and Esc close it; focus moves into it when it opens.
#[component]
pub fn Modal(
    title: String,
    on_close: Callback<()>,
    children: Children,
    #[prop(optional)] wide: bool,
) -> impl IntoView {
    let handle = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || handle.remove());
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        // Focus the first field (or the dialog itself) so keyboard users land inside.
        if let Some(dialog) = dialog_ref.get() {
            let target = dialog
                .query_selector("input, select, textarea, button:not(.modal-close)")
                .ok()
                .flatten();
            match target {
                Some(el) => {
                    let _ =
                        wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(el).focus();
                }
                None => {
                    let _ = dialog.focus();
                }
            }
        }
    });
    let label = title.clone();
    view! {
        <div class="modal-backdrop" on:click=move |_| on_close.run(())>
            <div
                class=if wide { "modal modal-wide" } else { "modal" }
                role="dialog"
                aria-modal="true"
                aria-label=label
                tabindex="-1"
                node_ref=dialog_ref
                on:click=|e| e.stop_propagation()
            >
                <div class="modal-header">
                    <h2>{title}</h2>
                    <button
                        class="icon-button modal-close"
                        aria-label="Close"
                        title="Close (Esc)"
                        on:click=move |_| on_close.run(())
                    >
                        "✕"
                    </button>
                </div>
                {children()}
            </div>
        </div>
    }
}
