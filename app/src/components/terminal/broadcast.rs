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
        self.excluded.update(|e| {
            e.remove(&key);
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

    /// Records the change, naming the sessions of `receivers`.
    pub fn record(self, on: bool, receivers: &[u64]) {
        let ids: Vec<String> = self
            .sessions
            .with_untracked(|s| receivers.iter().filter_map(|k| s.get(k).cloned()).collect());
        leptos::task::spawn_local(async move {
            let _ = crate::api::broadcast::record_broadcast(on, ids).await;
        });
    }
}

impl Default for Broadcast {
    fn default() -> Self {
        Self::new()
    }
}
