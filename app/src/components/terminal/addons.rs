//! The xterm.js addons beyond fit: search in the scrollback, and clickable links. Both come
//! from their npm packages, served from `/xterm/` and named in the shell's import map.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use xterm_js_rs::{Disposable, Terminal};

use super::search::SearchResults;

#[wasm_bindgen(module = "@xterm/addon-search")]
extern "C" {
    type SearchAddon;
    #[wasm_bindgen(constructor)]
    fn new(options: &JsValue) -> SearchAddon;
    #[wasm_bindgen(method, js_name = "findNext")]
    fn find_next(this: &SearchAddon, term: &str, options: &JsValue) -> bool;
    #[wasm_bindgen(method, js_name = "findPrevious")]
    fn find_previous(this: &SearchAddon, term: &str, options: &JsValue) -> bool;
    #[wasm_bindgen(method, js_name = "clearDecorations")]
    fn clear_decorations(this: &SearchAddon);
    #[wasm_bindgen(method, getter, js_name = "onDidChangeResults")]
    fn on_did_change_results(this: &SearchAddon) -> js_sys::Function;
}

#[wasm_bindgen(module = "@xterm/addon-web-links")]
extern "C" {
    type WebLinksAddon;
    #[wasm_bindgen(constructor)]
    fn new(handler: &js_sys::Function) -> WebLinksAddon;
}

fn set(target: &JsValue, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), &value);
}

/// The search options for one query. The decorations are what make xterm.js highlight every
/// match and report the result count.
fn search_options(case_sensitive: bool, incremental: bool) -> JsValue {
    let decorations: JsValue = js_sys::Object::new().into();
    set(&decorations, "matchBackground", "#7c5b00".into());
    set(&decorations, "matchOverviewRuler", "#f59e0b".into());
    set(&decorations, "activeMatchBackground", "#f59e0b".into());
    set(
        &decorations,
        "activeMatchColorOverviewRuler",
        "#fbbf24".into(),
    );
    let options: JsValue = js_sys::Object::new().into();
    set(&options, "caseSensitive", case_sensitive.into());
    set(&options, "incremental", incremental.into());
    set(&options, "decorations", decorations);
    options
}

/// Opens a link from terminal output in a new tab that cannot reach back into this page
/// (`noopener`) and is not told where it came from. Only web addresses are opened.
fn open_link(uri: &str) {
    let lower = uri.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return;
    }
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(uri, "_blank", "noopener,noreferrer");
    }
}

/// The addons loaded into one terminal, kept alive with it.
pub struct Addons {
    search: SearchAddon,
    results: RwSignal<SearchResults>,
    results_subscription: Option<Disposable>,
    _on_link: Closure<dyn FnMut(JsValue, String)>,
    _on_results: Closure<dyn FnMut(JsValue)>,
}

impl Addons {
    /// Loads search and links into `term`; search results are written to `results`.
    pub fn load(term: &Terminal, results: RwSignal<SearchResults>) -> Self {
        let search = SearchAddon::new(&JsValue::UNDEFINED);
        term.load_addon(search.unchecked_ref::<JsValue>().clone().unchecked_into());
        let on_link = Closure::<dyn FnMut(JsValue, String)>::new(|_event, uri: String| {
            open_link(&uri);
        });
        let links = WebLinksAddon::new(on_link.as_ref().unchecked_ref());
        term.load_addon(links.unchecked_ref::<JsValue>().clone().unchecked_into());
        let on_results = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let get = |k: &str| {
                js_sys::Reflect::get(&event, &k.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(-1.0)
            };
            let (index, count) = (get("resultIndex"), get("resultCount"));
            let _ = results.try_set(SearchResults {
                index: (index >= 0.0).then_some(index as u32),
                count: count.max(0.0) as u32,
            });
        });
        let results_subscription = search
            .on_did_change_results()
            .call1(&search, on_results.as_ref().unchecked_ref())
            .ok()
            .map(JsCast::unchecked_into);
        Self {
            search,
            results,
            results_subscription,
            _on_link: on_link,
            _on_results: on_results,
        }
    }

    /// Finds `query` forwards (or backwards) from the current match. `incremental` keeps
    /// the current match while it still fits the query (typing extends it).
    pub fn find(&self, query: &str, backwards: bool, case_sensitive: bool, incremental: bool) {
        if query.is_empty() {
            self.search.clear_decorations();
            let _ = self.results.try_set(SearchResults::default());
            return;
        }
        let options = search_options(case_sensitive, incremental);
        let found = if backwards {
            self.search.find_previous(query, &options)
        } else {
            self.search.find_next(query, &options)
        };
        // A miss reports no results event of its own; the count would stay the last query's.
        if !found {
            let _ = self.results.try_set(SearchResults::default());
        }
    }

    pub fn clear(&self) {
        self.search.clear_decorations();
    }

    /// Stops the result events (the terminal's dispose frees the addons themselves).
    pub fn dispose(&self) {
        if let Some(subscription) = &self.results_subscription {
            subscription.dispose();
        }
    }
}
