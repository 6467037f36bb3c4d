//! The audit detail of a device update: which fields changed, never the secret values.

use crate::models::{DeviceFields, DeviceView};

/// "Updated device web02 (was web01): name, host, password".
pub(crate) fn describe_update(
    before: &DeviceView,
    after: &DeviceFields,
    secret_changes: &[&str],
) -> String {
    let mut changed: Vec<&str> = Vec::new();
    if before.name != after.name {
        changed.push("name");
    }
    if before.host != after.host {
        changed.push("host");
    }
    if before.port != after.port {
        changed.push("port");
    }
    if before.username != after.username {
        changed.push("username");
    }
    if before.auth_type != after.auth_type {
        changed.push("auth type");
    }
    changed.extend_from_slice(secret_changes);
    let renamed = if before.name != after.name {
        format!(" (was {})", before.name)
    } else {
        String::new()
    };
    let what = if changed.is_empty() {
        "no changes".to_owned()
    } else {
        changed.join(", ")
    };
    format!("Updated device {}{renamed}: {what}", after.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::SshAuthType;

    fn before() -> DeviceView {
        DeviceView {
            id: 1,
            name: "web01".into(),
            host: "10.0.0.5".into(),
            port: 22,
            username: "deploy".into(),
            auth_type: SshAuthType::Password,
            has_password: true,
            has_key: false,
            public_key: None,
        }
    }

    #[test]
    fn names_each_changed_field_and_the_old_name() {
        let after = DeviceFields {
            name: "web02".into(),
            port: 2222,
            ..before().fields()
        };
        assert_eq!(
            describe_update(&before(), &after, &["password"]),
            "Updated device web02 (was web01): name, port, password"
        );
    }

    #[test]
    fn says_when_nothing_changed() {
        assert_eq!(
            describe_update(&before(), &before().fields(), &[]),
            "Updated device web01: no changes"
        );
    }
}
