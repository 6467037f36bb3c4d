use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a user may do. Stored as lower-case text in `users.role`.
///
/// | Role | Devices | Audit log | Users and groups |
/// |---|---|---|---|
/// | admin | all, and edits them | all | manages them |
/// | operator | uses those of their access groups | their own entries | – |
/// | auditor | none | reads and exports all | – |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Operator,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Operator, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        }
    }

    /// The stored name back; anything else (a hand-edited row, say) is `None`, and such an
    /// account is refused rather than guessed at.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }

    /// How the UI names the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Operator => "Operator",
            Role::Auditor => "Auditor",
        }
    }

    /// Users, groups, devices and their secrets, host keys: admins only.
    pub fn manages(self) -> bool {
        self == Role::Admin
    }

    /// Terminals and files at all (which devices is the access groups' business).
    pub fn uses_devices(self) -> bool {
        matches!(self, Role::Admin | Role::Operator)
    }

    /// Every entry of the audit log, its export and its verification; an operator sees
    /// only their own entries.
    pub fn reads_whole_audit_log(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
}

/// The logged-in user as the browser sees it (`GET /api/auth/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub username: String,
    pub role: Role,
    /// When the web session expires, UTC. Activity pushes it forward.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The account still has its generated first password: the page asks for a new one
    /// before anything else, and the server refuses everything else until then.
    #[serde(default)]
    pub must_change_password: bool,
}

impl SessionInfo {
    pub fn is_admin(&self) -> bool {
        self.role.manages()
    }
}

/// One of the caller's signed-in browsers ("My account").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSessionView {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub client_ip: Option<String>,
    /// The session this page is using.
    pub current: bool,
}

/// One of the caller's open terminals or file sessions, on any server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSessionView {
    pub id: String,
    /// `terminal` or `sftp`.
    pub kind: String,
    pub device_name: String,
    pub endpoint: String,
    pub client_ip: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
}

/// `GET /api/auth/sessions`: what "My account" lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySessions {
    pub web: Vec<WebSessionView>,
    pub open: Vec<OpenSessionView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        // The role before roles existed is gone after the upgrade; a row still holding it
        // is refused, not read as something it may not be.
        assert_eq!(Role::parse("user"), None);
    }
}
