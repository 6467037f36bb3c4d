//! A searchable list of checkboxes: which groups a user is in, which members and devices a
//! group holds.

use cloudshell::models::users::NamedId;
use leptos::prelude::*;

#[component]
pub fn Picker(
    /// What is picked, for the legend and the search box's label: "Groups".
    label: &'static str,
    items: Signal<Vec<NamedId>>,
    chosen: RwSignal<Vec<i64>>,
    /// Shown when there is nothing to pick at all.
    empty: &'static str,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let shown = move || {
        let needle = filter.get().trim().to_lowercase();
        items
            .get()
            .into_iter()
            .filter(|i| needle.is_empty() || i.name.to_lowercase().contains(&needle))
            .collect::<Vec<_>>()
    };
    let row = move |item: NamedId| {
        let id = item.id;
        view! {
            <li>
                <label class="picker-item">
                    <input
                        type="checkbox"
                        prop:checked=move || chosen.with(|c| c.contains(&id))
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            chosen.update(|c| {
                                c.retain(|x| *x != id);
                                if on {
                                    c.push(id);
                                }
                            });
                        }
                    />
                    <span>{item.name.clone()}</span>
                </label>
            </li>
        }
    };
    view! {
        <fieldset class="picker">
            <legend>{label} " " <span class="muted">{move || format!("({} chosen)", chosen.with(Vec::len))}</span></legend>
            <input
                type="search"
                class="picker-filter"
                placeholder="Search"
                aria-label=format!("Search {}", label.to_lowercase())
                bind:value=filter
            />
            <ul class="picker-list">
                <For each=shown key=|i| (i.id, i.name.clone()) children=row />
            </ul>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="muted">{empty}</p>
            </Show>
            <Show when=move || !items.with(Vec::is_empty) && shown().is_empty()>
                <p class="muted">"Nothing matches the search."</p>
            </Show>
        </fieldset>
    }
}
