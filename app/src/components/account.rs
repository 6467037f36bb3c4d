//! "My account" behind the header's key icon: change the password, and see one's own
//! signed-in browsers and open sessions, with a button that signs out the other browsers.

use cloudshell::format::utc_timestamp;
use cloudshell::models::MySessions;
use leptos::prelude::*;

use super::change_password::PasswordForm;
use super::modal::Modal;
use crate::api::auth::{list_my_sessions, sign_out_others};
use crate::components::toast::use_toasts;
use crate::error::AppError;
use crate::nav::go_to;

#[component]
pub fn MyAccountButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            class="icon-button"
            aria-label="My account"
            title="My account: password and sessions"
            on:click=move |_| open.set(true)
        >
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <circle cx="8" cy="15" r="4" fill="none" stroke="currentColor" stroke-width="2" />
                <path d="M11 12l9-9M17 6l3 3M15 8l2 2" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
            </svg>
        </button>
        <Show when=move || open.get()>
            <AccountDialog on_close=Callback::new(move |_| open.set(false)) />
        </Show>
    }
}

#[component]
fn AccountDialog(on_close: Callback<()>) -> impl IntoView {
    let changed = RwSignal::new(false);
    let sessions = RwSignal::new(None::<Result<MySessions, String>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let result = list_my_sessions().await;
            if let Err(AppError::Unauthorized) = result {
                go_to("/login");
                return;
            }
            // The dialog may have closed meanwhile.
            let _ = sessions.try_set(Some(result.map_err(|e| e.to_string())));
        });
    };
    reload();
    view! {
        <Modal title="My account".to_owned() on_close>
            <h3>"Password"</h3>
            <Show
                when=move || changed.get()
                fallback=move || view! {
                    <PasswordForm on_done=Callback::new(move |_| { changed.set(true); reload(); }) />
                }
            >
                <p class="form-success" role="status">
                    "Password changed. Your other sessions have been signed out."
                </p>
            </Show>
            <h3>"Sessions"</h3>
            <Sessions sessions reload=Callback::new(move |_| reload()) />
        </Modal>
    }
}

#[component]
fn Sessions(
    sessions: RwSignal<Option<Result<MySessions, String>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let toasts = use_toasts();
    let sign_out = move |_| {
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = sign_out_others().await;
            pending.set(false);
            match result {
                Ok(n) => {
                    toasts.success(format!("Signed out {n} other session(s)"));
                    reload.run(());
                }
                Err(e) => toasts.error(format!("Not signed out: {e}")),
            }
        });
    };
    view! {
        {move || match sessions.get() {
            None => view! { <span class="spinner" aria-label="Loading sessions"></span> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error" role="alert">{e}</p> }.into_any(),
            Some(Ok(mine)) => {
                let others = mine.web.iter().filter(|w| !w.current).count();
                view! {
                    <ul class="session-list" aria-label="Signed-in browsers">
                        {mine.web.into_iter().map(|w| view! {
                            <li>
                                <span class="mono">{w.client_ip.unwrap_or_else(|| "unknown address".to_owned())}</span>
                                " · signed in " {utc_timestamp(w.created_at)} " UTC"
                                {w.current.then(|| view! { " " <span class="status-pill on">"This browser"</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="muted" data-testid="open-sessions">
                        {match mine.open.len() {
                            0 => "No terminals or file sessions open.".to_owned(),
                            n => format!("{n} terminal or file session(s) open: {}", mine.open.iter().map(|o| o.device_name.as_str()).collect::<Vec<_>>().join(", ")),
                        }}
                    </p>
                    <div class="dialog-actions">
                        <button class="button" disabled=move || pending.get() || others == 0 on:click=sign_out>
                            <Show when=move || pending.get()>
                                <span class="spinner" aria-hidden="true"></span>
                            </Show>
                            {format!("Sign out other sessions ({others})")}
                        </button>
                    </div>
                }
                    .into_any()
            }
        }}
    }
}
