//! Full-page navigation, so the next page is rendered fresh by the server with its session.

pub fn go_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

/// Below this width the layout stacks and the device list starts hidden (see main.css).
const NARROW_BELOW_PX: f64 = 720.0;

pub fn is_narrow_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w < NARROW_BELOW_PX)
}

/// Sets `data-hydrated` on `<body>` once the WASM app has taken over the page.
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
