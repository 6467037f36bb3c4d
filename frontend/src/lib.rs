//! The hydrate entry: the browser takes over the server-rendered page.
// Deep Leptos view types need more than the default type-recursion budget.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic stops the WASM app: log it, then show the recovery screen over the page.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        app::show_crash_screen();
    }));
    leptos::mount::hydrate_body(app::App);
}
