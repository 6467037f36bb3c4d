use leptos::prelude::*;

use super::toast::use_toasts;

/// Copies `text` to the clipboard and says so for two seconds. Where the Clipboard API is
/// missing (plain HTTP on a LAN address), it says how to copy by hand instead.
#[component]
pub fn CopyButton(
    text: Signal<String>,
    /// What is copied, for the button's label: "Copy public key".
    label: &'static str,
) -> impl IntoView {
    let status = RwSignal::new(None::<&'static str>);
    let toasts = use_toasts();
    let copy = move |_| {
        let value = text.get_untracked();
        leptos::task::spawn_local(async move {
            let done = write_clipboard(&value).await;
            if done {
                toasts.success("Copied to the clipboard");
            } else {
                toasts
                    .error("The clipboard is not available here: select the text and press Ctrl+C");
            }
            status.set(Some(if done {
                "Copied"
            } else {
                "Select the text and press Ctrl+C"
            }));
            set_timeout(move || status.set(None), std::time::Duration::from_secs(2));
        });
    };
    view! {
        <button type="button" class="button small" aria-label=label title=label on:click=copy>
            {move || status.get().unwrap_or("Copy")}
        </button>
    }
}

/// Writes `text` to the clipboard; false where the Clipboard API is missing or refuses.
#[cfg(feature = "hydrate")]
pub async fn write_clipboard(text: &str) -> bool {
    let navigator = window().navigator();
    // `navigator.clipboard` exists only in secure contexts (HTTPS or localhost).
    let available = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|v| !v.is_undefined())
        .unwrap_or(false);
    if !available {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}

#[cfg(not(feature = "hydrate"))]
pub async fn write_clipboard(_text: &str) -> bool {
    false
}
