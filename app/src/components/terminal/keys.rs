//! Keys the terminal keeps for the page instead of the shell: Ctrl+Shift+C copies the
//! selection (Ctrl+C stays an interrupt) and Ctrl+Shift+F opens the scrollback search.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::KeyboardEvent;
use xterm_js_rs::Terminal;

use super::search::SearchState;
use crate::components::copy_button::write_clipboard;

fn is_ctrl_shift(e: &KeyboardEvent, letter: &str) -> bool {
    e.type_() == "keydown" && e.ctrl_key() && e.shift_key() && e.key().eq_ignore_ascii_case(letter)
}

/// xterm.js's custom key handler: `false` keeps a key from the shell. `typed` is set for
/// every key the shell does get, so broadcast input fans out only what the user typed.
pub fn handler(
    term: Terminal,
    typed: Rc<Cell<bool>>,
    search: SearchState,
) -> Closure<dyn FnMut(KeyboardEvent) -> bool> {
    Closure::<dyn FnMut(KeyboardEvent) -> bool>::new(move |e: KeyboardEvent| {
        if is_ctrl_shift(&e, "c") {
            if term.has_selection() {
                let selection = term.get_selection();
                leptos::task::spawn_local(async move {
                    write_clipboard(&selection).await;
                });
            }
            return false;
        }
        if is_ctrl_shift(&e, "f") {
            e.prevent_default();
            search.open.set(true);
            return false;
        }
        if e.type_() == "keydown" || e.type_() == "keypress" {
            typed.set(true);
        }
        true
    })
}
