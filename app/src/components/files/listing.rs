//! The listing: sortable columns, a checkbox per row, and a page of rows at a time so a
//! folder of 10,000 entries stays quick. Double-click or Enter opens a folder.

use cloudshell::models::files::{FileEntry, FileKind, human_size, join_path, mode_string};
use leptos::prelude::*;

use super::state::{Browser, FileDialog};
use super::view_model::{PAGE_SIZE, SortKey, page_count, page_of, utc_minutes, visible};

/// The rows on screen: filtered, sorted, and the current page.
fn rows(browser: Browser) -> (Vec<FileEntry>, usize) {
    browser.listing.with(|listing| {
        let Some(listing) = listing else {
            return (Vec::new(), 0);
        };
        let all = visible(
            &listing.entries,
            browser.show_hidden.get(),
            &browser.filter.get(),
            browser.sort.get(),
        );
        let page = page_of(&all, browser.page.get()).to_vec();
        (page, all.len())
    })
}

#[component]
pub fn Listing(browser: Browser, on_download: Callback<Vec<FileEntry>>) -> impl IntoView {
    let shown = Memo::new(move |_| rows(browser));
    let open = move |entry: &FileEntry| {
        if entry.kind == FileKind::Dir {
            browser.go(join_path(&browser.path(), &entry.name));
        }
    };
    let header = move |key: SortKey| {
        let sorted = move || browser.sort.get().key == key;
        let aria = move || match (sorted(), browser.sort.get().ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        };
        view! {
            <th aria-sort=aria>
                <button class="sort" on:click=move |_| browser.sort.update(|s| *s = s.clicked(key))>
                    {key.label()}
                    <span aria-hidden="true">
                        {move || match (sorted(), browser.sort.get().ascending) {
                            (false, _) => "",
                            (true, true) => " ▲",
                            (true, false) => " ▼",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    let all_ticked = move || {
        let (page, _) = shown.get();
        !page.is_empty()
            && browser
                .selected
                .with(|s| page.iter().all(|e| s.contains(&e.name)))
    };
    let tick_all = move |_| {
        let (page, _) = shown.get_untracked();
        let on = !all_ticked();
        browser.selected.update(|s| {
            for e in &page {
                if on {
                    s.insert(e.name.clone());
                } else {
                    s.remove(&e.name);
                }
            }
        });
    };
    let row = move |entry: FileEntry| {
        let name = entry.name.clone();
        let is_ticked = {
            let name = name.clone();
            move || browser.selected.with(|s| s.contains(&name))
        };
        let ticked = is_ticked.clone();
        let toggle = {
            let name = name.clone();
            move |_| {
                browser.selected.update(|s| {
                    if !s.remove(&name) {
                        s.insert(name.clone());
                    }
                })
            }
        };
        let (e1, e2, e3, e4, e5) = (
            entry.clone(),
            entry.clone(),
            entry.clone(),
            entry.clone(),
            entry.clone(),
        );
        let is_dir = entry.kind == FileKind::Dir;
        let mode = entry
            .mode
            .map(|m| format!("{} {:04o}", mode_string(m), m))
            .unwrap_or_default();
        view! {
            <tr
                class="file-row"
                class:selected=is_ticked
                data-name=name.clone()
                tabindex="0"
                on:dblclick=move |_| open(&e1)
                on:keydown=move |e| {
                    if e.key() == "Enter" && e.target() == e.current_target() {
                        open(&e2);
                    }
                }
            >
                <td class="col-check">
                    <input type="checkbox" aria-label=format!("Select {name}") prop:checked=ticked on:change=toggle />
                </td>
                <td class="col-name">
                    <span class="file-icon">{super::icons::kind(entry.kind)}</span>
                    {if is_dir {
                        view! {
                            <button class="link-button" on:click=move |_| open(&e3)>{name.clone()}</button>
                        }
                            .into_any()
                    } else {
                        view! { <span>{name.clone()}</span> }.into_any()
                    }}
                </td>
                <td class="col-size" title=format!("{} bytes", entry.size)>
                    {if is_dir { String::new() } else { human_size(entry.size) }}
                </td>
                <td class="col-modified mono">{utc_minutes(entry.modified)}</td>
                <td class="col-mode mono">{mode}</td>
                <td class="col-owner">{entry.owner.clone().unwrap_or_default()}</td>
                <td class="col-actions">
                    <div class="row-actions">
                    <button
                        class="icon-button small"
                        title=if is_dir { "Download as .tar" } else { "Download" }
                        aria-label=format!("Download {name}")
                        on:click=move |_| on_download.run(vec![e4.clone()])
                    >
                        {super::icons::download()}
                    </button>
                    <button
                        class="icon-button small"
                        title="Rename"
                        aria-label=format!("Rename {name}")
                        on:click={
                            let entry = entry.clone();
                            move |_| browser.dialog.set(FileDialog::Rename(entry.clone()))
                        }
                    >
                        {super::icons::rename()}
                    </button>
                    <button
                        class="icon-button small"
                        title="Permissions"
                        aria-label=format!("Permissions of {name}")
                        on:click=move |_| browser.dialog.set(FileDialog::Chmod(e5.clone()))
                    >
                        {super::icons::lock()}
                    </button>
                    <button
                        class="icon-button small danger"
                        title="Delete"
                        aria-label=format!("Delete {name}")
                        on:click={
                            let entry = entry.clone();
                            move |_| browser.dialog.set(FileDialog::Delete(vec![entry.clone()]))
                        }
                    >
                        {super::icons::delete()}
                    </button>
                    </div>
                </td>
            </tr>
        }
    };
    let pages = move || page_count(shown.get().1);
    let range = move || {
        let (page, total) = shown.get();
        let first = browser.page.get().min(pages() - 1) * PAGE_SIZE;
        if total == 0 {
            String::new()
        } else {
            format!("{}–{} of {}", first + 1, first + page.len(), total)
        }
    };
    view! {
        <div class="file-table-wrap">
            <table class="file-table">
                <thead>
                    <tr>
                        <th class="col-check">
                            <input type="checkbox" aria-label="Select all shown" prop:checked=all_ticked on:change=tick_all />
                        </th>
                        {header(SortKey::Name)}
                        {header(SortKey::Size)}
                        {header(SortKey::Modified)}
                        {header(SortKey::Mode)}
                        {header(SortKey::Owner)}
                        <th class="col-actions"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || shown.get().0 key=|e| (e.name.clone(), e.size, e.modified, e.mode) children=row />
                </tbody>
            </table>
            <Show when=move || shown.get().1 == 0 && browser.listing.with(|l| l.is_some())>
                <p class="muted file-empty">
                    {move || if browser.filter.with(|f| f.trim().is_empty()) {
                        "This folder is empty. Drop files here or use Upload."
                    } else {
                        "Nothing matches the filter."
                    }}
                </p>
            </Show>
        </div>
        <div class="file-footer">
            <span class="muted">{range}</span>
            <Show when=move || browser.listing.with(|l| l.as_ref().is_some_and(|l| l.truncated))>
                <span class="warning">"Only the first 50,000 entries are shown."</span>
            </Show>
            <Show when=move || { pages() > 1 }>
                <button
                    class="button small"
                    disabled=move || browser.page.get() == 0
                    on:click=move |_| browser.page.update(|p| *p = p.saturating_sub(1))
                >
                    "Previous"
                </button>
                <span class="muted">{move || format!("Page {} of {}", browser.page.get().min(pages() - 1) + 1, pages())}</span>
                <button
                    class="button small"
                    disabled=move || { browser.page.get() + 1 >= pages() }
                    on:click=move |_| browser.page.update(|p| *p += 1)
                >
                    "Next"
                </button>
            </Show>
        </div>
    }
}
