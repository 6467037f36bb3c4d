//! Search in a terminal's scrollback: a bar over the terminal (Ctrl+Shift+F), with next
//! and previous, the match count, and match case. Enter finds the next match, Shift+Enter
//! the previous one, Esc closes the bar and gives the keyboard back to the terminal.

use leptos::prelude::*;

/// xterm.js highlights (and counts) at most this many matches.
const HIGHLIGHT_LIMIT: u32 = 1000;

/// Where the search stands: the match shown and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchResults {
    /// 0-based; `None` when nothing is selected.
    pub index: Option<u32>,
    pub count: u32,
}

/// What the bar asks of the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchRequest {
    Find {
        query: String,
        backwards: bool,
        case_sensitive: bool,
        /// Typing: keep the current match while it still fits.
        incremental: bool,
    },
    /// The bar closed: remove the highlights and give the terminal the keyboard.
    Close,
}

/// One terminal's search: whether the bar is open, and what xterm.js found.
#[derive(Debug, Clone, Copy)]
pub struct SearchState {
    pub open: RwSignal<bool>,
    pub results: RwSignal<SearchResults>,
}

impl SearchState {
    pub fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            results: RwSignal::new(SearchResults::default()),
        }
    }
}

/// The words beside the box: "3 of 12", "No results", or nothing before a query.
pub fn summary(query: &str, results: SearchResults) -> String {
    if query.is_empty() {
        return String::new();
    }
    let total = if results.count >= HIGHLIGHT_LIMIT {
        format!("{HIGHLIGHT_LIMIT}+")
    } else {
        results.count.to_string()
    };
    match (results.count, results.index) {
        (0, _) => "No results".to_owned(),
        (_, Some(i)) => format!("{} of {total}", i + 1),
        (_, None) => format!("{total} found"),
    }
}

#[component]
pub fn SearchBar(state: SearchState, on_request: Callback<SearchRequest>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let case_sensitive = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let find = move |backwards: bool, incremental: bool| {
        on_request.run(SearchRequest::Find {
            query: query.get_untracked(),
            backwards,
            case_sensitive: case_sensitive.get_untracked(),
            incremental,
        });
    };
    let close = move || {
        state.open.set(false);
        on_request.run(SearchRequest::Close);
    };
    // Opening (again) puts the cursor in the box with the last query selected.
    Effect::new(move |_| {
        if state.open.get()
            && let Some(input) = input.get()
        {
            let _ = input.focus();
            input.select();
        }
    });
    view! {
        <div
            class="terminal-search"
            role="search"
            on:keydown=move |e| {
                if e.key() == "Escape" {
                    e.prevent_default();
                    e.stop_propagation();
                    close();
                }
            }
        >
            <input
                type="search"
                node_ref=input
                placeholder="Search scrollback"
                aria-label="Search the scrollback"
                prop:value=query
                on:input=move |e| {
                    query.set(event_target_value(&e));
                    find(false, true);
                }
                on:keydown=move |e| {
                    if e.key() == "Enter" {
                        e.prevent_default();
                        find(e.shift_key(), false);
                    }
                }
            />
            <span class="search-count" aria-live="polite">
                {move || summary(&query.get(), state.results.get())}
            </span>
            <label class="search-case" title="Match case">
                <input
                    type="checkbox"
                    prop:checked=case_sensitive
                    on:change=move |e| {
                        case_sensitive.set(event_target_checked(&e));
                        find(false, false);
                    }
                />
                "Aa"
            </label>
            {bar_button("Previous match", "Shift+Enter", "↑", move || find(true, false))}
            {bar_button("Next match", "Enter", "↓", move || find(false, false))}
            {bar_button("Close search", "Esc", "✕", close)}
        </div>
    }
}

/// One of the bar's icon buttons: `name` is what a screen reader says, the title adds its key.
fn bar_button(
    name: &'static str,
    key: &'static str,
    glyph: &'static str,
    act: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="icon-button"
            title=format!("{name} ({key})")
            aria-label=name
            on:click=move |_| act()
        >
            {glyph}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_reads_as_a_person_would_say_it() {
        let at = |index, count| SearchResults { index, count };
        assert_eq!(summary("", at(None, 5)), "");
        assert_eq!(summary("foo", at(None, 0)), "No results");
        assert_eq!(summary("foo", at(Some(2), 12)), "3 of 12");
        assert_eq!(summary("foo", at(Some(0), 1000)), "1 of 1000+");
        assert_eq!(summary("foo", at(None, 4)), "4 found");
    }
}
