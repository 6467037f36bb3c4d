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
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
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

/// The address as the throttle counts it: IPv4 as it is, IPv6 by its /64 (one subscriber
/// usually holds a whole /64, so counting single addresses would not count anything).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
        v4 => v4,
    }
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

    fn blocked_at(&self, now: Instant) -> bool {
        self.blocked_until.is_some_and(|until| until > now)
    }
}

type Keys = HashMap<Key, KeyState>;

/// An attempt that was let through. Finish it with `failed` or `succeeded`; dropped without
/// either (the request failed or went away), it no longer counts.
#[derive(Debug)]
pub struct Attempt {
    throttle: LoginThrottle,
    address: IpAddr,
    user: UserHash,
    name: String,
    begun: Instant,
    settled: bool,
    /// How long to wait before checking the password (the username is under attack).
    pub delay: Duration,
}

impl Attempt {
    fn guarded(&self) -> [Key; 2] {
        [
            Key::Pair(self.address, self.user),
            Key::Address(self.address),
        ]
    }

    /// The password was wrong. Returns the block this started, if any.
    pub fn failed(mut self, now: Instant) -> Option<Duration> {
        self.settled = true;
        let t = &self.throttle;
        let mut keys = t.lock();
        let mut started = None;
        for key in self.guarded() {
            let limit = t.limit(&key);
            let Some(state) = keys.get_mut(&key) else {
                continue;
            };
            if !state.blocked_at(now) && state.times.len() >= limit {
                let len = t.next_block(state, now);
                state.blocks = state.blocks.saturating_add(1);
                state.block_len = len;
                state.blocked_until = Some(now + len);
                state.times.clear();
                state.name = Some(self.name.clone());
                started = Some(started.map_or(len, |s: Duration| s.max(len)));
            }
        }
        if let Some(state) = t.insert(&mut keys, Key::User(self.user), now) {
            state.times.push_back(now);
        }
        started
    }

    /// The password was right: this username from this address starts clean, the address
    /// forgets this one attempt, and the username is no longer slowed down.
    pub fn succeeded(mut self) {
        self.settled = true;
        let mut keys = self.throttle.lock();
        keys.remove(&Key::Pair(self.address, self.user));
        keys.remove(&Key::User(self.user));
        forget(&mut keys, Key::Address(self.address), self.begun);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let mut keys = self.throttle.lock();
        for key in self.guarded() {
            forget(&mut keys, key, self.begun);
        }
    }
}

/// Removes one attempt begun at `begun` from `key`'s count.
fn forget(keys: &mut Keys, key: Key, begun: Instant) {
    if let Some(state) = keys.get_mut(&key)
        && let Some(i) = state.times.iter().position(|t| *t == begun)
    {
        state.times.remove(i);
    }
}

/// A block that ended with attempts refused during it: one audit entry each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReport {
    pub username: String,
    pub ip: IpAddr,
    /// `true` when the whole address was blocked, not only this username from it.
    pub whole_address: bool,
    pub refused: u32,
    /// Zero when no block followed: attempts were refused while earlier ones were checked.
    pub blocked_for: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    keys: Arc<Mutex<Keys>>,
    limits: Limits,
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self {
            keys: Arc::default(),
            limits,
        }
    }

    /// A panic elsewhere while holding the lock leaves consistent counts: keep going.
    fn lock(&self) -> std::sync::MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn limit(&self, key: &Key) -> usize {
        match key {
            Key::Pair(..) => self.limits.per_pair,
            Key::Address(_) => self.limits.per_address,
            Key::User(_) => usize::MAX,
        }
    }

    /// Counts the attempt, or refuses it with how long to wait. A refusal only reads the map
    /// (it adds no key), so refused requests cannot grow it.
    pub fn begin(&self, ip: IpAddr, username: &str, now: Instant) -> Result<Attempt, Duration> {
        let address = address_key(ip);
        let user = user_hash(username);
        let guarded = [Key::Pair(address, user), Key::Address(address)];
        let mut keys = self.lock();
        let mut wait: Option<Duration> = None;
        for key in guarded {
            let limit = self.limit(&key);
            let Some(state) = keys.get_mut(&key) else {
                continue;
            };
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
                state.last_seen = now;
                wait = Some(wait.map_or(w, |x: Duration| x.max(w)));
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in guarded {
            match self.insert(&mut keys, key, now) {
                Some(state) => state.times.push_back(now),
                // Full of blocked keys: a flood from very many addresses. Refuse, closed.
                None => return Err(self.limits.first_block),
            }
        }
        let failures = keys.get_mut(&Key::User(user)).map_or(0, |state| {
            state
                .times
                .retain(|t| now.duration_since(*t) < self.limits.window);
            state.times.len()
        });
        Ok(Attempt {
            throttle: self.clone(),
            address,
            user,
            name: username.chars().take(64).collect(),
            begun: now,
            settled: false,
            delay: self.delay_after(failures),
        })
    }

    /// Blocks that are over and refused something since the last call.
    pub fn take_reports(&self, now: Instant) -> Vec<BlockReport> {
        let mut keys = self.lock();
        let mut reports = Vec::new();
        for (key, state) in keys.iter_mut() {
            if state.refused == 0 || state.blocked_at(now) {
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
                blocked_for: if state.blocked_until.is_some() {
                    state.block_len
                } else {
                    Duration::ZERO
                },
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

    /// The key's state, created if need be. At capacity, room is made by evicting keys that
    /// carry no block, the idlest first; `None` when every key is blocked.
    fn insert<'a>(&self, keys: &'a mut Keys, key: Key, now: Instant) -> Option<&'a mut KeyState> {
        if !keys.contains_key(&key) && keys.len() >= self.limits.max_keys {
            evict(keys, self.limits.max_keys / 10 + 1, now, self.limits.window);
            if keys.len() >= self.limits.max_keys {
                return None;
            }
        }
        let state = keys.entry(key).or_insert_with(|| KeyState::new(now));
        state.last_seen = now;
        Some(state)
    }
}

/// Evicts up to `n` keys that carry no block: first those with nothing counted in the
/// window, then the rest, each group the longest idle first. Blocked keys are never evicted,
/// so a flood of new keys cannot lift a block.
fn evict(keys: &mut Keys, n: usize, now: Instant, window: Duration) {
    let mut candidates: Vec<(bool, Instant, Key)> = keys
        .iter()
        .filter(|(_, s)| !s.blocked_at(now))
        .map(|(k, s)| {
            let active = s.times.iter().any(|t| now.duration_since(*t) < window);
            (active, s.last_seen, *k)
        })
        .collect();
    candidates.sort_unstable_by_key(|(active, seen, _)| (*active, *seen));
    for (_, _, key) in candidates.into_iter().take(n) {
        keys.remove(&key);
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
