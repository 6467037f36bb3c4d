//! The terminal WebSocket's control messages. Binary frames carry terminal bytes both ways;
//! text frames carry exactly these JSON messages, so typed or pasted text (even JSON) can
//! never be mistaken for a command.

use serde::{Deserialize, Serialize};

/// Terminal sizes outside these bounds are clamped: a zero-sized or absurd PTY helps nobody.
pub const MIN_COLS: u32 = 10;
pub const MAX_COLS: u32 = 1000;
pub const MIN_ROWS: u32 = 2;
pub const MAX_ROWS: u32 = 500;
/// The largest WebSocket message accepted from a browser (a big paste arrives in pieces).
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

/// From the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Resize { cols: u32, rows: u32 },
}

/// The WebSocket close code for a session ended on purpose (exit, logout, password change,
/// idle timeout, web session ended): the browser does not reconnect. Other ends close with
/// 1000 (or without a close frame) and may be retried.
pub const CLOSE_FINAL: u16 = 4000;

/// Why a session could not start, or stopped with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    AuthFailed,
    Unreachable,
    Timeout,
    HostKeyMismatch,
    DecryptFailed,
    /// The browser sent something the protocol does not allow.
    BadMessage,
    /// Over MAX_TERMINALS_PER_USER or MAX_TERMINALS.
    TooManySessions,
    /// The destination policy (DEVICE_ALLOW_CIDRS / DEVICE_DENY_CIDRS) refuses the address.
    DestinationRefused,
    /// The server is at capacity for key work; try again.
    Busy,
    Internal,
}

impl ErrorKind {
    /// The reason code recorded in SESSION_FAILED.
    pub fn audit_reason(self) -> super::AuditReason {
        use super::AuditReason;
        match self {
            ErrorKind::AuthFailed => AuditReason::AuthFailed,
            ErrorKind::Unreachable => AuditReason::Unreachable,
            ErrorKind::Timeout => AuditReason::Timeout,
            ErrorKind::HostKeyMismatch => AuditReason::HostKeyMismatch,
            ErrorKind::DecryptFailed => AuditReason::DecryptFailed,
            ErrorKind::BadMessage => AuditReason::BadMessage,
            ErrorKind::TooManySessions => AuditReason::TooManySessions,
            ErrorKind::DestinationRefused => AuditReason::DestinationRefused,
            ErrorKind::Busy => AuditReason::Busy,
            ErrorKind::Internal => AuditReason::Internal,
        }
    }
}

/// From the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    Connected {
        session_id: String,
    },
    Exit {
        status: u32,
    },
    Error {
        kind: ErrorKind,
        message: String,
    },
    /// First contact with this host: its key is now trusted.
    HostKeyLearned {
        algorithm: String,
        fingerprint: String,
    },
}

/// Clamps a requested size into the bounds above.
pub fn clamp_size(cols: u32, rows: u32) -> (u32, u32) {
    (
        cols.clamp(MIN_COLS, MAX_COLS),
        rows.clamp(MIN_ROWS, MAX_ROWS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shapes() {
        let resize: ClientMessage =
            serde_json::from_str(r#"{"type":"resize","cols":120,"rows":40}"#).unwrap();
        assert_eq!(
            resize,
            ClientMessage::Resize {
                cols: 120,
                rows: 40
            }
        );
        let exit = serde_json::to_string(&ServerMessage::Exit { status: 3 }).unwrap();
        assert_eq!(exit, r#"{"type":"exit","status":3}"#);
        let err = serde_json::to_string(&ServerMessage::Error {
            kind: ErrorKind::HostKeyMismatch,
            message: "m".into(),
        })
        .unwrap();
        assert_eq!(
            err,
            r#"{"type":"error","kind":"host_key_mismatch","message":"m"}"#
        );
        assert!(serde_json::from_str::<ClientMessage>(r#"{"type":"exec","cmd":"rm"}"#).is_err());
    }

    #[test]
    fn sizes_are_clamped() {
        assert_eq!(clamp_size(0, 0), (MIN_COLS, MIN_ROWS));
        assert_eq!(clamp_size(u32::MAX, u32::MAX), (MAX_COLS, MAX_ROWS));
        assert_eq!(clamp_size(80, 24), (80, 24));
    }
}
