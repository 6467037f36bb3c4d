use cloudshell::models::SessionInfo;
use leptos::prelude::*;

use super::audit::AuditLogButton;
use super::change_password::ChangePasswordButton;
use super::session_badge::SessionBadge;
use crate::api::auth::Logout;
use crate::nav::go_to;

#[component]
pub fn Header(info: SessionInfo) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    // Whatever the answer, the session is unusable afterwards: go to login either way.
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            go_to("/login");
        }
    });

    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">">_"</span>
                " CloudShell"
            </div>
            <div class="header-right">
                <SessionBadge expires_at=info.expires_at />
                <AuditLogButton />
                <ChangePasswordButton />
                <span class="username" title="Logged in as">
                    {info.username}
                </span>
                <button
                    class="button"
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
