//! Secrets at rest: AES-256-GCM with a key derived once from SECRET_KEY.
//!
//! Every ciphertext gets a fresh random nonce, and its associated data names the row, the
//! field and the endpoint (`user@host:port`) it belongs to, so a ciphertext copied to another
//! row or field, or left behind when a device's endpoint is changed in the database, does not
//! decrypt. Stored form: `v2:` + hex(nonce ‖ ciphertext ‖ tag). `v1:` ciphertexts (bound to
//! row and field only) are read only by the upgrade that re-encrypts them (`decrypt_v1`).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

use crate::secret::SecretString;

const VERSION: &str = "v2:";
const VERSION_1: &str = "v1:";
const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// Wrong key, tampered data, or a ciphertext moved to another row or field.
    #[error("credentials cannot be decrypted; was SECRET_KEY changed?")]
    Decrypt,
    #[error("stored credential is malformed")]
    Malformed,
    #[error("encryption failed")]
    Encrypt,
}

/// What a ciphertext is bound to: its table, row, field and endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    pub table: &'a str,
    pub row_id: i64,
    pub field: &'a str,
    /// `user@host:port`: the only place this secret is for.
    pub endpoint: &'a str,
}

impl Binding<'_> {
    fn aad(&self) -> Vec<u8> {
        format!(
            "cloudshell:v2:{}:{}:{}:{}",
            self.table, self.row_id, self.field, self.endpoint
        )
        .into_bytes()
    }

    fn aad_v1(&self) -> Vec<u8> {
        format!("cloudshell:{}:{}:{}", self.table, self.row_id, self.field).into_bytes()
    }
}

/// Encrypts and decrypts stored credentials. Cheap to clone; `Debug` shows no key material.
#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<key redacted>)")
    }
}

impl Vault {
    /// Derives the 256-bit key from SECRET_KEY with HKDF-SHA256 (done once, at startup).
    pub fn new(secret_key: &SecretString) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"cloudshell-vault-v1"), secret_key.expose().as_bytes());
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
        let _ = hk.expand(b"aes-256-gcm credentials", &mut key);
        let cipher = Aes256Gcm::new(&key.into());
        key.fill(0);
        Self { cipher }
    }

    pub fn encrypt(
        &self,
        plaintext: &SecretString,
        binding: Binding<'_>,
    ) -> Result<String, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = binding.aad();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.expose().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Encrypt)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{VERSION}{}", hex::encode(out)))
    }

    pub fn decrypt(&self, stored: &str, binding: Binding<'_>) -> Result<SecretString, VaultError> {
        self.open(stored, VERSION, &binding.aad())
    }

    /// Whether `stored` is a `v1:` ciphertext (bound to row and field only).
    pub fn is_v1(stored: &str) -> bool {
        stored.starts_with(VERSION_1)
    }

    /// Reads a `v1:` ciphertext, for the upgrade that re-encrypts it bound to its endpoint.
    pub fn decrypt_v1(
        &self,
        stored: &str,
        binding: Binding<'_>,
    ) -> Result<SecretString, VaultError> {
        self.open(stored, VERSION_1, &binding.aad_v1())
    }

    /// What the previous version wrote: bound to table, row and field only (upgrade tests).
    #[cfg(test)]
    pub(crate) fn encrypt_v1(&self, plaintext: &str, binding: Binding<'_>) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &binding.aad_v1(),
                },
            )
            .unwrap_or_default();
        format!("{VERSION_1}{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    fn open(&self, stored: &str, version: &str, aad: &[u8]) -> Result<SecretString, VaultError> {
        let raw = stored
            .strip_prefix(version)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(VaultError::Malformed)?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| VaultError::Decrypt)?;
        String::from_utf8(plain)
            .map(SecretString::new)
            .map_err(|_| VaultError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(key: &str) -> Vault {
        Vault::new(&SecretString::new(key))
    }

    const PW: Binding<'static> = Binding {
        table: "devices",
        row_id: 7,
        field: "password",
        endpoint: "deploy@10.0.0.5:22",
    };

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let v = vault("0123456789abcdef0123456789abcdef");
        let secret = SecretString::new("s3cr3t-ssh-password");
        let a = v.encrypt(&secret, PW).unwrap();
        let b = v.encrypt(&secret, PW).unwrap();
        assert_ne!(a, b, "nonces must differ");
        assert!(!a.contains("s3cr3t"));
        assert_eq!(v.decrypt(&a, PW).unwrap(), secret);
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_field_fails() {
        let v = vault("0123456789abcdef0123456789abcdef");
        let c = v.encrypt(&SecretString::new("x"), PW).unwrap();
        let other_row = Binding { row_id: 8, ..PW };
        let other_field = Binding {
            field: "private_key",
            ..PW
        };
        assert_eq!(v.decrypt(&c, other_row), Err(VaultError::Decrypt));
        assert_eq!(v.decrypt(&c, other_field), Err(VaultError::Decrypt));
        for moved in [
            "deploy@10.0.0.6:22",
            "deploy@10.0.0.5:2222",
            "root@10.0.0.5:22",
        ] {
            let elsewhere = Binding {
                endpoint: moved,
                ..PW
            };
            assert_eq!(
                v.decrypt(&c, elsewhere),
                Err(VaultError::Decrypt),
                "{moved}"
            );
        }
    }

    #[test]
    fn a_v1_ciphertext_is_read_only_by_the_upgrade() {
        let v = vault("0123456789abcdef0123456789abcdef");
        let old = v.encrypt_v1("old", PW);
        assert!(Vault::is_v1(&old));
        assert_eq!(v.decrypt(&old, PW), Err(VaultError::Malformed));
        assert_eq!(v.decrypt_v1(&old, PW).unwrap(), SecretString::new("old"));
    }

    #[test]
    fn a_wrong_key_is_a_clear_error_not_a_panic() {
        let c = vault("the-original-secret-key")
            .encrypt(&SecretString::new("x"), PW)
            .unwrap();
        let err = vault("a-different-secret-key").decrypt(&c, PW).unwrap_err();
        assert_eq!(
            err.to_string(),
            "credentials cannot be decrypted; was SECRET_KEY changed?"
        );
    }

    #[test]
    fn tampered_or_garbage_input_is_refused() {
        let v = vault("0123456789abcdef0123456789abcdef");
        let mut c = v.encrypt(&SecretString::new("x"), PW).unwrap();
        let last = c.pop().unwrap();
        c.push(if last == '0' { '1' } else { '0' });
        assert_eq!(v.decrypt(&c, PW), Err(VaultError::Decrypt));
        for junk in ["", "v1:", "v1:zz", "v2:00", "plaintext"] {
            assert_eq!(v.decrypt(junk, PW), Err(VaultError::Malformed), "{junk}");
        }
    }

    #[test]
    fn debug_shows_no_key() {
        assert_eq!(
            format!("{:?}", vault("k-0123456789abcdef")),
            "Vault(<key redacted>)"
        );
    }
}
