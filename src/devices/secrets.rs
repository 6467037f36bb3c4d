//! A device input's secrets: checked, generated when asked, then encrypted into the row.
//! A device keeps only the secrets its auth type uses; the others are dropped on save.

use sea_orm::Set;

use super::DeviceError;
use crate::db::entities::device;
use crate::models::device_api::MAX_SECRET_CHARS;
use crate::models::{DeviceInput, FieldError, KeyAlgorithm, KeyInput, SshAuthType};
use crate::secret::SecretString;
use crate::ssh::keys::{self, KeyError};
use crate::vault::{Binding, Vault};

/// A key about to be stored.
pub(crate) struct NewKey {
    pub private: SecretString,
    pub passphrase: Option<SecretString>,
    pub public: String,
    /// Set when the server made the key, for the KEY_GENERATED entry.
    pub generated: Option<(KeyAlgorithm, String)>,
}

/// The secrets an input brings; `None` keeps what is stored.
pub(crate) struct NewSecrets {
    pub password: Option<SecretString>,
    pub key: Option<NewKey>,
}

/// What a key request will be once checked: a pasted key is checked now, generation waits
/// until every field is known to be valid.
enum KeyPlan {
    Keep,
    Pasted(NewKey),
    Generate(KeyAlgorithm),
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Checks the input's secrets against its auth type and what `stored` already holds, adding
/// any problems to `errors`. Generates a key only when nothing else is wrong.
/// With `endpoint_changed` (host, port or username differ from the stored device), nothing
/// stored is kept: a secret goes only where it was entered for, so it must be re-entered.
pub(crate) async fn prepare(
    owner: &str,
    input: &DeviceInput,
    stored: Option<&device::Model>,
    endpoint_changed: bool,
    key_comment: String,
    errors: &mut Vec<FieldError>,
) -> Result<NewSecrets, DeviceError> {
    let stored = stored.filter(|_| !endpoint_changed);
    let auth = input.fields.auth_type;
    let password = input
        .password
        .clone()
        .filter(|p| !p.is_empty() && auth.uses_password());
    if password
        .as_ref()
        .is_some_and(|p| p.expose().chars().count() > MAX_SECRET_CHARS)
    {
        errors.push(field("password", "The password is too long."));
    }
    if auth == SshAuthType::Password
        && password.is_none()
        && stored.is_none_or(|s| s.password_enc.is_none())
    {
        errors.push(field(
            "password",
            if endpoint_changed {
                "The host, port or username changed, so the stored password is not sent there. Enter the password again."
            } else {
                "Enter the device's password."
            },
        ));
    }

    let plan = match (&input.key, auth.uses_key()) {
        (_, false) | (KeyInput::Keep, true) => KeyPlan::Keep,
        (KeyInput::Generate { algorithm }, true) => KeyPlan::Generate(*algorithm),
        (
            KeyInput::Paste {
                private_key,
                passphrase,
            },
            true,
        ) => {
            let text = SecretString::new(keys::normalize_key_text(private_key.expose()));
            let passphrase = passphrase.clone().filter(|p| !p.is_empty());
            match crate::ssh::key_work::check_private_key(owner, text.clone(), passphrase.clone())
                .await
            {
                Ok(public) => KeyPlan::Pasted(NewKey {
                    private: text,
                    passphrase,
                    public,
                    generated: None,
                }),
                Err(e) => {
                    if e == KeyError::Busy {
                        return Err(DeviceError::Busy);
                    }
                    let name = match e {
                        KeyError::NeedsPassphrase
                        | KeyError::WrongPassphrase
                        | KeyError::PassphraseTooLong => "passphrase",
                        _ => "private_key",
                    };
                    errors.push(field(name, e.to_string()));
                    KeyPlan::Keep
                }
            }
        }
    };
    if auth.uses_key()
        && matches!(input.key, KeyInput::Keep)
        && stored.is_none_or(|s| s.private_key_enc.is_none())
    {
        errors.push(field(
            "private_key",
            if endpoint_changed {
                "The host, port or username changed, so the stored key is not used there. Paste or load the key again, or generate one."
            } else {
                "Paste or load a private key, or generate one."
            },
        ));
    }
    if !errors.is_empty() {
        return Err(DeviceError::Invalid(std::mem::take(errors)));
    }
    let key = match plan {
        KeyPlan::Keep => None,
        KeyPlan::Pasted(key) => Some(key),
        KeyPlan::Generate(algorithm) => Some(generate(owner, algorithm, key_comment).await?),
    };
    Ok(NewSecrets { password, key })
}

async fn generate(
    owner: &str,
    algorithm: KeyAlgorithm,
    comment: String,
) -> Result<NewKey, DeviceError> {
    let key = match crate::ssh::key_work::generate(owner, algorithm, comment).await {
        Ok(key) => key,
        Err(KeyError::Busy) => return Err(DeviceError::Busy),
        Err(_) => return Err(DeviceError::KeyGeneration),
    };
    Ok(NewKey {
        private: key.private_openssh,
        passphrase: None,
        public: key.public_openssh,
        generated: Some((algorithm, key.fingerprint)),
    })
}

/// The row the secrets are written to, and where they are for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub id: i64,
    pub auth: SshAuthType,
    /// `user@host:port`.
    pub endpoint: &'a str,
    /// Host, port or username differ from the stored row's.
    pub endpoint_changed: bool,
}

/// Writes the secret columns of row `id` for auth type `auth`, bound to `endpoint`
/// (`user@host:port`); returns the audit words for what changed ("password", "private key
/// removed", ...). Never the values. With `endpoint_changed`, stored secrets that were not
/// re-entered are removed.
pub(crate) fn apply(
    row: &mut device::ActiveModel,
    target: Target<'_>,
    stored: Option<&device::Model>,
    new: &NewSecrets,
    vault: &Vault,
) -> Result<Vec<&'static str>, DeviceError> {
    let Target {
        id,
        auth,
        endpoint,
        endpoint_changed,
    } = target;
    let bind = |field| Binding {
        table: "devices",
        row_id: id,
        field,
        endpoint,
    };
    let had_password = stored.is_some_and(|s| s.password_enc.is_some());
    let had_key = stored.is_some_and(|s| s.private_key_enc.is_some());
    // A new endpoint: what was stored for the old one goes, unless replaced below.
    let drop_password = had_password && (!auth.uses_password() || endpoint_changed);
    let drop_key = had_key && (!auth.uses_key() || endpoint_changed);
    let mut changed = Vec::new();

    match (&new.password, auth.uses_password()) {
        (Some(password), true) => {
            row.password_enc = Set(Some(vault.encrypt(password, bind("password"))?));
            changed.push("password");
        }
        _ if drop_password => {
            row.password_enc = Set(None);
            changed.push("password removed");
        }
        _ => {}
    }
    match (&new.key, auth.uses_key()) {
        (Some(key), true) => {
            row.private_key_enc = Set(Some(vault.encrypt(&key.private, bind("private_key"))?));
            row.passphrase_enc = Set(match &key.passphrase {
                Some(p) => Some(vault.encrypt(p, bind("passphrase"))?),
                None => None,
            });
            row.public_key = Set(Some(key.public.clone()));
            changed.push("private key");
        }
        _ if drop_key => {
            row.private_key_enc = Set(None);
            row.passphrase_enc = Set(None);
            row.public_key = Set(None);
            changed.push("private key removed");
        }
        _ => {}
    }
    Ok(changed)
}
