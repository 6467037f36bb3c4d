//! Users' private keys: checking a pasted key (OpenSSH or PEM, maybe with a passphrase) and
//! generating new ones. Key material stays in `SecretString`s; only public halves come out.

use russh::keys::ssh_key::private::{Ed25519Keypair, RsaKeypair};
use russh::keys::ssh_key::{HashAlg, LineEnding, PrivateKey};

use crate::models::device_api::{KeyAlgorithm, MAX_PRIVATE_KEY_BYTES, MAX_SECRET_CHARS};
use crate::secret::SecretString;

/// What is wrong with a key. The texts are shown next to the key field in the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("Paste a private key in OpenSSH or PEM format.")]
    Unreadable,
    #[error("This key is encrypted; enter its passphrase.")]
    NeedsPassphrase,
    #[error("The passphrase does not open this key.")]
    WrongPassphrase,
    #[error("The key is too large (at most 16 KiB).")]
    TooLarge,
    #[error("The passphrase is too long.")]
    PassphraseTooLong,
    #[error("{0}")]
    TooCostly(#[from] super::key_cost::TooCostly),
    /// Key work is at capacity (see `key_work`); nothing was done.
    #[error("The server is busy with other keys. Try again in a few seconds.")]
    Busy,
    #[error("key generation failed")]
    Generate,
}

/// A new key pair. The private half is OpenSSH-encoded and unencrypted (the vault encrypts it).
pub struct GeneratedKey {
    pub private_openssh: SecretString,
    pub public_openssh: String,
    pub fingerprint: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("public_openssh", &self.public_openssh)
            .finish_non_exhaustive()
    }
}

/// Line endings and surrounding blanks from a paste or a Windows file, made uniform.
pub fn normalize_key_text(text: &str) -> String {
    let mut out = text.trim().replace("\r\n", "\n");
    out.push('\n');
    out
}

fn decode(text: &str, passphrase: Option<&str>) -> Result<PrivateKey, russh::keys::Error> {
    russh::keys::decode_secret_key(text, passphrase)
}

/// Checks that `text` is a private key that `passphrase` opens; returns its public half in
/// `authorized_keys` form.
pub fn check_private_key(
    text: &SecretString,
    passphrase: Option<&SecretString>,
) -> Result<String, KeyError> {
    public_openssh(&open_private_key(text, passphrase)?)
}

/// Opens a private key: size and KDF-cost limits first, then the decoder. Blocking (a KDF
/// may run): call through `key_work`.
pub fn open_private_key(
    text: &SecretString,
    passphrase: Option<&SecretString>,
) -> Result<PrivateKey, KeyError> {
    if text.expose().len() > MAX_PRIVATE_KEY_BYTES {
        return Err(KeyError::TooLarge);
    }
    let passphrase = passphrase.map(|p| p.expose()).filter(|p| !p.is_empty());
    if passphrase.is_some_and(|p| p.chars().count() > MAX_SECRET_CHARS) {
        return Err(KeyError::PassphraseTooLong);
    }
    super::key_cost::check(text.expose())?;
    let key = match decode(text.expose(), None) {
        Ok(key) => key,
        Err(first) => {
            let encrypted = matches!(first, russh::keys::Error::KeyIsEncrypted)
                || text.expose().contains("ENCRYPTED");
            match passphrase {
                None if encrypted => return Err(KeyError::NeedsPassphrase),
                None => return Err(KeyError::Unreadable),
                Some(p) => match decode(text.expose(), Some(p)) {
                    Ok(key) => key,
                    Err(_) if encrypted => return Err(KeyError::WrongPassphrase),
                    Err(_) => return Err(KeyError::Unreadable),
                },
            }
        }
    };
    Ok(key)
}

fn public_openssh(key: &PrivateKey) -> Result<String, KeyError> {
    key.public_key()
        .to_openssh()
        .map_err(|_| KeyError::Unreadable)
}

/// Generates a key pair. RSA-4096 takes seconds: call this on a blocking thread.
pub fn generate(algorithm: KeyAlgorithm, comment: &str) -> Result<GeneratedKey, KeyError> {
    let mut rng = rand_ssh::rng();
    let mut key = match algorithm {
        KeyAlgorithm::Ed25519 => PrivateKey::from(Ed25519Keypair::random(&mut rng)),
        KeyAlgorithm::Rsa4096 => {
            PrivateKey::from(RsaKeypair::random(&mut rng, 4096).map_err(|_| KeyError::Generate)?)
        }
    };
    key.set_comment(comment);
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|_| KeyError::Generate)?;
    Ok(GeneratedKey {
        private_openssh: SecretString::new(private.as_str()),
        public_openssh: public_openssh(&key)?,
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::new(s)
    }

    #[test]
    fn a_generated_ed25519_key_reads_back_with_the_same_public_half() {
        let key = generate(KeyAlgorithm::Ed25519, "cloudshell@web01").unwrap();
        assert!(key.public_openssh.starts_with("ssh-ed25519 "));
        assert!(key.public_openssh.ends_with(" cloudshell@web01"));
        assert!(key.fingerprint.starts_with("SHA256:"));
        let public = check_private_key(&key.private_openssh, None).unwrap();
        assert_eq!(public, key.public_openssh);
        assert!(!format!("{key:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn an_encrypted_key_needs_the_right_passphrase() {
        let plain = generate(KeyAlgorithm::Ed25519, "t").unwrap();
        let parsed = PrivateKey::from_openssh(plain.private_openssh.expose()).unwrap();
        let locked = parsed
            .encrypt(&mut rand_ssh::rng(), "correct horse")
            .unwrap()
            .to_openssh(LineEnding::LF)
            .unwrap();
        let locked = secret(locked.as_str());
        assert_eq!(
            check_private_key(&locked, None),
            Err(KeyError::NeedsPassphrase)
        );
        assert_eq!(
            check_private_key(&locked, Some(&secret("wrong"))),
            Err(KeyError::WrongPassphrase)
        );
        assert_eq!(
            check_private_key(&locked, Some(&secret("correct horse"))),
            Ok(plain.public_openssh)
        );
    }

    #[test]
    fn garbage_and_oversized_input_are_refused() {
        assert_eq!(
            check_private_key(&secret("hello"), None),
            Err(KeyError::Unreadable)
        );
        assert_eq!(
            check_private_key(
                &secret(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n-----END OPENSSH PRIVATE KEY-----"
                ),
                None
            ),
            Err(KeyError::Unreadable)
        );
        let huge = secret(&"A".repeat(MAX_PRIVATE_KEY_BYTES + 1));
        assert_eq!(check_private_key(&huge, None), Err(KeyError::TooLarge));
    }

    #[test]
    fn windows_line_endings_are_accepted() {
        let key = generate(KeyAlgorithm::Ed25519, "t").unwrap();
        let crlf = key.private_openssh.expose().replace('\n', "\r\n");
        let normalized = secret(&normalize_key_text(&format!("  {crlf}  ")));
        assert!(check_private_key(&normalized, None).is_ok());
    }
}
