//! The browser side of one terminal: xterm.js (through xterm-js-rs) wired to the WebSocket.
//! Binary frames are written to the terminal as bytes; keystrokes go back as binary frames;
//! text frames are the JSON control messages.

use cloudshell::models::terminal::{ClientMessage, ServerMessage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    BinaryType, CloseEvent, HtmlElement, KeyboardEvent, MessageEvent, ResizeObserver, WebSocket,
};
use xterm_js_rs::addons::fit::FitAddon;
use xterm_js_rs::{Disposable, Terminal};

use super::tabs::TabStatus;

/// Input frames at most this big: half what the server accepts in one message.
const INPUT_FRAME_BYTES: usize = cloudshell::models::terminal::MAX_CLIENT_MESSAGE_BYTES / 2;

#[wasm_bindgen(module = "xterm")]
extern "C" {
    /// The same JS class as `xterm_js_rs::Terminal`, for what that crate binds the xterm 4
    /// way: xterm 5+ takes bytes in `write` (there is no `writeUtf8`).
    #[wasm_bindgen(js_name = "Terminal")]
    type BytesTerminal;
    /// Takes a JS-owned array: xterm parses writes later, so a view into WASM memory
    /// (what `&[u8]` would pass) could be overwritten before it is read.
    #[wasm_bindgen(method, js_name = "write")]
    fn write(this: &BytesTerminal, data: &js_sys::Uint8Array);
}

fn write_bytes(term: &Terminal, data: &js_sys::Uint8Array) {
    term.unchecked_ref::<BytesTerminal>().write(data);
}

/// A second handle to the same JS object (the bindings' `clone` yields a bare `JsValue`).
fn handle<T: JsCast>(value: &T) -> T {
    value.as_ref().clone().unchecked_into()
}

/// Everything a live terminal holds; dropping the closures only after `close`.
pub struct LiveTerminal {
    _behaviours: super::look::Behaviours,
    addons: super::addons::Addons,
    /// A reconnect waiting to happen (its `setTimeout` handle).
    timer: std::rc::Rc<std::cell::Cell<Option<i32>>>,
    term: Terminal,
    fit: FitAddon,
    ws: WebSocket,
    /// The element xterm.js is in: the paste listener is on it.
    el: HtmlElement,
    observer: Option<ResizeObserver>,
    subscriptions: Vec<Disposable>,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_data: Closure<dyn FnMut(String)>,
    _on_resize: Closure<dyn FnMut(JsValue)>,
    _on_key: Closure<dyn FnMut(KeyboardEvent) -> bool>,
    _on_paste: Closure<dyn FnMut()>,
    _on_observe: Closure<dyn FnMut(JsValue)>,
}

fn send_control(ws: &WebSocket, message: &ClientMessage) {
    if ws.ready_state() == WebSocket::OPEN
        && let Ok(json) = serde_json::to_string(message)
    {
        let _ = ws.send_with_str(&json);
    }
}

fn note(term: &Terminal, colour: u8, text: &str) {
    term.write(&format!("\r\n\x1b[{colour}m{text}\x1b[0m\r\n"));
}

fn socket_url(device_id: i64) -> Option<String> {
    let location = window().location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!(
        "{scheme}://{}/ws/terminal/{device_id}",
        location.host().ok()?
    ))
}

