//! The audit log as both sides see it: entries, actions, pages and filters.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::AuditReason;

/// Declares `AuditAction` from one table: variant, stored name, label and kind. Every list
/// (the enum, `KNOWN`, `as_str`, `label`, `kind`) is derived from it, so a new action cannot
/// miss one.
macro_rules! audit_actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal, $label:literal, $kind:ident;)*) => {
        /// What happened. Stored and sent as its SCREAMING_SNAKE name; names this build does
        /// not know (written by a newer version, say) survive as `Other` and are shown raw.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum AuditAction {
            $($(#[$doc])* $variant,)*
            Other(String),
        }

        impl AuditAction {
            /// Every known action, for filters and pickers.
            pub const KNOWN: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(&self) -> &str {
                match self {
                    $(AuditAction::$variant => $name,)*
                    AuditAction::Other(raw) => raw,
                }
            }

            /// The human label shown in the viewer; unknown actions are shown raw.
            pub fn label(&self) -> &str {
                match self {
                    $(AuditAction::$variant => $label,)*
                    AuditAction::Other(raw) => raw,
                }
            }

            pub fn kind(&self) -> ActionKind {
                match self {
                    $(AuditAction::$variant => ActionKind::$kind,)*
                    AuditAction::Other(_) => ActionKind::Unknown,
                }
            }
        }
    };
}

audit_actions! {
    Login => "LOGIN", "Logged in", Access;
    LoginFailed => "LOGIN_FAILED", "Login failed", Failure;
    LoginBlocked => "LOGIN_BLOCKED", "Login blocked", Failure;
    Logout => "LOGOUT", "Logged out", Access;
    PasswordChanged => "PASSWORD_CHANGED", "Password changed", Security;
    PasswordChangeFailed => "PASSWORD_CHANGE_FAILED", "Password change failed", Failure;
    AuditExported => "AUDIT_EXPORTED", "Audit exported", System;
    AuditPruned => "AUDIT_PRUNED", "Audit pruned", System;
    /// An HMAC over the chain's head, so truncation or a keyless rewrite shows.
    AuditSeal => "AUDIT_SEAL", "Audit sealed", System;
    /// Events a previous run spilled to a file were written into the chain.
    AuditSpillReplayed => "AUDIT_SPILL_REPLAYED", "Audit spill replayed", System;
    DeviceCreated => "DEVICE_CREATED", "Device created", Security;
    DeviceUpdated => "DEVICE_UPDATED", "Device updated", Security;
    DeviceDeleted => "DEVICE_DELETED", "Device deleted", Security;
    KeyGenerated => "KEY_GENERATED", "Key generated", Security;
    HostKeyLearned => "HOST_KEY_LEARNED", "Host key learned", Security;
    HostKeyMismatch => "HOST_KEY_MISMATCH", "Host key mismatch", Failure;
    HostKeyForgotten => "HOST_KEY_FORGOTTEN", "Host key forgotten", Security;
    SessionStarted => "SESSION_STARTED", "Session started", Access;
    SessionEnded => "SESSION_ENDED", "Session ended", Access;
    SessionFailed => "SESSION_FAILED", "Session failed", Failure;
    /// Keystrokes typed into one terminal go to several.
    BroadcastStarted => "BROADCAST_STARTED", "Broadcast started", Access;
    BroadcastStopped => "BROADCAST_STOPPED", "Broadcast stopped", Access;
    SftpSessionStarted => "SFTP_SESSION_STARTED", "File session started", Access;
    SftpSessionEnded => "SFTP_SESSION_ENDED", "File session ended", Access;
    SftpUpload => "SFTP_UPLOAD", "File uploaded", Files;
    SftpDownload => "SFTP_DOWNLOAD", "File downloaded", Files;
    SftpMkdir => "SFTP_MKDIR", "Folder created", Files;
    SftpRename => "SFTP_RENAME", "File renamed", Files;
    SftpDelete => "SFTP_DELETE", "File deleted", Files;
    SftpChmod => "SFTP_CHMOD", "Permissions changed", Files;
    UserCreated => "USER_CREATED", "User created", Security;
    /// The detail names the changed fields: role, groups, status.
    UserUpdated => "USER_UPDATED", "User updated", Security;
    UserDisabled => "USER_DISABLED", "User disabled", Security;
    UserEnabled => "USER_ENABLED", "User enabled", Security;
    UserDeleted => "USER_DELETED", "User deleted", Security;
    /// An admin (or the CLI) gave an account a new temporary password.
    PasswordReset => "PASSWORD_RESET", "Password reset", Security;
    GroupCreated => "GROUP_CREATED", "Group created", Security;
    /// The detail names the members and devices added or removed.
    GroupUpdated => "GROUP_UPDATED", "Group updated", Security;
    GroupDeleted => "GROUP_DELETED", "Group deleted", Security;
    /// A role or grant check refused a request (rate-limited per user and route).
    AccessDenied => "ACCESS_DENIED", "Access denied", Failure;
}

impl AuditAction {
    pub fn parse(raw: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|a| a.as_str() == raw)
            .cloned()
            .unwrap_or_else(|| AuditAction::Other(raw.to_owned()))
    }
}

impl From<String> for AuditAction {
    fn from(raw: String) -> Self {
        AuditAction::parse(&raw)
    }
}

impl From<AuditAction> for String {
    fn from(action: AuditAction) -> Self {
        action.as_str().to_owned()
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an action is coloured in the viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Normal sign-in and sign-out.
    Access,
    /// Something was refused or went wrong.
    Failure,
    /// Security-relevant changes (passwords, keys).
    Security,
    /// The audit log's own housekeeping.
    System,
    /// Files moved or changed through the file manager.
    Files,
    /// Not known to this build.
    Unknown,
}

impl ActionKind {
    pub fn css_class(self) -> &'static str {
        match self {
            ActionKind::Access => "action action-access",
            ActionKind::Failure => "action action-failure",
            ActionKind::Security => "action action-security",
            ActionKind::System => "action action-system",
            ActionKind::Files => "action action-files",
            ActionKind::Unknown => "action action-unknown",
        }
    }
}

