//! Brute-force protection: failed logins are counted per source IP and per username. Five
//! failures within 15 minutes block that key for a minute, doubling with each block up to an
//! hour. Kept in memory: a restart forgives, which is acceptable for a 1-hour ceiling.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_FAILURES: usize = 5;
const FIRST_BLOCK: Duration = Duration::from_secs(60);
const MAX_BLOCK: Duration = Duration::from_secs(3600);
/// Entries kept at most; beyond this, idle ones are swept.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
struct KeyState {
    failures: Vec<Instant>,
    blocked_until: Option<Instant>,
    /// How many blocks so far; each one doubles the next.
    blocks: u32,
    last_seen: Option<Instant>,
}

#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    keys: Arc<Mutex<HashMap<String, KeyState>>>,
}

fn keys_for(ip: IpAddr, username: &str) -> [String; 2] {
    [
        format!("ip:{ip}"),
        format!("user:{}", username.to_lowercase()),
    ]
}

impl LoginThrottle {
    /// `Err(wait)` while either the IP or the username is blocked.
    pub fn check(&self, ip: IpAddr, username: &str, now: Instant) -> Result<(), Duration> {
        let Ok(keys) = self.keys.lock() else {
            return Ok(());
        };
        let wait = keys_for(ip, username)
            .iter()
            .filter_map(|k| keys.get(k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(w) => Err(w),
            None => Ok(()),
        }
    }

    /// Counts a failure; returns the block it started, if any.
    pub fn record_failure(&self, ip: IpAddr, username: &str, now: Instant) -> Option<Duration> {
        let Ok(mut keys) = self.keys.lock() else {
            return None;
        };
        if keys.len() >= MAX_KEYS {
            keys.retain(|_, s| {
                s.last_seen
                    .is_some_and(|t| now.duration_since(t) < MAX_BLOCK)
            });
        }
        let mut started = None;
        for key in keys_for(ip, username) {
            let state = keys.entry(key).or_default();
            // An hour without trouble after the last block ends forgives earlier blocks.
            if state
                .blocked_until
                .is_some_and(|until| now.saturating_duration_since(until) > MAX_BLOCK)
            {
                state.blocks = 0;
            }
            state.last_seen = Some(now);
            state.failures.retain(|t| now.duration_since(*t) < WINDOW);
            state.failures.push(now);
            if state.failures.len() >= MAX_FAILURES {
                let block = FIRST_BLOCK
                    .saturating_mul(1u32 << state.blocks.min(10))
                    .min(MAX_BLOCK);
                state.blocks += 1;
                state.failures.clear();
                state.blocked_until = Some(now + block);
                started = Some(started.map_or(block, |b: Duration| b.max(block)));
            }
        }
        started
    }

    /// A successful login clears the username's record and the IP's failure count.
    pub fn record_success(&self, ip: IpAddr, username: &str) {
        if let Ok(mut keys) = self.keys.lock() {
            for key in keys_for(ip, username) {
                keys.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn five_failures_block_for_a_minute_then_doubling_up_to_an_hour() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        let a = ip("192.0.2.1");
        for i in 0..4 {
            assert_eq!(
                t.record_failure(a, "bob", start + Duration::from_secs(i)),
                None
            );
            assert!(t.check(a, "bob", start).is_ok());
        }
        assert_eq!(t.record_failure(a, "bob", start), Some(FIRST_BLOCK));
        let wait = t
            .check(a, "bob", start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        // Blocked by IP for other usernames, and by username from other IPs.
        assert!(t.check(a, "alice", start).is_err());
        assert!(t.check(ip("198.51.100.1"), "BOB", start).is_err());
        assert!(t.check(ip("198.51.100.1"), "alice", start).is_ok());

        let mut now = start + Duration::from_secs(61);
        assert!(t.check(a, "bob", now).is_ok());
        let mut expected = FIRST_BLOCK * 2;
        for _ in 0..8 {
            let mut got = None;
            for _ in 0..5 {
                got = t.record_failure(a, "bob", now);
            }
            assert_eq!(got, Some(expected.min(MAX_BLOCK)));
            now += expected.min(MAX_BLOCK) + Duration::from_secs(1);
            expected *= 2;
        }
    }

    #[test]
    fn failures_outside_the_window_do_not_count_and_success_resets() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        let a = ip("192.0.2.1");
        for i in 0..4 {
            t.record_failure(a, "bob", start + Duration::from_secs(i));
        }
        assert_eq!(
            t.record_failure(a, "bob", start + WINDOW + Duration::from_secs(5)),
            None
        );
        t.record_success(a, "bob");
        for _ in 0..4 {
            assert_eq!(t.record_failure(a, "bob", start), None);
        }
    }
}
