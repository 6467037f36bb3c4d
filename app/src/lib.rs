//! CloudShell UI: Leptos pages and components, plus the server functions they call.
// Deep Leptos view types need more than the default type-recursion budget.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod error;
mod nav;
mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
};

use components::recovery::RecoveryScreen;
pub use components::recovery::show_crash_screen;
use components::toast::{ToastRegion, Toasts};
use pages::{dashboard::Dashboard, login::LoginPage, not_found::NotFound};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    api::ssr::set_page_policy();
    let nonce = leptos::nonce::use_nonce;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="dark" />
                <meta name="theme-color" content="#161c24" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <link rel="stylesheet" href="/xterm/xterm.css" />
                // The bare module names the xterm bindings import, mapped to the served files.
                <script type="importmap" nonce=nonce()>
                    r#"{"imports":{"xterm":"/xterm/xterm.mjs","xterm-addon-fit":"/xterm/addon-fit.mjs","@xterm/addon-search":"/xterm/addon-search.mjs","@xterm/addon-web-links":"/xterm/addon-web-links.mjs"}}"#
                </script>
                // Installable app: the worker caches static assets and serves the offline page.
                <script nonce=nonce()>
                    r#"if ("serviceWorker" in navigator) { addEventListener("load", () => navigator.serviceWorker.register("/sw.js").catch(() => {})); }"#
                </script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as interactive (tests wait for it).
    Effect::new(|_| nav::mark_hydrated());
    let toasts = Toasts::new();
    provide_context(toasts);
    view! {
        <Stylesheet id="leptos" href="/pkg/cloudshell.css" />
        <Title text="CloudShell" />
        <Router>
            <ErrorBoundary fallback=|errors| view! { <RecoveryScreen errors /> }>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=Dashboard />
                    <Route path=StaticSegment("login") view=LoginPage />
                </Routes>
            </ErrorBoundary>
        </Router>
        <ToastRegion toasts />
    }
}
