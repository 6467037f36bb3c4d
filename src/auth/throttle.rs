//! Brute-force protection for logins and password changes, kept in memory.
//!
//! - Per (address, username) and per address: an attempt is counted when it begins, before the
//!   password is checked, so parallel guesses cannot slip past together. Reaching the limit
//!   blocks the key for a minute, doubling with each block up to an hour.
//! - Per username: failures from anywhere only slow later attempts down (a delay growing to a
//!   few seconds), never refuse them, so nobody can lock the admin out from afar.
//! - A refused attempt costs a map lookup: no database, no argon2. Refusals are counted and
//!   reported once per key when its block ends (`take_reports`).
//! - The map has a fixed size and evicts the longest-idle keys; usernames are keyed by a hash.
//!
//! A restart forgives everything, which is acceptable for a one-hour ceiling.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The numbers; `Default` is what the server uses, tests shorten them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Attempts per (address, username) within `window` before a block.
    pub per_pair: usize,
    /// Attempts per address (any usernames) within `window` before a block.
    pub per_address: usize,
    pub window: Duration,
    pub first_block: Duration,
    pub max_block: Duration,
    /// Failures per username within `window` before its attempts are slowed down.
    pub slow_after: usize,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Keys kept at most; past this the longest-idle tenth is evicted.
    pub max_keys: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_pair: 5,
            per_address: 10,
            window: Duration::from_secs(15 * 60),
            first_block: Duration::from_secs(60),
            max_block: Duration::from_secs(3600),
            slow_after: 5,
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_keys: 10_000,
        }
    }
}

type UserHash = [u8; 16];

