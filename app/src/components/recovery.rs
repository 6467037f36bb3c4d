//! What the user sees when the UI itself fails: a clear way back instead of a dead page.
//! Terminal sessions live on the server, which records their ends whatever the page does.

use leptos::prelude::*;

const HEADING: &str = "Something went wrong on this page";
const ADVICE: &str = "CloudShell hit an unexpected error. Reload to continue; your devices and \
                      the audit log are safe on the server, and open terminals are ended there \
                      and recorded.";

/// The error boundary's fallback, for errors a page renders instead of its content.
#[component]
pub fn RecoveryScreen(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let count = move || errors.with(|e| e.iter().count());
    view! {
        <div class="center-page recovery" role="alert" data-testid="recovery-screen">
            <div class="card">
                <h1>{HEADING}</h1>
                <p class="muted">{ADVICE}</p>
                <p class="muted small">{move || format!("Errors on this page: {}", count())}</p>
                <div class="dialog-actions">
                    <a class="button" href="/login">"Go to login"</a>
                    <button class="button primary" on:click=|_| reload()>"Reload"</button>
                </div>
            </div>
        </div>
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// For a panic in the browser, after which the WASM app cannot go on: the same screen, put
/// over the page with plain DOM (the reactive system may be what failed).
pub fn show_crash_screen() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(body), Ok(screen)) = (document.body(), document.create_element("div")) else {
        return;
    };
    if document.get_element_by_id("crash-screen").is_some() {
        return;
    }
    screen.set_id("crash-screen");
    screen.set_class_name("center-page recovery crash-screen");
    let _ = screen.set_attribute("role", "alert");
    // Static text only: nothing from the error reaches the page.
    screen.set_inner_html(&format!(
        "<div class=\"card\"><h1>{HEADING}</h1><p class=\"muted\">{ADVICE}</p>\
         <div class=\"dialog-actions\"><button class=\"button primary\" \
         onclick=\"location.reload()\">Reload</button></div></div>"
    ));
    let _ = body.append_child(&screen);
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn an_error_rendered_by_a_page_shows_the_recovery_screen() {
        let owner = Owner::new();
        let html = owner.with(|| {
            view! {
                <ErrorBoundary fallback=|errors| view! { <RecoveryScreen errors /> }>
                    {Err::<String, AppError>(AppError::Internal)}
                </ErrorBoundary>
            }
            .to_html()
        });
        assert!(html.contains(HEADING), "{html}");
        assert!(html.contains("Reload"));

        let fine = owner.with(|| {
            view! {
                <ErrorBoundary fallback=|errors| view! { <RecoveryScreen errors /> }>
                    {Ok::<String, AppError>("all good".to_owned())}
                </ErrorBoundary>
            }
            .to_html()
        });
        assert!(fine.contains("all good"));
        assert!(!fine.contains(HEADING));
    }
}
