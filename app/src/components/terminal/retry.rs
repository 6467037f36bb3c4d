//! Reconnecting after an unexpected drop: up to three attempts, 1 s, 2 s and 4 s apart, each
//! a new (audited) session. Never after the shell exited, nor after a refusal that another
//! try cannot fix (credentials, a changed host key, policy).

// Only the browser build reconnects; the server build keeps the policy for its tests.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use cloudshell::models::terminal::ErrorKind;
use leptos::prelude::*;

/// Attempts after one drop.
pub const MAX_ATTEMPTS: u32 = 3;

/// A tab's reconnect state: attempts made since it was last connected, and the tab's
/// generation (bumping it rebuilds the terminal with a new connection).
#[derive(Clone, Copy)]
pub struct Retry {
    pub attempts: RwSignal<u32>,
    pub generation: RwSignal<u32>,
}

/// Whether another try could succeed after the server reported `kind`.
pub fn worth_retrying(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Unreachable | ErrorKind::Timeout | ErrorKind::Busy | ErrorKind::Internal
    )
}

/// The wait before attempt `n` (1-based): 1 s, 2 s, 4 s.
pub fn delay_ms(n: u32) -> u32 {
    1000 << n.saturating_sub(1).min(4)
}

/// What the terminal says when it reconnects, or gives up.
pub fn notice(next_attempt: u32) -> String {
    if next_attempt > MAX_ATTEMPTS {
        format!("[Connection lost. Gave up after {MAX_ATTEMPTS} attempts; use ↻ to reconnect.]")
    } else {
        format!(
            "[Connection lost. Reconnecting in {} s (attempt {next_attempt} of {MAX_ATTEMPTS})…]",
            delay_ms(next_attempt) / 1000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_after_three() {
        assert_eq!([delay_ms(1), delay_ms(2), delay_ms(3)], [1000, 2000, 4000]);
        assert!(notice(1).contains("attempt 1 of 3"));
        assert!(notice(4).contains("Gave up"));
    }

    #[test]
    fn refusals_another_try_cannot_fix_are_final() {
        assert!(!worth_retrying(ErrorKind::AuthFailed));
        assert!(!worth_retrying(ErrorKind::HostKeyMismatch));
        assert!(!worth_retrying(ErrorKind::DecryptFailed));
        assert!(!worth_retrying(ErrorKind::DestinationRefused));
        assert!(!worth_retrying(ErrorKind::TooManySessions));
        assert!(worth_retrying(ErrorKind::Unreachable));
        assert!(worth_retrying(ErrorKind::Timeout));
    }
}
