use std::collections::HashSet;
use std::time::Duration;

use cloudshell::format::utc_clock;
use cloudshell::models::{AuditFilter, AuditPage, PageCursor, SessionInfo, VerifyReport};
use leptos::prelude::*;
use time::OffsetDateTime;

use super::filters::AuditFilters;
use super::table::AuditTable;
use crate::api::audit::{list_audit, verify_audit_chain};
use crate::components::modal::Modal;
use crate::error::AppError;
use crate::nav::go_to;

const POLL_EVERY: Duration = Duration::from_secs(10);
const HIGHLIGHT_FOR: Duration = Duration::from_secs(3);
const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];

/// The viewer's state. A fetch never clears rows already shown: errors sit beside them.
#[derive(Clone, Copy)]
struct ViewerState {
    page: RwSignal<Option<AuditPage>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    updated: RwSignal<Option<OffsetDateTime>>,
    fresh: RwSignal<HashSet<i64>>,
    chain: RwSignal<Option<Result<VerifyReport, String>>>,
    /// Increases with every fetch; a late answer to an older fetch is ignored.
    generation: StoredValue<u64>,
    /// The caller reads the whole log (admin, auditor), so the chain badge applies.
    whole_log: bool,
}

impl ViewerState {
    fn new() -> Self {
        Self {
            page: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            updated: RwSignal::new(None),
            fresh: RwSignal::new(HashSet::new()),
            chain: RwSignal::new(None),
            generation: StoredValue::new(0),
            whole_log: use_context::<SessionInfo>()
                .is_none_or(|info| info.role.reads_whole_audit_log()),
        }
    }