fn user_hash(username: &str) -> UserHash {
    let digest = Sha256::digest(username.to_lowercase().as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Pair(IpAddr, UserHash),
    Address(IpAddr),
    User(UserHash),
}

#[derive(Debug)]
struct KeyState {
    /// Pair and address keys: attempts begun; user keys: failures.
    times: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    block_len: Duration,
    blocks: u32,
    /// Attempts refused since the last report.
    refused: u32,
    /// The username of the attempt that started the block, for the report.
    name: Option<String>,
    last_seen: Instant,
}

impl KeyState {
    fn new(now: Instant) -> Self {
        Self {
            times: VecDeque::new(),
            blocked_until: None,
            block_len: Duration::ZERO,
            blocks: 0,
            refused: 0,
            name: None,
            last_seen: now,
        }
    }
}

/// An attempt that was let through; finish it with `failed` or `succeeded`.
#[derive(Debug)]
pub struct Attempt {
    ip: IpAddr,
    user: UserHash,
    name: String,
    /// How long to wait before checking the password (the username is under attack).
    pub delay: Duration,
}

/// A block that ended with attempts refused during it: one audit entry each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReport {
    pub username: String,
    pub ip: IpAddr,
    /// `true` when the whole address was blocked, not only this username from it.
    pub whole_address: bool,
    pub refused: u32,
    pub blocked_for: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    keys: Arc<Mutex<HashMap<Key, KeyState>>>,
    limits: Limits,
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self {
            keys: Arc::default(),
            limits,
        }
    }

    fn limit(&self, key: &Key) -> usize {
        match key {
            Key::Pair(..) => self.limits.per_pair,
            Key::Address(_) => self.limits.per_address,
            Key::User(_) => usize::MAX,
        }
    }

    /// Counts the attempt, or refuses it with how long to wait.
    pub fn begin(&self, ip: IpAddr, username: &str, now: Instant) -> Result<Attempt, Duration> {
        let user = user_hash(username);
        let Ok(mut keys) = self.keys.lock() else {
            return Err(self.limits.first_block);
        };
        let guarded = [Key::Pair(ip, user), Key::Address(ip)];
        let mut wait: Option<Duration> = None;
        for key in guarded {
            let limit = self.limit(&key);
            let state = self.entry(&mut keys, key, now);
            state
                .times
                .retain(|t| now.duration_since(*t) < self.limits.window);
            let refuse = match state.blocked_until {
                Some(until) if until > now => Some(until - now),
                // Attempts still being checked would reach the limit: refuse until they settle.
                _ if state.times.len() >= limit => Some(self.next_block(state, now)),
                _ => None,
            };
            if let Some(w) = refuse {
                state.refused = state.refused.saturating_add(1);
                wait = Some(wait.map_or(w, |x: Duration| x.max(w)));
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in guarded {
            self.entry(&mut keys, key, now).times.push_back(now);
        }
        let failures = {
            let state = self.entry(&mut keys, Key::User(user), now);
            state
                .times
                .retain(|t| now.duration_since(*t) < self.limits.window);
            state.times.len()
        };
        Ok(Attempt {
            ip,
            user,
            name: username.chars().take(64).collect(),
            delay: self.delay_after(failures),
        })
    }

    /// The attempt failed. Returns the block it started, if any.
    pub fn failed(&self, attempt: &Attempt, now: Instant) -> Option<Duration> {
        let Ok(mut keys) = self.keys.lock() else {
            return None;
        };
        let mut started = None;
        for key in [
            Key::Pair(attempt.ip, attempt.user),
            Key::Address(attempt.ip),
        ] {
            let limit = self.limit(&key);
            let state = self.entry(&mut keys, key, now);
            let blocked = state.blocked_until.is_some_and(|until| until > now);
            if !blocked && state.times.len() >= limit {
                let len = self.next_block(state, now);
                state.blocks = state.blocks.saturating_add(1);
                state.block_len = len;
                state.blocked_until = Some(now + len);
                state.times.clear();
                state.name = Some(attempt.name.clone());
                started = Some(started.map_or(len, |s: Duration| s.max(len)));
            }
        }
        self.entry(&mut keys, Key::User(attempt.user), now)
            .times
            .push_back(now);
        started
    }

    /// The attempt succeeded: this username from this address starts clean, the address
    /// forgets this one attempt, and the username is no longer slowed down.
    pub fn succeeded(&self, attempt: &Attempt) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.remove(&Key::Pair(attempt.ip, attempt.user));
            keys.remove(&Key::User(attempt.user));
            if let Some(state) = keys.get_mut(&Key::Address(attempt.ip)) {
                state.times.pop_back();
            }
        }
    }

    /// Blocks that are over and refused something since the last call.
    pub fn take_reports(&self, now: Instant) -> Vec<BlockReport> {
        let Ok(mut keys) = self.keys.lock() else {
            return Vec::new();
        };
        let mut reports = Vec::new();
        for (key, state) in keys.iter_mut() {
            let over = state.blocked_until.is_none_or(|until| until <= now);
            if state.refused == 0 || !over {
                continue;
            }
            let (ip, whole_address) = match key {
                Key::Pair(ip, _) => (*ip, false),
                Key::Address(ip) => (*ip, true),
                Key::User(_) => continue,
            };
            reports.push(BlockReport {
                username: state.name.clone().unwrap_or_default(),
                ip,
                whole_address,
                refused: state.refused,
                blocked_for: state.block_len,
            });
            state.refused = 0;
        }
        reports
    }

    /// The length of the key's next block: doubling, forgiven after an hour without one.
    fn next_block(&self, state: &mut KeyState, now: Instant) -> Duration {
        if state
            .blocked_until
            .is_some_and(|until| now.saturating_duration_since(until) > self.limits.max_block)
        {
            state.blocks = 0;
        }
        self.limits
            .first_block
            .saturating_mul(1u32 << state.blocks.min(16))
            .min(self.limits.max_block)
    }

    fn delay_after(&self, failures: usize) -> Duration {
        if failures < self.limits.slow_after {
            return Duration::ZERO;
        }
        let doublings = (failures - self.limits.slow_after).min(16) as u32;
        self.limits
            .first_delay
            .saturating_mul(1u32 << doublings)
            .min(self.limits.max_delay)
    }

    fn entry<'a>(
        &self,
        keys: &'a mut HashMap<Key, KeyState>,
        key: Key,
        now: Instant,
    ) -> &'a mut KeyState {
        if !keys.contains_key(&key) && keys.len() >= self.limits.max_keys {
            evict_idlest(keys, self.limits.max_keys / 10 + 1);
        }
        let state = keys.entry(key).or_insert_with(|| KeyState::new(now));
        state.last_seen = now;
        state
    }
}

/// Removes the `n` keys seen longest ago (amortised: one sort per tenth of the capacity).
fn evict_idlest(keys: &mut HashMap<Key, KeyState>, n: usize) {
    let mut by_age: Vec<(Instant, Key)> = keys.iter().map(|(k, s)| (s.last_seen, *k)).collect();
    by_age.sort_unstable_by_key(|(seen, _)| *seen);
    for (_, key) in by_age.into_iter().take(n) {
        keys.remove(&key);
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
