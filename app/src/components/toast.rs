//! Toasts: short, non-blocking notes about what an action did, dismissed by themselves.

use std::time::Duration;

use leptos::prelude::*;

/// Successes go quickly; failures stay long enough to read what to do next.
const SUCCESS_FOR: Duration = Duration::from_secs(4);
const ERROR_FOR: Duration = Duration::from_secs(8);
/// More than this at once is noise: the oldest go first.
const MAX_SHOWN: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

#[derive(Debug, Clone)]
struct Toast {
    id: u64,
    kind: ToastKind,
    text: String,
}

/// The app's toasts, shared through context.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            next: StoredValue::new(1),
        }
    }

    pub fn push(self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let text = text.into();
        self.list.update(|list| {
            list.push(Toast { id, kind, text });
            let extra = list.len().saturating_sub(MAX_SHOWN);
            list.drain(..extra);
        });
        let after = match kind {
            ToastKind::Success => SUCCESS_FOR,
            ToastKind::Error => ERROR_FOR,
        };
        set_timeout(move || self.dismiss(id), after);
    }

    pub fn dismiss(self, id: u64) {
        // The timer may outlive the page's reactive owner; then there is nothing to do.
        if let Some(list) = self.list.try_get_untracked()
            && list.iter().any(|t| t.id == id)
        {
            self.list.update(|list| list.retain(|t| t.id != id));
        }
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

/// The app's toasts. Call it while building a component (not inside an async task, which
/// has no context) and keep the handle; outside the app it returns toasts nobody shows.
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_default()
}

impl Toasts {
    pub fn success(self, text: impl Into<String>) {
        self.push(ToastKind::Success, text);
    }

    pub fn error(self, text: impl Into<String>) {
        self.push(ToastKind::Error, text);
    }
}

/// The corner where toasts appear; screen readers hear them as they come.
#[component]
pub fn ToastRegion(toasts: Toasts) -> impl IntoView {
    view! {
        <div class="toasts" role="region" aria-label="Notifications" aria-live="polite">
            <For
                each=move || toasts.list.get()
                key=|t| t.id
                children=move |toast: Toast| {
                    let (class, role) = match toast.kind {
                        ToastKind::Success => ("toast toast-success", "status"),
                        ToastKind::Error => ("toast toast-error", "alert"),
                    };
                    let id = toast.id;
                    view! {
                        <div class=class role=role data-testid="toast">
                            <span class="toast-text">{toast.text}</span>
                            <button
                                class="icon-button small"
                                aria-label="Dismiss notification"
                                title="Dismiss"
                                on:click=move |_| toasts.dismiss(id)
                            >
                                "✕"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
