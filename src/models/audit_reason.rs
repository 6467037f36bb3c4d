//! Why something ended or failed, as a stored code rather than prose: one table, from which
//! the enum, its codes and its texts are derived.

use serde::{Deserialize, Serialize};

macro_rules! audit_reasons {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $text:literal;)*) => {
        /// A reason code, stored in the audit log's `reason` column. Codes this build does not
        /// know (written by a newer version) survive as `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum AuditReason {
            $($(#[$doc])* $variant,)*
            Other(String),
        }

        impl AuditReason {
            pub const KNOWN: &'static [AuditReason] = &[$(AuditReason::$variant,)*];

            /// The stored code, snake_case.
            pub fn code(&self) -> &str {
                match self {
                    $(AuditReason::$variant => $code,)*
                    AuditReason::Other(raw) => raw,
                }
            }

            /// Words for people; unknown codes are shown raw.
            pub fn text(&self) -> &str {
                match self {
                    $(AuditReason::$variant => $text,)*
                    AuditReason::Other(raw) => raw,
                }
            }
        }
    };
}

audit_reasons! {
    // How a terminal session ended.
    /// The browser closed the WebSocket (tab closed, ✕, page left).
    TabClosed => "tab_closed", "tab closed";
    RemoteExit => "remote_exit", "remote exit";
    /// The SSH connection dropped without an exit.
    SshClosed => "ssh_closed", "ssh connection closed";
    /// The browser's TCP connection dropped without a close frame.
    ConnectionLost => "connection_lost", "client connection lost";
    ClientUnresponsive => "client_unresponsive", "client unresponsive";
    IdleTimeout => "idle_timeout", "idle timeout";
    LoggedOut => "logged_out", "user logged out";
    PasswordChanged => "password_changed", "password changed";
    ServerShutdown => "server_shutdown", "server shutdown";
    /// The web session the terminal was opened from expired or was revoked.
    WebSessionEnded => "web_session_ended", "web session ended";
    /// The server holding it died; found by a restart or a replica.
    ServerRestart => "server_restart", "server restart";
    ProtocolError => "protocol_error", "protocol error";
    // Why a sign-in or password change failed.
    WrongPassword => "wrong_password", "wrong password";
    UnknownUser => "unknown_user", "unknown user";
    TooManyAttempts => "too_many_attempts", "too many failed attempts";
    /// The audit log did not confirm the sign-in in time, so it was refused.
    AuditDelayed => "audit_delayed", "audit log did not confirm in time";
    WrongCurrentPassword => "wrong_current_password", "wrong current password";
    PasswordPolicy => "password_policy", "new password refused by the policy";
    AccountDisabled => "account_disabled", "account disabled";
    AccountDeleted => "account_deleted", "account deleted";
    /// The role no longer allows terminals and files.
    RoleChanged => "role_changed", "role changed";
    /// The role or the access groups do not allow it.
    NotAllowed => "not_allowed", "not allowed";
    /// The access groups changed and no longer give the device.
    AccessRevoked => "access_revoked", "access revoked";
    // Why a terminal session could not start.
    AuthFailed => "auth_failed", "auth failed";
    Unreachable => "unreachable", "unreachable";
    Timeout => "timeout", "timeout";
    HostKeyMismatch => "host_key_mismatch", "host-key mismatch";
    DecryptFailed => "decrypt_failed", "decrypt failure";
    BadMessage => "bad_message", "bad message";
    TooManySessions => "too_many_sessions", "too many terminal sessions";
    DestinationRefused => "destination_refused", "destination refused by policy";
    Busy => "busy", "server busy";
    Internal => "internal", "internal error";
    // Why a file operation failed.
    PermissionDenied => "permission_denied", "permission denied";
    NoSuchFile => "no_such_file", "no such file or folder";
    AlreadyExists => "already_exists", "already exists";
    DiskFull => "disk_full", "no space left on the device";
    TooLarge => "too_large", "over the upload size limit";
    /// The browser stopped the transfer (cancel, tab closed, connection dropped).
    Cancelled => "cancelled", "cancelled";
    FileOpFailed => "file_op_failed", "the file operation failed";
}

impl AuditReason {
    pub fn parse(code: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|r| r.code() == code)
            .cloned()
            .unwrap_or_else(|| AuditReason::Other(code.to_owned()))
    }
}

impl From<String> for AuditReason {
    fn from(code: String) -> Self {
        AuditReason::parse(&code)
    }
}

impl From<AuditReason> for String {
    fn from(reason: AuditReason) -> Self {
        reason.code().to_owned()
    }
}

impl std::fmt::Display for AuditReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in AuditReason::KNOWN {
            assert!(seen.insert(r.code()), "{} twice", r.code());
            assert!(
                r.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert_eq!(&AuditReason::parse(r.code()), r);
        }
        assert_eq!(
            AuditReason::parse("teleported"),
            AuditReason::Other("teleported".into())
        );
    }
}
