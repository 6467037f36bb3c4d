use leptos::prelude::*;

use crate::api::auth::me;
use cloudshell::models::{Role, SessionInfo};

use crate::components::change_password::FirstPasswordPage;
use crate::components::devices::DeviceSidebar;
use crate::components::header::Header;
use crate::components::terminal::{TerminalTabs, Terminals};
use crate::nav::{go_to, is_narrow_screen};

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
                    Ok(info) if info.must_change_password => {
                        view! { <FirstPasswordPage /> }.into_any()
                    }
                    Ok(info) if !info.role.uses_devices() => {
                        provide_context(info.clone());
                        view! { <AuditorHome info /> }.into_any()
                    }
                    Ok(info) => {
                        provide_context(info.clone());
                        let is_admin = info.role == Role::Admin;
                        let tabs = TerminalTabs::new();
                        provide_context(tabs);
                        let sidebar_open = RwSignal::new(true);
                        // Narrow screens start with the workspace; the header's button shows the list.
                        Effect::new(move |_| {
                            if is_narrow_screen() {
                                sidebar_open.set(false);
                            }
                        });
                        view! {
                            <div class="layout">
                                <Header info sidebar_open />
                                <div class="main-area" class:sidebar-closed=move || !sidebar_open.get()>
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

/// An auditor's page: the header (with the audit log) and what the role is for. No device
/// list and no terminals: the role has none.
#[component]
fn AuditorHome(info: SessionInfo) -> impl IntoView {
    let sidebar_open = RwSignal::new(false);
    view! {
        <div class="layout">
            <Header info sidebar_open />
            <main class="auditor-home">
                <div class="card">
                    <h2>"Audit access"</h2>
                    <p>
                        "Your account reads the whole audit log: open it with the log icon at the top right. "
                        "There you can filter it, export it as CSV or NDJSON, and check that it is intact."
                    </p>
                    <p class="muted">"Terminals, files and device settings are not part of this role."</p>
                </div>
            </main>
        </div>
    }
}
