use cloudshell::validation::check_new_password;
use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::toast::use_toasts;

/// The first sign-in with a generated password: nothing else is offered until the account
/// has a password of its own (the server refuses everything else too).
#[component]
pub fn FirstPasswordPage() -> impl IntoView {
    view! {
        <div class="center-page">
            <div class="card login-card" role="dialog" aria-modal="true" aria-labelledby="first-pw-title">
                <h1 id="first-pw-title" class="brand">"Choose your password"</h1>
                <p class="muted">
                    "This account has a generated password (from the installation, or a temporary one "
                    "an admin gave you). Enter it as the current password and choose your own to continue."
                </p>
                <PasswordForm on_done=Callback::new(|_| crate::nav::go_to("/")) />
            </div>
        </div>
    }
}

/// Current, new and confirmation; checked here first, then by the server.
#[component]
pub fn PasswordForm(on_done: Callback<()>) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    let pending = action.pending();
    let server_error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    let toasts = use_toasts();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(())) => {
            toasts.success("Password changed");
            on_done.run(());
        }
        Some(Err(e)) => toasts.error(format!("Password not changed: {e}")),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Checked here first so the user hears about the policy without a round trip.
        match check_new_password(&current.get(), &new.get(), &confirm.get()) {
            Err(e) => local_error.set(Some(e.to_string())),
            Ok(()) => {
                local_error.set(None);
                action.dispatch(ChangePassword {
                    current_password: current.get().into(),
                    new_password: new.get().into(),
                    confirm_password: confirm.get().into(),
                });
            }
        }
    };
    let error = move || local_error.get().or_else(server_error);

    view! {
        <form class="form" on:submit=submit>
            <label for="cp-current">"Current password"</label>
            <input id="cp-current" type="password" autocomplete="current-password" required
                bind:value=current />
            <label for="cp-new">"New password (at least 12 characters)"</label>
            <input id="cp-new" type="password" autocomplete="new-password" required
                bind:value=new />
            <label for="cp-confirm">"New password again"</label>
            <input id="cp-confirm" type="password" autocomplete="new-password" required
                bind:value=confirm />
            <Show when=move || error().is_some()>
                <p class="form-error" role="alert">{error}</p>
            </Show>
            <button type="submit" class="button primary" disabled=pending>
                <Show when=move || pending.get()>
                    <span class="spinner" aria-hidden="true"></span>
                </Show>
                "Change password"
            </button>
        </form>
    }
}
