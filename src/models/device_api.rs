//! Devices as the API sends and receives them. Secrets only ever travel browser → server;
//! what comes back says whether a secret is stored (`has_password`, `has_key`), never what.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::device::{DeviceFields, SshAuthType};
use crate::secret::SecretString;

/// Longest private key accepted (an RSA-16384 OpenSSH key is about 12 KiB).
pub const MAX_PRIVATE_KEY_BYTES: usize = 16 * 1024;
/// Longest password or passphrase accepted.
pub const MAX_SECRET_CHARS: usize = 1024;

/// A device in the sidebar and the edit form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: u32,
    pub username: String,
    pub auth_type: SshAuthType,
    pub has_password: bool,
    pub has_key: bool,
    /// The stored key's public half in `authorized_keys` form (not a secret).
    pub public_key: Option<String>,
}

impl DeviceView {
    /// `user@host:port`, as shown under the name and copied by the terminal tab.
    pub fn target(&self) -> String {
        format!("{}@{}:{}", self.username, self.host, self.port)
    }

    pub fn fields(&self) -> DeviceFields {
        DeviceFields {
            name: self.name.clone(),
            host: self.host.clone(),
            port: self.port,
            username: self.username.clone(),
            auth_type: self.auth_type,
        }
    }
}

/// The algorithms CloudShell generates keys with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyAlgorithm {
    #[default]
    Ed25519,
    Rsa4096,
}

impl KeyAlgorithm {
    pub fn label(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "Ed25519",
            KeyAlgorithm::Rsa4096 => "RSA-4096",
        }
    }
}

/// What to do with the device's private key on create or update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyInput {
    /// Leave the stored key as it is (or have none).
    #[default]
    Keep,
    /// A key in OpenSSH or PEM form, pasted or read from a file in the browser.
    Paste {
        private_key: SecretString,
        #[serde(default)]
        passphrase: Option<SecretString>,
    },
    /// Generate a new key pair on the server; the private half never leaves it.
    Generate { algorithm: KeyAlgorithm },
}

/// A create or update request. An empty or missing `password` keeps the stored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInput {
    #[serde(flatten)]
    pub fields: DeviceFields,
    #[serde(default)]
    pub password: Option<SecretString>,
    #[serde(default)]
    pub key: KeyInput,
}

/// A host key trusted on first use, for one host and port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostKeyView {
    pub host: String,
    pub port: u32,
    /// The SSH algorithm name, such as `ssh-ed25519`.
    pub algorithm: String,
    /// `SHA256:` followed by unpadded base64, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    #[serde(with = "time::serde::rfc3339")]
    pub learned_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_json_shape_is_flat_and_keys_are_tagged() {
        let json = r#"{"name":"web01","host":"10.0.0.5","port":22,"username":"deploy",
            "auth_type":"private_key","key":{"generate":{"algorithm":"rsa4096"}}}"#;
        let input: DeviceInput = serde_json::from_str(json).unwrap();
        assert_eq!(input.fields.name, "web01");
        assert_eq!(input.password, None);
        assert_eq!(
            input.key,
            KeyInput::Generate {
                algorithm: KeyAlgorithm::Rsa4096
            }
        );
        let keep: DeviceInput = serde_json::from_str(
            r#"{"name":"a","host":"h","port":22,"username":"u","auth_type":"password","key":"keep"}"#,
        )
        .unwrap();
        assert_eq!(keep.key, KeyInput::Keep);
    }

    #[test]
    fn debug_of_an_input_shows_no_secret() {
        let input = DeviceInput {
            fields: DeviceFields {
                name: "a".into(),
                host: "h".into(),
                port: 22,
                username: "u".into(),
                auth_type: SshAuthType::PrivateKey,
            },
            password: Some(SecretString::new("pw-hunter2")),
            key: KeyInput::Paste {
                private_key: SecretString::new("-----BEGIN key-hunter2"),
                passphrase: Some(SecretString::new("pp-hunter2")),
            },
        };
        assert!(!format!("{input:?}").contains("hunter2"));
    }
}