    /// Loads a page. `silent` (polling) shows no spinner and highlights rows that are new.
    fn fetch(self, filter: AuditFilter, cursor: PageCursor, limit: u32, silent: bool) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        if !silent {
            self.loading.set(true);
        }
        leptos::task::spawn_local(async move {
            let result = list_audit(filter, cursor, limit).await;
            if self.generation.get_value() != generation {
                return;
            }
            self.loading.set(false);
            match result {
                Ok(page) => {
                    // Pages are newest first: the first row shown is the newest known.
                    let newest_known = self
                        .page
                        .get_untracked()
                        .and_then(|p| p.entries.first().map(|e| e.id));
                    let fresh: HashSet<i64> = match (silent, newest_known) {
                        (true, Some(max)) => page
                            .entries
                            .iter()
                            .map(|e| e.id)
                            .filter(|id| *id > max)
                            .collect(),
                        _ => HashSet::new(),
                    };
                    if !fresh.is_empty() {
                        self.fresh.set(fresh);
                        set_timeout(move || self.fresh.set(HashSet::new()), HIGHLIGHT_FOR);
                    }
                    self.page.set(Some(page));
                    self.error.set(None);
                    self.updated.set(Some(OffsetDateTime::now_utc()));
                }
                Err(AppError::Unauthorized) => go_to("/login"),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    fn check_chain(self) {
        // Verification is for those who read the whole log; an operator's view has no badge.
        if !self.whole_log {
            return;
        }
        leptos::task::spawn_local(async move {
            let result = verify_audit_chain(false).await;
            match result {
                Err(AppError::Unauthorized) => go_to("/login"),
                other => self.chain.set(Some(other.map_err(|e| e.to_string()))),
            }
        });
    }
}

#[component]
pub fn AuditViewer(on_close: Callback<()>) -> impl IntoView {
    let state = ViewerState::new();
    let filter = RwSignal::new(AuditFilter::default());
    let cursor = RwSignal::new(PageCursor::Newest);
    let limit = RwSignal::new(50u32);

    // A new filter or page size starts again from the newest page.
    Effect::watch(
        move || (filter.get(), limit.get()),
        move |_, _, _| cursor.set(PageCursor::Newest),
        false,
    );
    // Any change of what to show loads it, with the spinner.
    Effect::new(move |_| state.fetch(filter.get(), cursor.get(), limit.get(), false));
    Effect::new(move |_| state.check_chain());

    // Poll while open, and catch up at once when the browser tab becomes visible again.
    Effect::new(move |_| {
        let poll = move || {
            let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
            if visible {
                state.fetch(
                    filter.get_untracked(),
                    cursor.get_untracked(),
                    limit.get_untracked(),
                    true,
                );
                // Cheap: the server checks only entries added since its last check.
                state.check_chain();
            }
        };
        let interval = set_interval_with_handle(poll, POLL_EVERY);
        let visibility = window_event_listener_untyped("visibilitychange", move |_| poll());
        on_cleanup(move || {
            if let Ok(h) = interval {
                h.clear();
            }
            visibility.remove();
        });
    });

    let total = move || state.page.get().map(|p| p.total);
    let entries = Signal::derive(move || state.page.get().map(|p| p.entries).unwrap_or_default());
    let older = move || state.page.get().and_then(|p| p.older_cursor);
    let newer = move || state.page.get().and_then(|p| p.newer_cursor);
    let refresh = move |_| {
        state.fetch(
            filter.get_untracked(),
            cursor.get_untracked(),
            limit.get_untracked(),
            false,
        );
        state.check_chain();
    };
    let export_href =
        move |format: &str| format!("/api/audit/export?{}", filter.get().export_query(format));

    view! {
        <Modal title="Audit log".to_owned() on_close wide=true>
            <div class="audit-toolbar">
                <span class="audit-count" data-testid="audit-total">
                    {move || match total() {
                        Some(1) => "1 entry".to_owned(),
                        Some(n) => format!("{n} entries"),
                        None => "…".to_owned(),
                    }}
                </span>
                <span class="muted" data-testid="audit-updated">
                    {move || state.updated.get().map(|t| format!("Updated {} UTC", utc_clock(t)))}
                </span>
                {state.whole_log.then(|| view! { <ChainBadge chain=state.chain /> })}
                {(!state.whole_log).then(|| view! {
                    <span class="muted" data-testid="audit-own-only">"Your own entries"</span>
                })}
                <span class="toolbar-spacer"></span>
                <button
                    class="icon-button"
                    class:spinning=move || state.loading.get()
                    aria-label="Refresh"
                    title="Refresh"
                    on:click=refresh
                >
                    "⟳"
                </button>
                <details class="export-menu">
                    <summary class="button">"Export"</summary>
                    <div class="menu">
                        <a href=move || export_href("csv") download>"CSV"</a>
                        <a href=move || export_href("ndjson") download>"NDJSON"</a>
                    </div>
                </details>
            </div>
            <AuditFilters filter />
            <Show when=move || state.error.get().is_some()>
                <div class="form-error audit-error" role="alert">
                    {move || state.error.get()}
                    " "
                    <button class="button" on:click=refresh>"Retry"</button>
                </div>
            </Show>
            <Show
                when=move || !(state.page.get().is_some() && entries.get().is_empty())
                fallback=|| view! { <p class="empty-state muted">"No audit log entries yet"</p> }
            >
                <Show
                    when=move || state.page.get().is_some()
                    fallback=|| view! { <div class="audit-loading"><span class="spinner" aria-label="Loading"></span></div> }
                >
                    <AuditTable entries fresh=state.fresh.into() />
                </Show>
            </Show>
            <div class="audit-pager">
                <button class="button" disabled=move || newer().is_none()
                    on:click=move |_| if let Some(id) = newer() { cursor.set(PageCursor::After(id)) }>
                    "← Newer"
                </button>
                <button class="button" disabled=move || older().is_none()
                    on:click=move |_| if let Some(id) = older() { cursor.set(PageCursor::Before(id)) }>
                    "Older →"
                </button>
                <label class="inline-label">
                    "Per page"
                    <select on:change=move |e| {
                        if let Ok(n) = event_target_value(&e).parse() {
                            limit.set(n);
                        }
                    }>
                        {PAGE_SIZES
                            .iter()
                            .map(|n| view! { <option value=n.to_string() selected=*n == 50>{n.to_string()}</option> })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </Modal>
    }
}

#[component]
fn ChainBadge(chain: RwSignal<Option<Result<VerifyReport, String>>>) -> impl IntoView {
    move || match chain.get() {
        None => view! { <span class="badge">"Chain: checking…"</span> }.into_any(),
        Some(Ok(r)) if r.intact => {
            let title = match r.last_seal_id {
                Some(id) => format!(
                    "Every entry's hash verifies; sealed up to entry {id}, {} newer",
                    r.unsealed
                ),
                None => "Every entry's hash verifies".to_owned(),
            };
            view! { <span class="badge badge-ok" title=title>"Chain intact"</span> }.into_any()
        }
        Some(Ok(r)) => view! {
            <span class="badge badge-danger" title=r.problem.map(|p| p.text())>
                {format!("Chain broken at id {}", r.first_broken_id.unwrap_or_default())}
            </span>
        }
        .into_any(),
        Some(Err(_)) => view! { <span class="badge badge-warn">"Chain: unknown"</span> }.into_any(),
    }
}
