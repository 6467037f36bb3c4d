//! "Broadcast input": while on, what is typed or pasted into one visible terminal goes to
//! every visible terminal that has not been excluded. Each terminal registers its WebSocket
//! here; turning it on and off is recorded in the audit log with the sessions it reaches.

use std::collections::{BTreeSet, HashMap};

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Broadcast {
    pub on: RwSignal<bool>,
    /// Tabs left out, one by one.
    pub excluded: RwSignal<BTreeSet<u64>>,
    /// The server's session id of each connected terminal tab.
    pub sessions: RwSignal<HashMap<u64, String>>,
    /// The sessions named when it was turned on (the stop names them again).
    reached: RwSignal<Vec<String>>,
    /// Browser only: the server renders the page on worker threads, where a thread-local
    /// store would be dropped on the wrong thread.
    #[cfg(feature = "hydrate")]
    sockets: StoredValue<HashMap<u64, web_sys::WebSocket>, LocalStorage>,
}

impl Broadcast {
    pub fn new() -> Self {
        Self {
            on: RwSignal::new(false),
            excluded: RwSignal::new(BTreeSet::new()),
            sessions: RwSignal::new(HashMap::new()),
            reached: RwSignal::new(Vec::new()),
            #[cfg(feature = "hydrate")]
            sockets: StoredValue::new_local(HashMap::new()),
        }
    }

    /// A terminal connected: its socket, and the session id the server gave it.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn register(self, key: u64, socket: web_sys::WebSocket, session: String) {
        #[cfg(feature = "hydrate")]
        self.sockets.update_value(|s| {
            s.insert(key, socket);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = socket;
        self.sessions.update(|s| {
            s.insert(key, session);
        });
    }

    /// A terminal went away.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn unregister(self, key: u64) {
        #[cfg(feature = "hydrate")]
        self.sockets.update_value(|s| {
            s.remove(&key);
        });
        self.sessions.update(|s| {
            s.remove(&key);
        });
    }

    /// Sends `frame`, typed into `from`, to the other `receivers` too (when `from` is one).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn fan_out(self, from: u64, frame: &[u8], receivers: &[u64]) {
        if !receivers.contains(&from) {
            return;
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = frame;
        #[cfg(feature = "hydrate")]
        self.sockets.with_value(|sockets| {
            for key in receivers.iter().filter(|k| **k != from) {
                if let Some(ws) = sockets.get(key)
                    && ws.ready_state() == web_sys::WebSocket::OPEN
                {
                    let _ = ws.send_with_u8_array(frame);
                }
            }
        });
    }

    /// Whether `receivers` include a session it was not turned on for.
    pub fn grew(self, receivers: &[u64]) -> bool {
        let now = self.ids(receivers);
        self.reached
            .with(|reached| now.iter().any(|id| !reached.contains(id)))
    }

    /// The session ids of `receivers`.
    fn ids(self, receivers: &[u64]) -> Vec<String> {
        self.sessions
            .with_untracked(|s| receivers.iter().filter_map(|k| s.get(k).cloned()).collect())
    }

    /// Turns it on once the audit log has recorded it (naming `receivers`), or off at once
    /// and records that, naming the sessions it was turned on for.
    pub fn switch(self, on: bool, receivers: Vec<u64>) {
        if on {
            let ids = self.ids(&receivers);
            leptos::task::spawn_local(async move {
                if crate::api::broadcast::record_broadcast(true, ids.clone())
                    .await
                    .is_ok()
                {
                    self.reached.set(ids);
                    self.on.set(true);
                }
            });
        } else {
            self.on.set(false);
            let ids = self.reached.get_untracked();
            leptos::task::spawn_local(async move {
                let _ = crate::api::broadcast::record_broadcast(false, ids).await;
            });
        }
    }

    /// The page is going away with broadcast on: the stop is sent as a keep-alive request,
    /// which the browser delivers after the page is gone.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn stop_on_leave(self) {
        if !self.on.try_get_untracked().unwrap_or(false) {
            return;
        }
        self.on.set(false);
        let body = serde_json::json!({"on": false, "sessions": self.reached.get_untracked()});
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        // `keepalive`: delivered even though the page is unloading (web-sys has no setter).
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
        init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&headers, &"Content-Type".into(), &"application/json".into());
        init.set_headers(&headers);
        if let Some(window) = web_sys::window() {
            let _ = window.fetch_with_str_and_init("/api/terminal/broadcast", &init);
        }
    }
}

impl Default for Broadcast {
    fn default() -> Self {
        Self::new()
    }
}
