//! Devices as the form and the server validate them. Secrets are not part of these types.

use serde::{Deserialize, Serialize};

/// How CloudShell authenticates to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SshAuthType {
    Password,
    PrivateKey,
    /// Many network devices offer only this.
    KeyboardInteractive,
}

impl SshAuthType {
    pub const ALL: [SshAuthType; 3] = [
        SshAuthType::Password,
        SshAuthType::PrivateKey,
        SshAuthType::KeyboardInteractive,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            SshAuthType::Password => "password",
            SshAuthType::PrivateKey => "private_key",
            SshAuthType::KeyboardInteractive => "keyboard_interactive",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            SshAuthType::Password => "Password",
            SshAuthType::PrivateKey => "Private key",
            SshAuthType::KeyboardInteractive => "Keyboard-interactive",
        }
    }

    /// Whether a stored password is used: as the password, or as the answer to
    /// keyboard-interactive prompts.
    pub fn uses_password(self) -> bool {
        self != SshAuthType::PrivateKey
    }

    pub fn uses_key(self) -> bool {
        self == SshAuthType::PrivateKey
    }
}

/// The non-secret fields of a device, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFields {
    pub name: String,
    pub host: String,
    pub port: u32,
    pub username: String,
    pub auth_type: SshAuthType,
}

/// One field's problem, shown next to that field in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl DeviceFields {
    /// Every problem at once, so the form can mark all fields in one pass.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            })
        };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            fail("name", "Name must be 1 to 64 characters.");
        }
        if !is_valid_host(self.host.trim()) {
            fail(
                "host",
                "Enter a host name (like web01.example.org) or an IP address.",
            );
        }
        if !(1..=65535).contains(&self.port) {
            fail("port", "Port must be from 1 to 65535.");
        }
        let user = self.username.trim();
        if user.is_empty() || user.chars().count() > 64 || user.chars().any(char::is_whitespace) {
            fail(
                "username",
                "Username must be 1 to 64 characters without spaces.",
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// An IPv4/IPv6 address (IPv6 optionally in brackets) or an RFC 1123 host name.
pub fn is_valid_host(host: &str) -> bool {
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if unbracketed.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        // All-numeric dotted names are malformed IPv4, not host names.
        && !name.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> DeviceFields {
        DeviceFields {
            name: "web01".into(),
            host: "10.0.0.5".into(),
            port: 22,
            username: "deploy".into(),
            auth_type: SshAuthType::Password,
        }
    }

    #[test]
    fn a_good_device_passes() {
        assert_eq!(fields().validate(), Ok(()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = DeviceFields {
            name: " ".into(),
            host: "bad host!".into(),
            port: 0,
            username: "two words".into(),
            auth_type: SshAuthType::KeyboardInteractive,
        };
        let errs = bad.validate().unwrap_err();
        let named: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["name", "host", "port", "username"]);
        let too_long = DeviceFields {
            name: "x".repeat(65),
            ..fields()
        };
        assert!(too_long.validate().is_err());
        let big_port = DeviceFields {
            port: 65536,
            ..fields()
        };
        assert!(big_port.validate().is_err());
    }

    #[test]
    fn hosts() {
        for ok in [
            "10.0.0.5",
            "::1",
            "[2001:db8::1]",
            "web01",
            "web-01.example.org",
            "a.b.c.",
        ] {
            assert!(is_valid_host(ok), "{ok}");
        }
        for bad in [
            "",
            "-web",
            "web_01",
            "a..b",
            "300.1.1.1",
            "1.2.3",
            "has space",
            &"a".repeat(64),
        ] {
            assert!(!is_valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn auth_types_serialize_as_snake_case() {
        for t in SshAuthType::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(SshAuthType::parse(t.as_str()), Some(t));
        }
        assert_eq!(SshAuthType::parse("telnet"), None);
    }
}
