use crate::audit::{Actor, AuditEvent};
use crate::models::{AuditAction, AuditOutcome, AuditReason, DeviceView};
use crate::ssh::host_keys::endpoint;

/// What a registered session carries: a terminal, or a file manager's SFTP connection.
/// Both are ended the same ways (logout, web session end, shutdown, crash recovery).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Terminal,
    Sftp,
}

impl SessionKind {
    /// Stored in `terminal_sessions.kind`.
    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Terminal => "terminal",
            SessionKind::Sftp => "sftp",
        }
    }

    /// Rows written before the column existed are terminals.
    pub fn parse(code: &str) -> Self {
        match code {
            "sftp" => SessionKind::Sftp,
            _ => SessionKind::Terminal,
        }
    }

    pub fn started_action(self) -> AuditAction {
        match self {
            SessionKind::Terminal => AuditAction::SessionStarted,
            SessionKind::Sftp => AuditAction::SftpSessionStarted,
        }
    }

    pub fn ended_action(self) -> AuditAction {
        match self {
            SessionKind::Terminal => AuditAction::SessionEnded,
            SessionKind::Sftp => AuditAction::SftpSessionEnded,
        }
    }

    /// How details name it: "Started session with …", "Started file session with …".
    pub fn noun(self) -> &'static str {
        match self {
            SessionKind::Terminal => "session",
            SessionKind::Sftp => "file session",
        }
    }
}

impl SessionKind {
    /// SESSION_FAILED for a session of this kind that could not start: "Could not start
    /// session with NAME (host:port): REASON" (the device's id when it was not found).
    pub fn failed_event(
        self,
        actor: &Actor,
        device_id: i64,
        device: Option<&DeviceView>,
        reason: AuditReason,
    ) -> AuditEvent {
        let name = device
            .map(|d| format!("{} ({})", d.name, endpoint(&d.host, d.port)))
            .unwrap_or_else(|| format!("device {device_id}"));
        actor
            .event(
                AuditAction::SessionFailed,
                format!(
                    "Could not start {} with {name}: {}",
                    self.noun(),
                    reason.text()
                ),
            )
            .device(device_id)
            .reason(reason)
            .outcome(AuditOutcome::Failure)
    }
}
