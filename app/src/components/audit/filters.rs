use cloudshell::models::{AuditAction, AuditFilter};
use leptos::prelude::*;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The value format of `<input type="datetime-local">`; read as UTC.
const LOCAL_INPUT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]");

fn parse_utc(value: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(value, LOCAL_INPUT)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim().to_owned();
    (!t.is_empty()).then_some(t)
}

/// Filter inputs. Applying (Enter, or any select/checkbox change) writes `filter`.
#[component]
pub fn AuditFilters(filter: RwSignal<AuditFilter>) -> impl IntoView {
    let user = RwSignal::new(String::new());
    let ip = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let actions = RwSignal::new(Vec::<String>::new());

    let apply = move || {
        filter.set(AuditFilter {
            user: non_empty(user.get_untracked()),
            actions: actions.get_untracked(),
            ip: non_empty(ip.get_untracked()),
            from: parse_utc(&from.get_untracked()),
            to: parse_utc(&to.get_untracked()),
            text: non_empty(text.get_untracked()),
        });
    };
    let clear = move |_| {
        for s in [user, ip, text, from, to] {
            s.set(String::new());
        }
        actions.set(Vec::new());
        apply();
    };
    let actions_summary = move || match actions.get().len() {
        0 => "All actions".to_owned(),
        n => format!("{n} action(s)"),
    };

    view! {
        <form
            class="audit-filters"
            aria-label="Filter the audit log"
            on:submit=move |e| {
                e.prevent_default();
                apply();
            }
        >
            <input type="search" placeholder="User" aria-label="Filter by user" bind:value=user
                on:change=move |_| apply() />
            <details class="action-picker">
                <summary aria-label="Filter by action">{actions_summary}</summary>
                <div class="action-options">
                    {AuditAction::KNOWN
                        .iter()
                        .map(|a| {
                            let code = a.as_str().to_owned();
                            let code_for_check = code.clone();
                            view! {
                                <label>
                                    <input
                                        type="checkbox"
                                        prop:checked=move || actions.get().contains(&code_for_check)
                                        on:change=move |e| {
                                            let on = event_target_checked(&e);
                                            actions.update(|list| {
                                                list.retain(|c| c != &code);
                                                if on {
                                                    list.push(code.clone());
                                                }
                                            });
                                            apply();
                                        }
                                    />
                                    {a.label().to_owned()}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </details>
            <input type="search" placeholder="Source IP" aria-label="Filter by source IP"
                class="mono" bind:value=ip on:change=move |_| apply() />
            <label class="inline-label">
                "From (UTC)"
                <input type="datetime-local" bind:value=from on:change=move |_| apply() />
            </label>
            <label class="inline-label">
                "To (UTC)"
                <input type="datetime-local" bind:value=to on:change=move |_| apply() />
            </label>
            <input type="search" placeholder="Search detail" aria-label="Search the detail text"
                bind:value=text on:change=move |_| apply() />
            <button type="button" class="button" on:click=clear>"Clear"</button>
        </form>
    }
}
