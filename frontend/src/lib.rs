//! The hydrate entry: the browser takes over the server-rendered page.
// Deep Leptos view types need more than the default type-recursion budget.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
