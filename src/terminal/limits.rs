//! How many terminals may be open at once on this server: per user, and in all. A slot is
//! taken before any expensive work (decrypting, connecting) and given back when the session
//! (or the attempt) ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which limit refused a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "You have {0} sessions open (terminals and file managers), the most allowed (MAX_TERMINALS_PER_USER). Close one first."
    )]
    PerUser(usize),
    #[error(
        "The server has {0} sessions open (terminals and file managers), the most it allows (MAX_TERMINALS). Try again later."
    )]
    Total(usize),
}

#[derive(Clone)]
pub struct TerminalLimits {
    per_user: usize,
    total: usize,
    open: Arc<Mutex<Open>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    /// Only users with at least one slot are kept, so the map is bounded by `total`.
    by_user: HashMap<String, usize>,
}

/// One terminal's place; dropping it gives the place back.
pub struct Slot {
    open: Arc<Mutex<Open>>,
    username: String,
}

impl TerminalLimits {
    pub fn new(per_user: usize, total: usize) -> Self {
        Self {
            per_user,
            total,
            open: Arc::default(),
        }
    }

    pub fn take(&self, username: &str) -> Result<Slot, LimitError> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| LimitError::Total(self.total))?;
        if open.total >= self.total {
            return Err(LimitError::Total(self.total));
        }
        let mine = open.by_user.get(username).copied().unwrap_or(0);
        if mine >= self.per_user {
            return Err(LimitError::PerUser(self.per_user));
        }
        open.total += 1;
        open.by_user.insert(username.to_owned(), mine + 1);
        Ok(Slot {
            open: self.open.clone(),
            username: username.to_owned(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(n) = open.by_user.get_mut(&self.username) {
                *n -= 1;
                if *n == 0 {
                    open.by_user.remove(&self.username);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_user_and_in_all_and_slots_come_back() {
        let limits = TerminalLimits::new(2, 3);
        let a1 = limits.take("a").unwrap();
        let _a2 = limits.take("a").unwrap();
        assert_eq!(limits.take("a").err(), Some(LimitError::PerUser(2)));
        let _b1 = limits.take("b").unwrap();
        assert_eq!(limits.take("c").err(), Some(LimitError::Total(3)));
        drop(a1);
        assert!(limits.take("c").is_ok());
    }
}
