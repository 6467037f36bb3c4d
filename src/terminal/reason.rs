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
    /// The web session it was opened from expired or was revoked.
    WebSessionEnded,
    /// Found open at startup: the process that owned it died.
    ServerRestart,
    /// The browser broke the protocol.
    ProtocolError,
    /// An admin disabled the account.
    AccountDisabled,
    /// An admin deleted the account.
    AccountDeleted,
    /// The account's new role does not use devices.
    RoleChanged,
    /// The account no longer has access to the device (its groups changed).
    AccessRevoked,
}

impl EndReason {
    pub const ALL: [EndReason; 16] = [
        EndReason::TabClosed,
        EndReason::RemoteExit,
        EndReason::SshClosed,
        EndReason::ConnectionLost,
        EndReason::ClientUnresponsive,
        EndReason::IdleTimeout,
        EndReason::LoggedOut,
        EndReason::PasswordChanged,
        EndReason::ServerShutdown,
        EndReason::WebSessionEnded,
        EndReason::ServerRestart,
        EndReason::ProtocolError,
        EndReason::AccountDisabled,
        EndReason::AccountDeleted,
        EndReason::RoleChanged,
        EndReason::AccessRevoked,
    ];

    /// Whether the end was meant (the shell exited, the user's session ended), so the
    /// browser must not reconnect; a dropped connection or a server going away may be retried.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            EndReason::SshClosed
                | EndReason::ConnectionLost
                | EndReason::ClientUnresponsive
                | EndReason::ServerShutdown
                | EndReason::ServerRestart
        )
    }

    /// Whether the user lost the right to the device (disabled, deleted, role or groups
    /// changed): then nothing may go on for a moment longer, not even a running transfer.
    pub fn revokes_access(self) -> bool {
        matches!(
            self,
            EndReason::AccountDisabled
                | EndReason::AccountDeleted
                | EndReason::RoleChanged
                | EndReason::AccessRevoked
        )
    }

    /// The end reason with this audit reason, if there is one.
    pub fn from_reason(reason: &AuditReason) -> Option<Self> {
        Self::ALL.into_iter().find(|r| &r.reason() == reason)
    }

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
            EndReason::WebSessionEnded => AuditReason::WebSessionEnded,
            EndReason::ServerRestart => AuditReason::ServerRestart,
            EndReason::ProtocolError => AuditReason::ProtocolError,
            EndReason::AccountDisabled => AuditReason::AccountDisabled,
            EndReason::AccountDeleted => AuditReason::AccountDeleted,
            EndReason::RoleChanged => AuditReason::RoleChanged,
            EndReason::AccessRevoked => AuditReason::AccessRevoked,
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason().text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_end_reason_maps_to_its_own_code_and_back() {
        for r in EndReason::ALL {
            assert_eq!(EndReason::from_reason(&r.reason()), Some(r));
        }
        assert_eq!(EndReason::from_reason(&AuditReason::WrongPassword), None);
    }
}
