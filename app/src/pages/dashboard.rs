use leptos::prelude::*;

use crate::api::auth::me;
use cloudshell::models::Role;

use crate::components::devices::DeviceSidebar;
use crate::components::header::Header;
use crate::components::terminal::{TerminalTabs, Terminals};
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
                        let is_admin = info.role == Role::Admin;
                        let tabs = TerminalTabs::new();
                        provide_context(tabs);
                        view! {
                            <div class="layout">
                                <Header info />
                                <div class="main-area">
                                    <DeviceSidebar is_admin />
                                    <main class="workspace">
                                        <Terminals tabs />
                                    </main>
                                </div>
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
