use std::time::Duration;

use leptos::prelude::*;

use crate::api::auth::Login;
use crate::error::{AppError, wait_text};
use crate::nav::go_to;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    // Seconds until a blocked sign-in may be tried again, counted down in the browser.
    let wait_left = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Some(Err(AppError::TooManyRequests { retry_after_secs })) = login.value().get() {
            wait_left.set(retry_after_secs);
        }
    });
    Effect::new(move |_| {
        let tick = set_interval_with_handle(
            move || {
                if wait_left.get_untracked() > 0 {
                    wait_left.update(|w| *w -= 1);
                }
            },
            Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = tick {
                h.clear();
            }
        });
    });
    let error = move || match login.value().get()? {
        Ok(_) => None,
        Err(AppError::TooManyRequests { .. }) => Some(match wait_left.get() {
            0 => "You can try again now.".to_owned(),
            left => format!("Too many attempts. Try again in {}.", wait_text(left)),
        }),
        Err(e) => Some(e.to_string()),
    };
    let waiting = move || wait_left.get() > 0;

    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            go_to("/");
        }
    });

    view! {
        <div class="center-page">
            <div class="card login-card">
                <h1 class="brand">
                    <span class="brand-mark" aria-hidden="true">">_"</span>
                    " CloudShell"
                </h1>
                <p class="muted">"Sign in to reach your SSH devices."</p>
                <ActionForm action=login attr:class="form" attr:aria-label="Sign in">
                    <label for="username">"Username"</label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        required
                        autofocus
                    />
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                    />
                    <Show when=move || error().is_some()>
                        <p class="form-error" role="alert">
                            {error}
                        </p>
                    </Show>
                    <button
                        type="submit"
                        class="button primary"
                        disabled=move || pending.get() || waiting()
                    >
                        <Show when=move || pending.get()>
                            <span class="spinner" aria-hidden="true"></span>
                        </Show>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </div>
        </div>
    }
}
