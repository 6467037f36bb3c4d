use crate::models::AuditReason;

/// Why a terminal session ended. Recorded as the SESSION_ENDED reason code; its words are the
/// reason's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The browser closed the WebSocket (tab closed, ✕, page left).
    TabClosed,
    /// The remote shell exited.
    RemoteExit,
    /// The SSH connection dropped without an exit.
    SshClosed,
    /// The browser's TCP connection dropped without a close frame.
    ConnectionLost,
    /// The browser stopped answering WebSocket pings.
    ClientUnresponsive,
    IdleTimeout,
    LoggedOut,
    PasswordChanged,
    ServerShutdown,
    /// Found open at startup: the process that owned it died.
    ServerRestart,
    /// The browser broke the protocol.
    ProtocolError,
}

impl EndReason {
    pub fn reason(self) -> AuditReason {
        match self {
            EndReason::TabClosed => AuditReason::TabClosed,
            EndReason::RemoteExit => AuditReason::RemoteExit,
            EndReason::SshClosed => AuditReason::SshClosed,
            EndReason::ConnectionLost => AuditReason::ConnectionLost,
            EndReason::ClientUnresponsive => AuditReason::ClientUnresponsive,
            EndReason::IdleTimeout => AuditReason::IdleTimeout,
            EndReason::LoggedOut => AuditReason::LoggedOut,
            EndReason::PasswordChanged => AuditReason::PasswordChanged,
            EndReason::ServerShutdown => AuditReason::ServerShutdown,
            EndReason::ServerRestart => AuditReason::ServerRestart,
            EndReason::ProtocolError => AuditReason::ProtocolError,
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason().text())
    }
}