impl LiveTerminal {
    /// `tab` is the tab's key and the tabs: a connected terminal registers for broadcast
    /// input, and what is typed into it is fanned out while broadcast is on.
    pub fn start(
        el: HtmlElement,
        device_id: i64,
        status: RwSignal<TabStatus>,
        tab: (u64, super::tabs::TerminalTabs),
        retry: super::retry::Retry,
        search: super::search::SearchState,
    ) -> Option<Self> {
        let (key, tabs) = tab;
        // Set when the session ended on purpose (exit, or a refusal another try cannot fix).
        let final_end = std::rc::Rc::new(std::cell::Cell::new(false));
        let timer = std::rc::Rc::new(std::cell::Cell::new(None::<i32>));
        let options = super::look::options(&tabs.settings.get_untracked());
        let term = Terminal::construct(Some(&options));
        let fit = FitAddon::new();
        term.load_addon(handle::<FitAddon>(&fit).into());
        let addons = super::addons::Addons::load(&term, search.results);
        term.open(el.clone());
        fit.fit();
        super::look::when_font_loaded(&term, &fit, tabs.settings.get_untracked().font_family);

        let ws = WebSocket::new(&socket_url(device_id)?).ok()?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        // The PTY is sized from this first resize.
        let on_open = {
            let (ws, term) = (ws.clone(), handle(&term));
            Closure::<dyn FnMut()>::new(move || {
                send_control(
                    &ws,
                    &ClientMessage::Resize {
                        cols: term.get_cols(),
                        rows: term.get_rows(),
                    },
                );
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));

        let on_message = {
            let term = handle(&term);
            let socket = ws.clone();
            let final_end = final_end.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    write_bytes(&term, &js_sys::Uint8Array::new(buffer));
                } else if let Some(text) = data.as_string() {
                    match serde_json::from_str::<ServerMessage>(&text) {
                        Ok(ServerMessage::Connected { session_id }) => {
                            tabs.broadcast.register(key, socket.clone(), session_id);
                            retry.attempts.set(0);
                            status.set(TabStatus::Connected);
                        }
                        Ok(ServerMessage::Exit { status: code }) => {
                            final_end.set(true);
                            note(
                                &term,
                                90,
                                &format!(
                                    "[The remote shell exited with status {code}. Use ↻ to reconnect.]"
                                ),
                            );
                            status.set(TabStatus::Disconnected);
                        }
                        Ok(ServerMessage::Error { kind, message }) => {
                            if !super::retry::worth_retrying(kind) {
                                final_end.set(true);
                            }
                            note(&term, 31, &message);
                            status.set(TabStatus::Error);
                        }
                        Ok(ServerMessage::HostKeyLearned {
                            algorithm,
                            fingerprint,
                        }) => note(
                            &term,
                            90,
                            &format!(
                                "[First connection: host key {algorithm} {fingerprint} is now trusted.]"
                            ),
                        ),
                        Err(_) => {}
                    }
                }
            })
        };
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

        let on_close = {
            let term = handle(&term);
            let (final_end, timer) = (final_end.clone(), timer.clone());
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                let current = status.get_untracked();
                // An unexpected drop of a live session, or a failed reconnect: try again.
                let dropped = current == TabStatus::Connected || retry.attempts.get_untracked() > 0;
                if e.code() == cloudshell::models::terminal::CLOSE_FINAL {
                    final_end.set(true);
                }
                if dropped && !final_end.get() {
                    let next = retry.attempts.get_untracked() + 1;
                    note(&term, 90, &super::retry::notice(next));
                    if next <= super::retry::MAX_ATTEMPTS {
                        status.set(TabStatus::Connecting);
                        let again = Closure::once_into_js(move || {
                            retry.attempts.set(next);
                            retry.generation.update(|g| *g += 1);
                        });
                        timer.set(web_sys::window().and_then(|w| {
                            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                                again.unchecked_ref(),
                                i32::try_from(super::retry::delay_ms(next)).unwrap_or(1000),
                            )
                            .ok()
                        }));
                    } else {
                        status.set(TabStatus::Disconnected);
                    }
                    return;
                }
                if matches!(current, TabStatus::Connecting | TabStatus::Connected) {
                    let why = if e.reason().is_empty() {
                        "connection closed".to_owned()
                    } else {
                        e.reason()
                    };
                    note(
                        &term,
                        90,
                        &format!("[Disconnected: {why}. Use ↻ to reconnect.]"),
                    );
                    status.set(TabStatus::Disconnected);
                }
            })
        };
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));

        // Keystrokes and pastes: bytes, never JSON, so nothing typed can be a command. A
        // paste arrives as one string; it goes in frames the server accepts.
        // Set by a key press or a paste: only what the user typed is broadcast, never the
        // replies xterm.js makes itself (cursor reports, focus and mouse events).
        let typed = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_data = {
            let ws = ws.clone();
            let typed = typed.clone();
            Closure::<dyn FnMut(String)>::new(move |data: String| {
                let from_user = typed.replace(false);
                if ws.ready_state() == WebSocket::OPEN {
                    // Broadcast input: the same frames to the other receiving terminals.
                    let receivers = if from_user && tabs.broadcast.on.get_untracked() {
                        untrack(|| tabs.receivers())
                    } else {
                        Vec::new()
                    };
                    for frame in data.as_bytes().chunks(INPUT_FRAME_BYTES) {
                        let _ = ws.send_with_u8_array(frame);
                        tabs.broadcast.fan_out(key, frame, &receivers);
                    }
                }
            })
        };
        let on_resize = {
            let ws = ws.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |size: JsValue| {
                let get = |k: &str| {
                    js_sys::Reflect::get(&size, &k.into())
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0) as u32
                };
                send_control(
                    &ws,
                    &ClientMessage::Resize {
                        cols: get("cols"),
                        rows: get("rows"),
                    },
                );
            })
        };
        let on_key = super::keys::handler(handle(&term), typed.clone(), search);
        term.attach_custom_key_event_handler(on_key.as_ref().unchecked_ref());
        let on_paste = {
            let typed = typed.clone();
            Closure::<dyn FnMut()>::new(move || typed.set(true))
        };
        let _ = el.add_event_listener_with_callback_and_bool(
            "paste",
            on_paste.as_ref().unchecked_ref(),
            true,
        );
        let behaviours = super::look::behaviours(&term, &el, tabs);
        let mut subscriptions = vec![
            term.on_data(on_data.as_ref().unchecked_ref()),
            term.on_resize(on_resize.as_ref().unchecked_ref()),
        ];
        subscriptions.extend(behaviours.disposables.iter().map(handle));
        // Window and panel size changes refit the terminal, which then reports its new size.
        // Shown again after having no size (`display: none` on something around it, whose
        // end resets the scroll position), it also goes back to the newest line.
        let on_observe = {
            let (fit, el, term) = (handle(&fit), el.clone(), handle(&term));
            let was_hidden = std::cell::Cell::new(false);
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                if el.offset_width() > 0 && el.offset_height() > 0 {
                    fit.fit();
                    if was_hidden.replace(false) {
                        term.scroll_to_bottom();
                    }
                } else {
                    was_hidden.set(true);
                }
            })
        };
        let observer = ResizeObserver::new(on_observe.as_ref().unchecked_ref()).ok();
        if let Some(observer) = &observer {
            observer.observe(&el);
        }
        term.focus();
        Some(Self {
            _behaviours: behaviours,
            addons,
            timer,
            term,
            fit,
            ws,
            el,
            observer,
            subscriptions,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_data: on_data,
            _on_resize: on_resize,
            _on_key: on_key,
            _on_paste: on_paste,
            _on_observe: on_observe,
        })
    }

    /// Changes to the user's settings (the settings dialog's live preview, and its save).
    pub fn apply(
        &self,
        old: &cloudshell::models::terminal_settings::TerminalSettings,
        new: &cloudshell::models::terminal_settings::TerminalSettings,
    ) {
        super::look::apply(&self.term, &self.fit, old, new);
    }

    /// A request from the search bar.
    pub fn search(&self, request: &super::search::SearchRequest) {
        match request {
            super::search::SearchRequest::Find {
                query,
                backwards,
                case_sensitive,
                incremental,
            } => self
                .addons
                .find(query, *backwards, *case_sensitive, *incremental),
            super::search::SearchRequest::Close => {
                self.addons.clear();
                self.term.focus();
            }
        }
    }

    pub fn refit_and_focus(&self) {
        self.fit.fit();
        self.term.focus();
    }

    /// Closes the WebSocket at once (the server records "tab closed") and frees xterm.
    pub fn close(self) {
        // A reconnect still waiting is called off with the tab.
        if let (Some(id), Some(window)) = (self.timer.get(), web_sys::window()) {
            window.clear_timeout_with_handle(id);
        }
        self.ws.set_onclose(None);
        self.ws.set_onmessage(None);
        let _ = self.ws.close_with_code_and_reason(1000, "tab closed");
        if let Some(observer) = &self.observer {
            observer.disconnect();
        }
        for subscription in &self.subscriptions {
            subscription.dispose();
        }
        // Like the other listeners: a paste must never reach a closure that is gone.
        let _ = self.el.remove_event_listener_with_callback_and_bool(
            "paste",
            self._on_paste.as_ref().unchecked_ref(),
            true,
        );
        self.addons.dispose();
        self.term.dispose();
    }
}
