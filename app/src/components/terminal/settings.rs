//! The terminal settings dialog. Every change shows at once, in the preview and in every
//! open terminal; Save keeps it on the server, Cancel (or Esc) puts back what was there.

use cloudshell::models::terminal_settings::{
    Bell, CursorStyle, FONT_SIZES, FontFamily, MAX_SCROLLBACK, TerminalSettings, TerminalTheme,
};
use leptos::prelude::*;

use super::tabs::TerminalTabs;
use crate::components::form_actions::FormActions;
use crate::components::modal::Modal;

#[component]
pub fn SettingsButton(tabs: TerminalTabs) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            class="icon-button small settings-button"
            aria-label="Terminal settings"
            title="Terminal settings"
            disabled=move || !tabs.settings_loaded.get()
            on:click=move |_| open.set(true)
        >
            <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
                <path
                    d="M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-2.8 1.2V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-2.8-1.2l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1A1.7 1.7 0 0 0 3.1 14H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.2-2.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 2.8-1.2V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 2.8 1.2l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0 1.2 2.8H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1.1z"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="1.6"
                />
            </svg>
        </button>
        <Show when=move || open.get()>
            <SettingsDialog tabs on_close=Callback::new(move |_| open.set(false)) />
        </Show>
    }
}

#[component]
fn SettingsDialog(tabs: TerminalTabs, on_close: Callback<()>) -> impl IntoView {
    let before = tabs.settings.get_untracked();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let cancel = Callback::new(move |_| {
        tabs.settings.set(before);
        on_close.run(());
    });
    let change = move |f: &dyn Fn(&mut TerminalSettings)| tabs.settings.update(|s| f(s));
    // What the number fields hold: only values in range reach the terminals.
    let size_text = RwSignal::new(before.font_size.to_string());
    let scroll_text = RwSignal::new(before.scrollback.to_string());
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let settings = tabs.settings.get_untracked();
        let typed_ok = size_text.get_untracked().trim().parse::<u8>().ok()
            == Some(settings.font_size)
            && scroll_text.get_untracked().trim().parse::<u32>().ok() == Some(settings.scrollback);
        if !settings.is_valid() || !typed_ok {
            error.set(Some(
                "Font size must be 8–32 and scrollback at most 100,000 lines.".into(),
            ));
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = crate::api::workspace::save_terminal_settings(settings).await;
            pending.set(false);
            match result {
                Ok(()) => on_close.run(()),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let s = move || tabs.settings.get();
    let preview_style = move || {
        let settings = s();
        let palette = settings.theme.palette();
        format!(
            "background: {}; color: {}; font-family: {}; font-size: {}px",
            palette.background,
            palette.foreground,
            settings.font_family.css(),
            settings.font_size
        )
    };
    let colour = move |i: usize| move || format!("color: {}", s().theme.palette().ansi[i]);
    view! {
        <Modal title="Terminal settings".to_owned() on_close=cancel wide=true>
            <form class="form settings-form" novalidate on:submit=save>
                <div class="form-row">
                    <div>
                        <label for="font-size">"Font size"</label>
                        <input
                            id="font-size"
                            type="number"
                            min=*FONT_SIZES.start()
                            max=*FONT_SIZES.end()
                            prop:value=move || size_text.get()
                            on:input=move |e| {
                                let text = event_target_value(&e);
                                if let Some(v) = text.trim().parse::<u8>().ok().filter(|v| FONT_SIZES.contains(v)) {
                                    change(&|s| s.font_size = v);
                                }
                                size_text.set(text);
                            }
                        />
                    </div>
                    <div class="grow">
                        <label for="font-family">"Font"</label>
                        <select
                            id="font-family"
                            on:change=move |e| {
                                let v = event_target_value(&e);
                                if let Some(f) = FontFamily::ALL.into_iter().find(|f| f.label() == v) {
                                    change(&|s| s.font_family = f);
                                }
                            }
                        >
                            {FontFamily::ALL
                                .into_iter()
                                .map(|f| view! { <option selected=move || s().font_family == f>{f.label()}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="scrollback">"Scrollback lines"</label>
                        <input
                            id="scrollback"
                            type="number"
                            min="0"
                            max=MAX_SCROLLBACK
                            prop:value=move || scroll_text.get()
                            on:input=move |e| {
                                let text = event_target_value(&e);
                                if let Some(v) = text.trim().parse::<u32>().ok().filter(|v| *v <= MAX_SCROLLBACK) {
                                    change(&|s| s.scrollback = v);
                                }
                                scroll_text.set(text);
                            }
                        />
                    </div>
                </div>
                <div class="form-row">
                    <div>
                        <label for="theme">"Theme"</label>
                        <select
                            id="theme"
                            on:change=move |e| {
                                let v = event_target_value(&e);
                                if let Some(t) = TerminalTheme::ALL.into_iter().find(|t| t.label() == v) {
                                    change(&|s| s.theme = t);
                                }
                            }
                        >
                            {TerminalTheme::ALL
                                .into_iter()
                                .map(|t| view! { <option selected=move || s().theme == t>{t.label()}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="cursor-style">"Cursor"</label>
                        <select
                            id="cursor-style"
                            on:change=move |e| {
                                let v = event_target_value(&e);
                                if let Some(c) = CursorStyle::ALL.into_iter().find(|c| c.code() == v) {
                                    change(&|s| s.cursor_style = c);
                                }
                            }
                        >
                            {CursorStyle::ALL
                                .into_iter()
                                .map(|c| view! { <option selected=move || s().cursor_style == c>{c.code()}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="bell">"Bell"</label>
                        <select
                            id="bell"
                            on:change=move |e| {
                                let visual = event_target_value(&e) == "Visual flash";
                                change(&|s| s.bell = if visual { Bell::Visual } else { Bell::None });
                            }
                        >
                            <option selected=move || s().bell == Bell::Visual>"Visual flash"</option>
                            <option selected=move || s().bell == Bell::None>"None"</option>
                        </select>
                    </div>
                </div>
                <label class="choice">
                    <input
                        type="checkbox"
                        prop:checked=move || s().cursor_blink
                        on:change=move |_| change(&|s| s.cursor_blink = !s.cursor_blink)
                    />
                    "Blinking cursor"
                </label>
                <label class="choice">
                    <input
                        type="checkbox"
                        prop:checked=move || s().copy_on_select
                        on:change=move |_| change(&|s| s.copy_on_select = !s.copy_on_select)
                    />
                    "Copy on select"
                </label>
                <div class="terminal-preview" data-testid="terminal-preview" style=preview_style aria-label="Preview">
                    <div>"admin@web01:~$ ls --color"</div>
                    <div>
                        <span style=colour(4)>"bin"</span>
                        " "
                        <span style=colour(2)>"deploy.sh"</span>
                        " "
                        <span style=colour(1)>"error.log"</span>
                        " "
                        <span style=colour(3)>"notes.txt"</span>
                    </div>
                    <div>"admin@web01:~$ █"</div>
                </div>
                <FormActions error pending submit="Save" on_cancel=cancel />
            </form>
        </Modal>
    }
}
