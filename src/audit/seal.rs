//! Seals: an HMAC over the chain's head, appended as an AUDIT_SEAL row every few minutes and
//! at shutdown. Anyone with write access to the database can recompute an unkeyed hash chain;
//! without SECRET_KEY they cannot make a seal, so a rewrite or a truncation past a seal shows.
//! The newest seal is also kept outside the database: in the server log and in
//! `DATA_DIR/audit-seal`.

use std::path::Path;

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::secret::SecretString;

/// How often a running server seals the head.
pub const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// File in DATA_DIR holding the newest seal this node wrote.
pub const ANCHOR_FILE: &str = "audit-seal";

const DOMAIN: &[u8] = b"cloudshell-audit-seal-v1";

/// The HMAC key, derived from SECRET_KEY apart from the vault's key. `Debug` shows nothing.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(<redacted>)")
    }
}

impl SealKey {
    pub fn derive(secret_key: &SecretString) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(DOMAIN), secret_key.expose().as_bytes());
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
        let _ = hk.expand(b"hmac-sha256 audit seal", &mut key);
        Self(key)
    }

    fn hmac(&self, head_id: i64, head_hash: &str) -> Hmac<Sha256> {
        // HMAC takes a key of any length, so this cannot fail; a fresh one is the fallback.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        mac.update(DOMAIN);
        mac.update(&head_id.to_be_bytes());
        mac.update(head_hash.as_bytes());
        mac
    }

    /// The seal (hex) over the head with this id and hash.
    pub fn seal(&self, head_id: i64, head_hash: &str) -> String {
        hex::encode(self.hmac(head_id, head_hash).finalize().into_bytes())
    }

    /// Whether `seal` is this key's seal over the head, compared in constant time.
    pub fn check(&self, head_id: i64, head_hash: &str, seal: &str) -> bool {
        hex::decode(seal)
            .is_ok_and(|bytes| self.hmac(head_id, head_hash).verify_slice(&bytes).is_ok())
    }
}

impl Drop for SealKey {
    fn drop(&mut self) {
        self.0.fill(0);
    }
}

/// The newest seal row this node wrote: its id and its own hash. Kept in DATA_DIR, so cutting
/// the log back past it (or rewriting it) shows even if every later seal went with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealAnchor {
    pub id: i64,
    pub hash: String,
}

impl SealAnchor {
    /// The anchor in `path`; `None` when there is none (a new install, or never sealed).
    pub fn read(path: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(std::io::Error::other),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces the anchor atomically (write, sync, rename), mode 0600. The temporary file's
    /// name is unique, so replicas sharing DATA_DIR never write into one file together.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let tmp = path.with_extension(format!("{}.tmp", crate::terminal::random_id()));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(
            serde_json::to_string(self)
                .map_err(std::io::Error::other)?
                .as_bytes(),
        )?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_checks_only_with_its_key_and_head() {
        let key = SealKey::derive(&SecretString::new("k".repeat(32)));
        let other = SealKey::derive(&SecretString::new("j".repeat(32)));
        let seal = key.seal(41, &"ab".repeat(32));
        assert!(key.check(41, &"ab".repeat(32), &seal));
        assert!(!key.check(42, &"ab".repeat(32), &seal));
        assert!(!key.check(41, &"ac".repeat(32), &seal));
        assert!(!other.check(41, &"ab".repeat(32), &seal));
        assert!(!key.check(41, &"ab".repeat(32), "not hex"));
        assert!(!format!("{key:?}").contains(&hex::encode(key.0)));
    }

    #[test]
    fn the_anchor_survives_a_round_trip_at_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ANCHOR_FILE);
        assert_eq!(SealAnchor::read(&path).unwrap(), None);
        let anchor = SealAnchor {
            id: 7,
            hash: "cd".repeat(32),
        };
        anchor.write(&path).unwrap();
        assert_eq!(SealAnchor::read(&path).unwrap(), Some(anchor));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
