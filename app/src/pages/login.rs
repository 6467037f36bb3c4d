use leptos::prelude::*;

use crate::api::auth::Login;
use crate::nav::go_to;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    let error = move || {
        login
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };

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
                    <button type="submit" class="button primary" disabled=pending>
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
