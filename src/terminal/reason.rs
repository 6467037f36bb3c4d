/// Why a terminal session ended. The text is stored and shown in SESSION_ENDED.
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
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::TabClosed => "tab closed",
            EndReason::RemoteExit => "remote exit",
            EndReason::SshClosed => "ssh connection closed",
            EndReason::ConnectionLost => "client connection lost",
            EndReason::ClientUnresponsive => "client unresponsive",
            EndReason::IdleTimeout => "idle timeout",
            EndReason::LoggedOut => "user logged out",
            EndReason::PasswordChanged => "password changed",
            EndReason::ServerShutdown => "server shutdown",
            EndReason::ServerRestart => "server restart",
            EndReason::ProtocolError => "protocol error",
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
