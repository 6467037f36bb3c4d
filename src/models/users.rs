//! Users and access groups as the admin's screens see them (`/api/users*`, `/api/groups*`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Role;
use crate::secret::SecretString;

/// At most this many ids in one change, so one request cannot ask for unbounded work.
pub const MAX_IDS_PER_CHANGE: usize = 1000;
/// Group names: 1 to 64 characters, no control characters.
pub const MAX_GROUP_NAME_CHARS: usize = 64;

/// Something with an id and a name: a group, a member, a device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamedId {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// Sorted by name.
    pub groups: Vec<NamedId>,
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// The account still has a temporary password and must choose its own at sign-in.
    pub must_change_password: bool,
}

/// `POST /api/users/create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<i64>,
}

/// A user just created, or whose password was just reset: the temporary password is in
/// this answer and nowhere else (only its hash is stored). Debug is redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryPassword {
    pub user: UserView,
    pub password: SecretString,
}

/// `POST /api/users/update`: what to change; `None` leaves it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChange {
    #[serde(default)]
    pub role: Option<Role>,
    /// The complete new set of groups.
    #[serde(default)]
    pub groups: Option<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    /// Sorted by name.
    pub members: Vec<NamedId>,
    /// Sorted by name.
    pub devices: Vec<NamedId>,
}

/// An access group as the device sidebar shows it: a section holding these devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceGroup {
    pub id: i64,
    pub name: String,
    pub device_ids: Vec<i64>,
}

/// `POST /api/groups/update`: a rename and/or members and devices added or removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub add_members: Vec<i64>,
    #[serde(default)]
    pub remove_members: Vec<i64>,
    #[serde(default)]
    pub add_devices: Vec<i64>,
    #[serde(default)]
    pub remove_devices: Vec<i64>,
}

impl GroupChange {
    pub fn id_count(&self) -> usize {
        self.add_members.len()
            + self.remove_members.len()
            + self.add_devices.len()
            + self.remove_devices.len()
    }
}

/// A group name's problem, if it has one.
pub fn check_group_name(name: &str) -> Result<(), &'static str> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("Enter a name.");
    }
    if trimmed.chars().count() > MAX_GROUP_NAME_CHARS {
        return Err("At most 64 characters.");
    }
    if trimmed.chars().any(char::is_control) {
        return Err("No control characters.");
    }
    // The audit details list groups with these; a name holding them would read ambiguously.
    if trimmed.contains([';', ',', '[', ']']) {
        return Err("No ; , [ or ].");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_checked() {
        assert!(check_group_name("Web servers").is_ok());
        assert!(check_group_name("  ").is_err());
        assert!(check_group_name(&"g".repeat(65)).is_err());
        assert!(check_group_name("a\u{7}b").is_err());
        assert!(check_group_name("web; db").is_err());
    }

    #[test]
    fn a_temporary_password_does_not_show_in_debug() {
        let t = TemporaryPassword {
            user: UserView {
                id: 1,
                username: "bob".into(),
                role: Role::Operator,
                groups: vec![],
                disabled: false,
                last_login_at: None,
                must_change_password: true,
            },
            password: SecretString::new("hunter2-hunter2"),
        };
        assert!(!format!("{t:?}").contains("hunter2"));
    }
}
