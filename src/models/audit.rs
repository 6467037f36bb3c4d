//! The audit log as both sides see it: entries, actions, pages and filters.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What happened. Stored and sent as its SCREAMING_SNAKE name; names this build does not know
/// (written by a newer version, say) survive as `Other` and are shown raw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AuditAction {
    Login,
    LoginFailed,
    LoginBlocked,
    Logout,
    PasswordChanged,
    PasswordChangeFailed,
    AuditExported,
    AuditPruned,
    Other(String),
}

impl AuditAction {
    /// Every known action, for filters and pickers. A new action is one variant, one line here
    /// and one line in `as_str`.
    pub const KNOWN: &'static [AuditAction] = &[
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::LoginBlocked,
        AuditAction::Logout,
        AuditAction::PasswordChanged,
        AuditAction::PasswordChangeFailed,
        AuditAction::AuditExported,
        AuditAction::AuditPruned,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            AuditAction::Login => "LOGIN",
            AuditAction::LoginFailed => "LOGIN_FAILED",
            AuditAction::LoginBlocked => "LOGIN_BLOCKED",
            AuditAction::Logout => "LOGOUT",
            AuditAction::PasswordChanged => "PASSWORD_CHANGED",
            AuditAction::PasswordChangeFailed => "PASSWORD_CHANGE_FAILED",
            AuditAction::AuditExported => "AUDIT_EXPORTED",
            AuditAction::AuditPruned => "AUDIT_PRUNED",
            AuditAction::Other(raw) => raw,
        }
    }

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub intact: bool,
    /// Rows checked.
    pub checked: u64,
    /// The first row whose hash or link does not match, when broken.
    pub first_broken_id: Option<i64>,
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
}
