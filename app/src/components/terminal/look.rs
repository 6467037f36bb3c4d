//! The user's terminal settings applied to xterm.js: the options a terminal starts with, the
//! same options changed live (the settings dialog previews on every open terminal), and the
//! two behaviours xterm.js leaves to the page: copy on select and the visual bell.

use cloudshell::models::terminal_settings::{Bell, FontFamily, TerminalSettings};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use xterm_js_rs::addons::fit::FitAddon;
use xterm_js_rs::{Disposable, Terminal, TerminalOptions};

use super::tabs::TerminalTabs;
use crate::components::copy_button::write_clipboard;

fn set(target: &JsValue, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), &value);
}

/// xterm.js's `ITheme` for the settings' theme.
fn theme(settings: &TerminalSettings) -> JsValue {
    const NAMES: [&str; 16] = [
        "black",
        "red",
        "green",
        "yellow",
        "blue",
        "magenta",
        "cyan",
        "white",
        "brightBlack",
        "brightRed",
        "brightGreen",
        "brightYellow",
        "brightBlue",
        "brightMagenta",
        "brightCyan",
        "brightWhite",
    ];
    let palette = settings.theme.palette();
    let object: JsValue = js_sys::Object::new().into();
    set(&object, "background", palette.background.into());
    set(&object, "foreground", palette.foreground.into());
    set(&object, "cursor", palette.cursor.into());
    set(&object, "selectionBackground", palette.selection.into());
    for (name, colour) in NAMES.iter().zip(palette.ansi) {
        set(&object, name, colour.into());
    }
    object
}

/// Writes every setting xterm.js knows into new options.
fn fill(target: &JsValue, settings: &TerminalSettings) {
    set(target, "fontSize", f64::from(settings.font_size).into());
    set(target, "fontFamily", settings.font_family.css().into());
    set(target, "scrollback", f64::from(settings.scrollback).into());
    set(target, "cursorStyle", settings.cursor_style.code().into());
    set(target, "cursorBlink", settings.cursor_blink.into());
    set(target, "theme", theme(settings));
}

/// The options a new terminal starts with.
pub fn options(settings: &TerminalSettings) -> TerminalOptions {
    let options: JsValue = js_sys::Object::new().into();
    fill(&options, settings);
    // The search addon highlights matches with decorations, a "proposed" xterm.js API.
    set(&options, "allowProposedApi", true.into());
    options.unchecked_into()
}

/// Changes a running terminal from `old` to `new` settings: only what changed is written
/// (setting `scrollback` or the theme again would resize the buffer or redraw for nothing),
/// then it is refitted if the font changed.
pub fn apply(term: &Terminal, fit: &FitAddon, old: &TerminalSettings, new: &TerminalSettings) {
    let Ok(live) = js_sys::Reflect::get(term, &"options".into()) else {
        return;
    };
    if old.font_size != new.font_size {
        set(&live, "fontSize", f64::from(new.font_size).into());
    }
    if old.font_family != new.font_family {
        set(&live, "fontFamily", new.font_family.css().into());
        when_font_loaded(term, fit, new.font_family);
    }
    if old.scrollback != new.scrollback {
        set(&live, "scrollback", f64::from(new.scrollback).into());
    }
    if old.cursor_style != new.cursor_style {
        set(&live, "cursorStyle", new.cursor_style.code().into());
    }
    if old.cursor_blink != new.cursor_blink {
        set(&live, "cursorBlink", new.cursor_blink.into());
    }
    if old.theme != new.theme {
        set(&live, "theme", theme(new));
    }
    if old.font_size != new.font_size || old.font_family != new.font_family {
        fit.fit();
    }
}

/// xterm.js measures its cells once per font change, so a shipped font still downloading
/// would leave cells sized for the fallback. Once the font is in, it is set again (through
/// the fallback, since setting the same value changes nothing) and the terminal refitted.
pub fn when_font_loaded(term: &Terminal, fit: &FitAddon, family: FontFamily) {
    let Some(name) = family.shipped_name() else {
        return;
    };
    let Some(fonts) = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.fonts())
    else {
        return;
    };
    let regular = format!("16px \"{name}\"");
    if fonts.check(&regular).unwrap_or(false) {
        return;
    }
    let bold = fonts.load(&format!("bold 16px \"{name}\""));
    let loading = fonts.load(&regular);
    let term: Terminal = term.unchecked_ref::<JsValue>().clone().unchecked_into();
    let fit: FitAddon = fit.unchecked_ref::<JsValue>().clone().unchecked_into();
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(bold).await;
        if wasm_bindgen_futures::JsFuture::from(loading).await.is_err() {
            return;
        }
        let Ok(live) = js_sys::Reflect::get(&term, &"options".into()) else {
            return;
        };
        // Only if the terminal still wants this font (another change may have come first).
        if js_sys::Reflect::get(&live, &"fontFamily".into())
            .ok()
            .and_then(|v| v.as_string())
            .is_some_and(|current| current == family.css())
        {
            set(&live, "fontFamily", "monospace".into());
            set(&live, "fontFamily", family.css().into());
            fit.fit();
        }
    });
}

/// The page's part of the settings: copy on select, and a flash for the bell.
pub struct Behaviours {
    pub disposables: Vec<Disposable>,
    _on_selection: Closure<dyn FnMut()>,
    _on_bell: Closure<dyn FnMut()>,
}

pub fn behaviours(term: &Terminal, el: &web_sys::HtmlElement, tabs: TerminalTabs) -> Behaviours {
    let on_selection = {
        let term: Terminal = term.unchecked_ref::<JsValue>().clone().unchecked_into();
        Closure::<dyn FnMut()>::new(move || {
            let copy = tabs
                .settings
                .try_get_untracked()
                .is_some_and(|s| s.copy_on_select);
            if copy && term.has_selection() {
                let text = term.get_selection();
                leptos::task::spawn_local(async move {
                    write_clipboard(&text).await;
                });
            }
        })
    };
    let on_bell = {
        let el = el.clone();
        Closure::<dyn FnMut()>::new(move || {
            let visual = tabs
                .settings
                .try_get_untracked()
                .is_some_and(|s| s.bell == Bell::Visual);
            if visual {
                // Restarting the animation: remove, force a style read, add again.
                let _ = el.class_list().remove_1("bell");
                let _ = el.offset_width();
                let _ = el.class_list().add_1("bell");
            }
        })
    };
    let mut disposables = vec![term.on_selection_change(on_selection.as_ref().unchecked_ref())];
    if let Ok(on) = js_sys::Reflect::get(term, &"onBell".into())
        && let Ok(on) = on.dyn_into::<js_sys::Function>()
        && let Ok(disposable) = on.call1(term, on_bell.as_ref().unchecked_ref())
    {
        disposables.push(disposable.unchecked_into());
    }
    Behaviours {
        disposables,
        _on_selection: on_selection,
        _on_bell: on_bell,
    }
}
