//! The bar above the listing: Up, Refresh, the breadcrumbs and an editable path, the hidden
//! toggle and the filter, and the actions (new folder, upload, and those on the selection).

use leptos::prelude::*;

use super::state::{Browser, FileDialog};
use cloudshell::models::files::parent_path;

/// "/", "/home", "/home/ann" for "/home/ann", each with its label.
fn crumbs(path: &str) -> Vec<(String, String)> {
    let mut out = vec![("/".to_owned(), "/".to_owned())];
    let mut at = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        at.push('/');
        at.push_str(part);
        out.push((at.clone(), part.to_owned()));
    }
    out
}

#[component]
pub fn Toolbar(
    browser: Browser,
    on_pick_files: Callback<()>,
    on_pick_folder: Callback<()>,
    on_download_selected: Callback<()>,
) -> impl IntoView {
    let path = Memo::new(move |_| {
        browser
            .listing
            .with(|l| l.as_ref().map(|l| l.path.clone()).unwrap_or_default())
    });
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| typed.set(path.get()));
    // Only what is ticked and shown counts (and is acted on).
    let ticked = Memo::new(move |_| {
        browser.selected.track();
        browser.listing.track();
        browser.filter.track();
        browser.show_hidden.track();
        browser.selected_entries().len()
    });
    let selected = move || ticked.get();
    let ready = move || browser.session.with(|s| s.is_some());
    view! {
        <div class="file-toolbar">
            <div class="file-nav">
                <button
                    class="icon-button"
                    title="Up one folder"
                    aria-label="Up one folder"
                    disabled=move || !ready() || path.get() == "/"
                    on:click=move |_| browser.go(parent_path(&path.get_untracked()))
                >
                    {super::icons::up()}
                </button>
                <button
                    class="icon-button"
                    title="Refresh"
                    aria-label="Refresh"
                    disabled=move || !ready()
                    on:click=move |_| browser.refresh()
                >
                    {super::icons::refresh()}
                </button>
                <button
                    class="icon-button"
                    title="Home folder"
                    aria-label="Home folder"
                    disabled=move || !ready()
                    on:click=move |_| browser.go(browser.home.get_untracked())
                >
                    {super::icons::home()}
                </button>
                <nav class="crumbs" aria-label="Folder path">
                    {move || {
                        crumbs(&path.get())
                            .into_iter()
                            .map(|(to, label)| {
                                view! {
                                    <button class="link-button crumb" on:click=move |_| browser.go(to.clone())>
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                </nav>
                <Show when=move || browser.loading.get()>
                    <span class="spinner small" aria-label="Loading"></span>
                </Show>
            </div>
            <form
                class="file-path"
                on:submit=move |e| {
                    e.prevent_default();
                    let wanted = typed.get_untracked().trim().to_owned();
                    if !wanted.is_empty() {
                        browser.go(wanted);
                    }
                }
            >
                <input
                    class="mono"
                    type="text"
                    aria-label="Path"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value=move || typed.get()
                    on:input=move |e| typed.set(event_target_value(&e))
                />
                <button class="button small" type="submit" disabled=move || !ready()>"Go"</button>
            </form>
            <div class="file-actions">
                <input
                    class="file-filter"
                    type="search"
                    placeholder="Filter"
                    aria-label="Filter by name"
                    prop:value=move || browser.filter.get()
                    on:input=move |e| {
                        browser.filter.set(event_target_value(&e));
                        browser.page.set(0);
                    }
                />
                <label class="choice">
                    <input
                        type="checkbox"
                        prop:checked=move || browser.show_hidden.get()
                        on:change=move |_| browser.show_hidden.update(|h| *h = !*h)
                    />
                    "Hidden files"
                </label>
                <button class="button small" disabled=move || !ready() on:click=move |_| browser.dialog.set(FileDialog::NewFolder)>
                    "New folder"
                </button>
                <button class="button small" disabled=move || !ready() on:click=move |_| on_pick_files.run(())>
                    "Upload files"
                </button>
                <button class="button small" disabled=move || !ready() on:click=move |_| on_pick_folder.run(())>
                    "Upload folder"
                </button>
                <Show when=move || { selected() > 0 }>
                    <button class="button small" on:click=move |_| on_download_selected.run(())>
                        {move || format!("Download {}", selected())}
                    </button>
                    <button
                        class="button small danger"
                        on:click=move |_| browser.dialog.set(FileDialog::Delete(browser.selected_entries()))
                    >
                        {move || format!("Delete {}", selected())}
                    </button>
                </Show>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::crumbs;

    #[test]
    fn every_folder_on_the_way_is_a_crumb() {
        let got = crumbs("/home/ann");
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["/", "/home", "/home/ann"]);
        assert_eq!(crumbs("/").len(), 1);
    }
}
