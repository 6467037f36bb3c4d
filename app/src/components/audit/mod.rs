//! The audit log viewer: an icon in the header opens a modal that stays current by polling.

mod filters;
mod table;
mod viewer;

use leptos::prelude::*;

/// The header's audit icon-button and, while open, the viewer.
#[component]
pub fn AuditLogButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            class="icon-button"
            aria-label="Audit log"
            title="Audit log"
            on:click=move |_| open.set(true)
        >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path d="M6 3h9l4 4v14H6z M14 3v5h5 M9 12h7 M9 16h7" fill="none"
                    stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
            </svg>
        </button>
        // Mounted only while open: closing drops its timers and listeners, reopening
        // starts from a fresh fetch.
        <Show when=move || open.get()>
            <viewer::AuditViewer on_close=Callback::new(move |_| open.set(false)) />
        </Show>
    }
}
