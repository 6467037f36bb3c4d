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
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    let handle = window_event_listener(ev::keydown, move |e| match e.key().as_str() {
        "Escape" => on_close.run(()),
        "Tab" => {
            if let Some(dialog) = dialog_ref.get_untracked()
                && trap_tab(&dialog, e.shift_key())
            {
                e.prevent_default();
            }
        }
        _ => {}
    });
    on_cleanup(move || handle.remove());
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

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

/// Keeps Tab inside the dialog: from the last focusable element to the first and back.
/// Returns true when it moved focus itself.
fn trap_tab(dialog: &web_sys::HtmlDivElement, backwards: bool) -> bool {
    use wasm_bindgen::JsCast;
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return false;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return false;
    };
    let active = document().active_element();
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let outside = active
        .as_ref()
        .is_none_or(|a| !dialog.contains(Some(a.unchecked_ref::<web_sys::Node>())));
    if backwards && (at(first) || outside) {
        let _ = last.focus();
        true
    } else if !backwards && (at(last) || outside) {
        let _ = first.focus();
        true
    } else {
        false
    }
}
