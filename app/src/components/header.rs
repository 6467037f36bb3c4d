use cloudshell::models::SessionInfo;
use leptos::prelude::*;

use super::account::MyAccountButton;
use super::audit::AuditLogButton;
use super::session_badge::SessionBadge;
use super::users::UsersButton;
use crate::api::auth::Logout;
use crate::nav::go_to;

#[component]
pub fn Header(
    info: SessionInfo,
    /// Whether the device sidebar is shown; the header's first button toggles it.
    sidebar_open: RwSignal<bool>,
) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let uses_devices = info.role.uses_devices();
    // Whatever the answer, the session is unusable afterwards: go to login either way.
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            go_to("/login");
        }
    });

    view! {
        <header class="app-header">
            {uses_devices.then(|| view! {
            <button
                class="icon-button"
                aria-label="Show or hide the device list"
                title="Show or hide the device list"
                aria-controls="device-sidebar"
                aria-expanded=move || sidebar_open.get().to_string()
                on:click=move |_| sidebar_open.update(|o| *o = !*o)
            >
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path d="M4 6h16M4 12h16M4 18h16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                </svg>
            </button>
            })}
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">">_"</span>
                <span class="brand-name">" CloudShell"</span>
            </div>
            <div class="header-right">
                <SessionBadge expires_at=info.expires_at username=info.username.clone() />
                {info.role.manages().then(|| view! { <UsersButton /> })}
                <AuditLogButton />
                <MyAccountButton />
                <span class="username" title="Signed in as">
                    {info.username}
                </span>
                <span class="muted role-label" data-testid="role" title="Role">{info.role.label()}</span>
                <button
                    class="button logout"
                    title="Log out"
                    aria-label="Log out"
                    disabled=logout.pending()
                    on:click=move |_| {
                        logout.dispatch(crate::api::auth::Logout {});
                    }
                >
                    "Logout"
                </button>
            </div>
        </header>
    }
}
