//! Keyboard shortcuts for terminal tabs. Alt+Shift with an arrow or W: shells and editors
//! rarely bind those, and the browser keeps Ctrl+Tab and Ctrl+W for itself. They are caught
//! before xterm.js sees them, so they never reach the shell.
// Only the browser build listens for keys; the server build keeps the logic for its tests.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use super::grid::Direction;
use super::tabs::TerminalTabs;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabShortcut {
    Next,
    Previous,
    Close,
    /// An arrow: the next pane that way in a split view, else (left and right) the
    /// previous or next tab.
    Arrow(Direction),
}

/// Shown in the tab strip's title and the user guide.
pub const HELP: &str = "Alt+Shift+PageDown/PageUp next/previous tab · Alt+Shift+arrows move between panes (one pane: ←/→ change tab) · Alt+Shift+W close tab · Ctrl+Shift+F search the scrollback · Ctrl+Shift+C copy";

/// Which shortcut a key press is, if any. `code` is the physical key, so keyboard layouts
/// and Shift's effect on `key` do not matter.
pub fn shortcut(code: &str, alt: bool, shift: bool, ctrl: bool, meta: bool) -> Option<TabShortcut> {
    if !(alt && shift) || ctrl || meta {
        return None;
    }
    match code {
        "PageDown" => Some(TabShortcut::Next),
        "PageUp" => Some(TabShortcut::Previous),
        "ArrowRight" => Some(TabShortcut::Arrow(Direction::Right)),
        "ArrowLeft" => Some(TabShortcut::Arrow(Direction::Left)),
        "ArrowUp" => Some(TabShortcut::Arrow(Direction::Up)),
        "ArrowDown" => Some(TabShortcut::Arrow(Direction::Down)),
        "KeyW" => Some(TabShortcut::Close),
        _ => None,
    }
}

impl TerminalTabs {
    pub fn apply(self, shortcut: TabShortcut) {
        match shortcut {
            TabShortcut::Next => self.step(1),
            TabShortcut::Previous => self.step(-1),
            TabShortcut::Arrow(direction) if self.split() => self.move_focus(direction),
            TabShortcut::Arrow(Direction::Right) => self.step(1),
            TabShortcut::Arrow(Direction::Left) => self.step(-1),
            TabShortcut::Arrow(_) => {}
            TabShortcut::Close => {
                if let Some(key) = self.active_key() {
                    self.close(key);
                }
            }
        }
    }
}

/// Listens on the window in the capture phase (ahead of xterm.js) while the workspace is up.
#[cfg(feature = "hydrate")]
pub fn install(tabs: TerminalTabs) {
    use leptos::prelude::{UpdateValue, on_cleanup};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::KeyboardEvent;

    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        if let Some(found) = shortcut(
            &e.code(),
            e.alt_key(),
            e.shift_key(),
            e.ctrl_key(),
            e.meta_key(),
        ) {
            e.prevent_default();
            e.stop_propagation();
            tabs.apply(found);
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool(
        "keydown",
        listener.as_ref().unchecked_ref(),
        true,
    );
    // Kept in the local arena (a JS closure cannot cross threads) until the cleanup.
    let stored = leptos::prelude::StoredValue::new_local(Some(listener));
    on_cleanup(move || {
        stored.update_value(|listener| {
            if let (Some(listener), Some(window)) = (listener.take(), web_sys::window()) {
                let _ = window.remove_event_listener_with_callback_and_bool(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_alt_shift_combinations_are_shortcuts() {
        assert_eq!(
            shortcut("ArrowRight", true, true, false, false),
            Some(TabShortcut::Arrow(Direction::Right))
        );
        assert_eq!(
            shortcut("PageUp", true, true, false, false),
            Some(TabShortcut::Previous)
        );
        assert_eq!(
            shortcut("KeyW", true, true, false, false),
            Some(TabShortcut::Close)
        );
        // What the shell needs stays the shell's.
        assert_eq!(shortcut("ArrowRight", true, false, false, false), None);
        assert_eq!(shortcut("KeyW", false, true, false, false), None);
        assert_eq!(shortcut("KeyW", false, false, true, false), None);
        assert_eq!(shortcut("KeyW", true, true, true, false), None);
        assert_eq!(shortcut("KeyX", true, true, false, false), None);
    }
}
