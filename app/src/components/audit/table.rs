use std::collections::HashSet;

use cloudshell::format::utc_timestamp;
use cloudshell::models::AuditEntry;
use leptos::prelude::*;

/// The rows. `fresh` holds ids that arrived with the last poll, highlighted briefly.
#[component]
pub fn AuditTable(entries: Signal<Vec<AuditEntry>>, fresh: Signal<HashSet<i64>>) -> impl IntoView {
    view! {
        <div class="audit-table-wrap">
            <table class="audit-table">
                <thead>
                    <tr>
                        <th scope="col">"Timestamp"</th>
                        <th scope="col">"User"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Source IP"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || entries.get() key=|e| e.id let:entry>
                        <tr
                            class:fresh=move || fresh.get().contains(&entry.id)
                            data-id=entry.id
                        >
                            <td class="nowrap">{utc_timestamp(entry.ts)}</td>
                            <td>{entry.username.clone()}</td>
                            <td>
                                <span class=entry.action.kind().css_class() title=entry.action.as_str().to_owned()>
                                    {entry.action.label().to_owned()}
                                </span>
                            </td>
                            <td class="mono">{entry.source_ip.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="detail">{entry.detail.clone()}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}
