use leptos::prelude::*;

use crate::api::auth::me;
use crate::components::header::Header;
use crate::nav::go_to;

/// The logged-in home: header on top, and the workspace that later features fill.
#[component]
pub fn Dashboard() -> impl IntoView {
    let session = Resource::new(|| (), |_| me());
    view! {
        <Suspense fallback=|| {
            view! { <div class="center-page"><span class="spinner" aria-label="Loading"></span></div> }
        }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(info) => {
                        view! {
                            <div class="layout">
                                <Header info />
                                <main class="workspace">
                                    <div class="empty-state">
                                        <h2>"No devices yet"</h2>
                                        <p class="muted">
                                            "Your SSH devices and terminal tabs will appear here."
                                        </p>
                                    </div>
                                </main>
                            </div>
                        }
                            .into_any()
                    }
                    Err(_) => {
                        Effect::new(|_| go_to("/login"));
                        view! { <p class="center-page">"Redirecting to login…"</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
