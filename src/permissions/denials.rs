//! How often ACCESS_DENIED is written: once per user and route per window. Bounded: past
//! `MAX_KEYS` remembered pairs, stale ones are dropped; if none is stale, the refusal is
//! only logged on the server (the log already holds one for each remembered pair).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
const MAX_KEYS: usize = 4096;
/// Routes are ours, but bound them anyway: a path parameter could make them many.
const MAX_ROUTE_CHARS: usize = 96;

#[derive(Default)]
pub struct DenialLog {
    last: Mutex<HashMap<(String, String), Instant>>,
}

impl DenialLog {
    /// Whether this refusal should be written to the audit log now.
    pub fn should_record(&self, username: &str, route: &str, now: Instant) -> bool {
        let Ok(mut last) = self.last.lock() else {
            // A poisoned lock: writing too often is better than never.
            return true;
        };
        let key = (
            username.to_owned(),
            route.chars().take(MAX_ROUTE_CHARS).collect::<String>(),
        );
        if let Some(at) = last.get(&key)
            && now.duration_since(*at) < WINDOW
        {
            return false;
        }
        if last.len() >= MAX_KEYS && !last.contains_key(&key) {
            last.retain(|_, at| now.duration_since(*at) < WINDOW);
            if last.len() >= MAX_KEYS {
                return false;
            }
        }
        last.insert(key, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_user_and_route_per_window() {
        let log = DenialLog::default();
        let t0 = Instant::now();
        assert!(log.should_record("op", "/api/devices/create", t0));
        assert!(!log.should_record("op", "/api/devices/create", t0 + Duration::from_secs(5)));
        assert!(log.should_record("op", "/api/users", t0 + Duration::from_secs(5)));
        assert!(log.should_record("other", "/api/devices/create", t0));
        assert!(log.should_record("op", "/api/devices/create", t0 + WINDOW));
    }

    #[test]
    fn the_memory_is_bounded() {
        let log = DenialLog::default();
        let t0 = Instant::now();
        for i in 0..MAX_KEYS {
            assert!(log.should_record(&format!("u{i}"), "/r", t0));
        }
        // Full of fresh pairs: a new one is not written, and nothing grows.
        assert!(!log.should_record("new", "/r", t0));
        assert_eq!(log.last.lock().unwrap().len(), MAX_KEYS);
        // Once they are stale, room is made.
        assert!(log.should_record("new", "/r", t0 + WINDOW));
        assert_eq!(log.last.lock().unwrap().len(), 1);
    }
}
