//! The transfers of one file manager: each with its progress (bytes, rate, time left) and a
//! cancel button while it runs, and the panel that lists what runs, finished or failed.

use cloudshell::models::files::human_size;
use leptos::prelude::*;

use super::view_model::{rate, time_left};

/// Where a transfer stands.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferState {
    Queued,
    Running,
    /// Waiting for the user to say what to do with a name that is taken.
    Asking,
    Done,
    Skipped,
    Cancelled,
    Failed(String),
    /// A download handed to the browser, which shows its progress and can cancel it.
    HandedOver,
}

impl TransferState {
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            TransferState::Queued | TransferState::Running | TransferState::Asking
        )
    }

    fn label(&self) -> String {
        match self {
            TransferState::Queued => "Waiting".into(),
            TransferState::Running => "Uploading".into(),
            TransferState::Asking => "Name taken: choose what to do".into(),
            TransferState::Done => "Done".into(),
            TransferState::Skipped => "Skipped".into(),
            TransferState::Cancelled => "Cancelled".into(),
            TransferState::Failed(why) => format!("Failed: {why}"),
            TransferState::HandedOver => "Handed to your browser's downloads".into(),
        }
    }
}

/// One upload or download.
#[derive(Clone, Copy)]
pub struct Transfer {
    pub id: u64,
    pub name: StoredValue<String>,
    pub total: u64,
    pub done: RwSignal<u64>,
    pub state: RwSignal<TransferState>,
    /// Milliseconds (`Date.now()`) when the bytes started to flow.
    pub started: RwSignal<f64>,
    pub elapsed: RwSignal<f64>,
}

/// The list, newest last, and the cancel hooks of the running ones.
#[derive(Clone, Copy)]
pub struct Transfers {
    pub list: RwSignal<Vec<Transfer>>,
    next: StoredValue<u64>,
    pub open: RwSignal<bool>,
    /// The file manager's owner: transfers are added from async tasks, whose own owner
    /// may be gone by the time the transfer's signals are read.
    owner: StoredValue<Option<Owner>>,
}

/// Finished entries kept in the panel (older ones drop off).
const KEPT: usize = 200;

impl Transfers {
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            next: StoredValue::new(1),
            open: RwSignal::new(false),
            owner: StoredValue::new(Owner::current()),
        }
    }

    pub fn add(self, name: String, total: u64, state: TransferState) -> Transfer {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let make = move || Transfer {
            id,
            name: StoredValue::new(name),
            total,
            done: RwSignal::new(0),
            state: RwSignal::new(state),
            started: RwSignal::new(0.0),
            elapsed: RwSignal::new(0.0),
        };
        let transfer = match self.owner.get_value() {
            Some(owner) => owner.with(make),
            None => make(),
        };
        self.list.update(|list| {
            list.push(transfer);
            if list.len() > KEPT
                && let Some(i) = list.iter().position(|t| !t.state.get_untracked().is_live())
            {
                list.remove(i);
            }
        });
        self.open.set(true);
        transfer
    }

    pub fn running(self) -> usize {
        self.list
            .get()
            .iter()
            .filter(|t| t.state.get().is_live())
            .count()
    }

    /// Drops the finished ones from the panel.
    pub fn clear_finished(self) {
        self.list
            .update(|list| list.retain(|t| t.state.get_untracked().is_live()));
    }
}

impl Default for Transfers {
    fn default() -> Self {
        Self::new()
    }
}

/// The panel under the listing.
#[component]
pub fn TransfersPanel(transfers: Transfers, on_cancel: Callback<u64>) -> impl IntoView {
    let row = move |t: Transfer| {
        let percent = move || match t.done.get().saturating_mul(100).checked_div(t.total) {
            Some(p) => p.min(100),
            None if t.state.get() == TransferState::Done => 100,
            None => 0,
        };
        let figures = move || {
            let done = t.done.get();
            let millis = t.elapsed.get();
            let mut parts = vec![format!("{} of {}", human_size(done), human_size(t.total))];
            if t.state.get() == TransferState::Running {
                parts.push(rate(done, millis));
                parts.push(time_left(done, t.total, millis));
            }
            parts.retain(|p| !p.is_empty());
            parts.join(" · ")
        };
        let failed = move || matches!(t.state.get(), TransferState::Failed(_));
        view! {
            <li class="transfer" class:failed=failed data-name=t.name.get_value()>
                <div class="transfer-head">
                    <span class="transfer-name mono">{t.name.get_value()}</span>
                    <span class="transfer-state muted">{move || t.state.get().label()}</span>
                    <Show when=move || t.state.get().is_live()>
                        <button
                            class="button small"
                            aria-label=format!("Cancel {}", t.name.get_value())
                            on:click=move |_| on_cancel.run(t.id)
                        >
                            "Cancel"
                        </button>
                    </Show>
                </div>
                <Show when=move || t.state.get() != TransferState::HandedOver>
                    <progress max="100" value=percent aria-label=format!("{} progress", t.name.get_value())></progress>
                    <span class="transfer-figures muted">{figures}</span>
                </Show>
            </li>
        }
    };
    view! {
        <Show when=move || !transfers.list.get().is_empty()>
            <section class="transfers" aria-label="Transfers">
                <div class="transfers-header">
                    <button
                        class="button small"
                        aria-expanded=move || transfers.open.get().to_string()
                        on:click=move |_| transfers.open.update(|o| *o = !*o)
                    >
                        {move || {
                            let running = transfers.running();
                            if running > 0 {
                                format!("Transfers ({running} running)")
                            } else {
                                "Transfers".to_owned()
                            }
                        }}
                    </button>
                    <button class="button small" on:click=move |_| transfers.clear_finished()>
                        "Clear finished"
                    </button>
                </div>
                <Show when=move || transfers.open.get()>
                    <ul class="transfer-list">
                        <For each=move || transfers.list.get() key=|t| t.id children=row />
                    </ul>
                </Show>
            </section>
        </Show>
    }
}
