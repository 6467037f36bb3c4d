//! The device form's state, and turning it into a request the server will accept.

use cloudshell::models::{
    DeviceFields, DeviceInput, DeviceView, FieldError, KeyAlgorithm, KeyInput, SshAuthType,
};
use leptos::prelude::*;

/// Where the private key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Keep the stored key (offered only when one is stored).
    Keep,
    /// Pasted, or read from a local file into the same box.
    Paste,
    Generate,
}

#[derive(Clone, Copy)]
pub struct FormState {
    pub name: RwSignal<String>,
    pub host: RwSignal<String>,
    pub port: RwSignal<String>,
    pub username: RwSignal<String>,
    pub auth_type: RwSignal<SshAuthType>,
    pub password: RwSignal<String>,
    pub key_source: RwSignal<KeySource>,
    pub private_key: RwSignal<String>,
    pub passphrase: RwSignal<String>,
    pub algorithm: RwSignal<KeyAlgorithm>,
    /// Per-field messages, from the browser's own check or from the server.
    pub errors: RwSignal<Vec<FieldError>>,
    pub has_password: bool,
    pub has_key: bool,
    /// The stored host, port and username: secrets are kept only while these stay.
    original_endpoint: StoredValue<Option<(String, String, String)>>,
}

impl FormState {
    pub fn new(existing: Option<&DeviceView>) -> Self {
        let text =
            |f: fn(&DeviceView) -> String| RwSignal::new(existing.map(f).unwrap_or_default());
        let has_key = existing.is_some_and(|d| d.has_key);
        Self {
            name: text(|d| d.name.clone()),
            host: text(|d| d.host.clone()),
            port: RwSignal::new(existing.map_or(22, |d| d.port).to_string()),
            username: text(|d| d.username.clone()),
            auth_type: RwSignal::new(existing.map_or(SshAuthType::Password, |d| d.auth_type)),
            password: RwSignal::new(String::new()),
            key_source: RwSignal::new(if has_key {
                KeySource::Keep
            } else {
                KeySource::Generate
            }),
            private_key: RwSignal::new(String::new()),
            passphrase: RwSignal::new(String::new()),
            algorithm: RwSignal::new(KeyAlgorithm::Ed25519),
            errors: RwSignal::new(Vec::new()),
            has_password: existing.is_some_and(|d| d.has_password),
            has_key,
            original_endpoint: StoredValue::new(
                existing.map(|d| (d.host.clone(), d.port.to_string(), d.username.clone())),
            ),
        }
    }

    /// Whether host, port or username differ from the stored device's: then the stored
    /// password and key are not kept (the server refuses to send them somewhere new).
    pub fn endpoint_changed(self) -> bool {
        self.original_endpoint.with_value(|original| {
            original.as_ref().is_some_and(|(host, port, user)| {
                self.host.get().trim() != host
                    || self.port.get().trim() != port
                    || self.username.get().trim() != user
            })
        })
    }

    /// A stored secret that would be dropped by saving as the form stands.
    pub fn drops_stored_secret(self) -> bool {
        (self.has_password || self.has_key) && self.endpoint_changed()
    }

    /// The message for one field, if any.
    pub fn error(self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors
                .get()
                .into_iter()
                .find(|e| e.field == field)
                .map(|e| e.message)
        })
    }

    /// The request, or every problem the browser can see without asking the server.
    pub fn to_input(self) -> Result<DeviceInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            })
        };
        let port = self.port.get_untracked().trim().parse::<u32>().unwrap_or(0);
        let fields = DeviceFields {
            name: self.name.get_untracked(),
            host: self.host.get_untracked(),
            port,
            username: self.username.get_untracked(),
            auth_type: self.auth_type.get_untracked(),
        };
        let mut all = fields.validate().err().unwrap_or_default();
        let password = self.password.get_untracked();
        let auth = fields.auth_type;
        let moved = self.endpoint_changed();
        if auth == SshAuthType::Password && password.is_empty() && (!self.has_password || moved) {
            fail(
                "password",
                if moved {
                    "The host, port or username changed: enter the password again."
                } else {
                    "Enter the device's password."
                },
            );
        }
        if auth.uses_key() && moved && self.key_source.get_untracked() == KeySource::Keep {
            fail(
                "private_key",
                "The host, port or username changed: paste or load the key again, or generate one.",
            );
        }
        let key = match (auth.uses_key(), self.key_source.get_untracked()) {
            (false, _) | (true, KeySource::Keep) => KeyInput::Keep,
            (true, KeySource::Generate) => KeyInput::Generate {
                algorithm: self.algorithm.get_untracked(),
            },
            (true, KeySource::Paste) => {
                let private_key = self.private_key.get_untracked();
                if private_key.trim().is_empty() {
                    fail(
                        "private_key",
                        "Paste or load a private key, or generate one.",
                    );
                }
                let passphrase = self.passphrase.get_untracked();
                KeyInput::Paste {
                    private_key: private_key.into(),
                    passphrase: (!passphrase.is_empty()).then(|| passphrase.into()),
                }
            }
        };
        all.extend(errors);
        if !all.is_empty() {
            return Err(all);
        }
        Ok(DeviceInput {
            fields,
            password: (!password.is_empty()).then(|| password.into()),
            key,
        })
    }
}