/// Whether the action succeeded, where that question applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    Success,
    Failure,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "success" => Some(AuditOutcome::Success),
            "failure" => Some(AuditOutcome::Failure),
            _ => None,
        }
    }
}

/// One recorded action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// When it happened, UTC, microsecond precision.
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    pub username: String,
    pub action: AuditAction,
    /// Resolved by the server; never taken from a client-supplied header of an untrusted peer.
    pub source_ip: Option<String>,
    pub detail: String,
    pub device_id: Option<i64>,
    /// Correlates a session's start with its end.
    pub session_id: Option<String>,
    pub outcome: Option<AuditOutcome>,
    /// Why a session ended or an action failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<AuditReason>,
}

/// Which entries to show. Every field narrows; an empty filter matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Exact username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Any of these actions (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Exact source IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// From this instant, inclusive.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<OffsetDateTime>,
    /// Up to this instant, exclusive.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<OffsetDateTime>,
    /// Case-insensitive substring of the detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Where a page starts: the newest entries, entries older than an id, or newer than an id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageCursor {
    #[default]
    Newest,
    Before(i64),
    After(i64),
}

/// One page of entries, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` to get the next older page; `None` on the oldest page.
    pub older_cursor: Option<i64>,
    /// Pass as `after` to get the next newer page; `None` on the newest page.
    pub newer_cursor: Option<i64>,
    /// How many entries match the filter in all.
    pub total: u64,
}

/// The result of checking the hash chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub intact: bool,
    /// Rows checked, since the server started (or in this run, from the CLI).
    pub checked: u64,
    /// The first row found wrong, when broken.
    pub first_broken_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<ChainProblem>,
    /// The newest row verified.
    #[serde(default)]
    pub verified_to: Option<i64>,
    /// The newest seal that checked.
    #[serde(default)]
    pub last_seal_id: Option<i64>,
    /// Rows after the newest seal, not sealed yet.
    #[serde(default)]
    pub unsealed: u64,
}

/// What is wrong with the chain, when it is not intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainProblem {
    /// A row's hash or its link to the row before does not match: edited, deleted, reordered.
    Tampered,
    /// An AUDIT_SEAL does not check with this server's key: written without the key.
    BadSeal,
    /// The newest seal this server wrote is gone or changed: the log was cut back or rewritten.
    SealMissing,
}

impl ChainProblem {
    pub fn text(self) -> &'static str {
        match self {
            ChainProblem::Tampered => "an entry was changed, removed or reordered",
            ChainProblem::BadSeal => "a seal was not made with this server's key",
            ChainProblem::SealMissing => "the newest seal is missing: the log was cut back",
        }
    }
}

impl AuditFilter {
    /// The query string for `GET /api/audit/export` with this filter and `format`.
    pub fn export_query(&self, format: &str) -> String {
        let mut parts = vec![format!("format={}", url_encode(format))];
        let rfc3339 = |t: OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        let mut push = |key: &str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                parts.push(format!("{key}={}", url_encode(v.trim())));
            }
        };
        push("user", self.user.clone());
        push("actions", Some(self.actions.join(",")));
        push("ip", self.ip.clone());
        push("from", self.from.map(rfc3339));
        push("to", self.to.map(rfc3339));
        push("q", self.text.clone());
        parts.join("&")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Page sizes the API accepts.
pub const MAX_PAGE_SIZE: u32 = 500;
pub const DEFAULT_PAGE_SIZE: u32 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_unknown_ones_survive() {
        for a in AuditAction::KNOWN {
            assert_eq!(&AuditAction::parse(a.as_str()), a);
        }
        let future = AuditAction::parse("TELEPORTED");
        assert_eq!(future, AuditAction::Other("TELEPORTED".into()));
        assert_eq!(future.as_str(), "TELEPORTED");
        let json = serde_json::to_string(&AuditAction::LoginFailed).unwrap();
        assert_eq!(json, "\"LOGIN_FAILED\"");
    }

    #[test]
    fn labels_and_colours() {
        assert_eq!(AuditAction::Login.label(), "Logged in");
        assert_eq!(AuditAction::Logout.label(), "Logged out");
        assert_eq!(AuditAction::LoginFailed.kind(), ActionKind::Failure);
        assert_eq!(AuditAction::PasswordChanged.kind(), ActionKind::Security);
        let unknown = AuditAction::parse("SESSION_TELEPORTED");
        assert_eq!(unknown.label(), "SESSION_TELEPORTED");
        assert_eq!(unknown.kind().css_class(), "action action-unknown");
        for a in AuditAction::KNOWN {
            assert_ne!(a.label(), a.as_str(), "{a} needs a human label");
            assert_ne!(a.kind(), ActionKind::Unknown, "{a} needs a colour");
        }
    }

    #[test]
    fn export_query_carries_the_filter() {
        let f = AuditFilter {
            user: Some("ops team".into()),
            actions: vec!["LOGIN".into(), "LOGOUT".into()],
            text: Some("a&b".into()),
            ..Default::default()
        };
        assert_eq!(
            f.export_query("csv"),
            "format=csv&user=ops%20team&actions=LOGIN%2CLOGOUT&q=a%26b"
        );
        assert_eq!(
            AuditFilter::default().export_query("ndjson"),
            "format=ndjson"
        );
    }
}
