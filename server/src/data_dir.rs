//! DATA_DIR holds the database, the generated key and the first admin password, so it is
//! private to the server's account: the directory 0700 and every file in it 0600, including
//! files an older version created readable by others. The SQLite file is created 0600 before
//! SQLite opens it, and SQLite gives its WAL and shared-memory files the database's mode.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The generated first admin password, readable only by the server's account.
pub const INITIAL_ADMIN_PASSWORD_FILE: &str = "initial-admin-password";

/// The files the server keeps in DATA_DIR. Only these are tightened: DATA_DIR might be a
/// directory shared with other things.
const OWN_FILES: &[&str] = &[
    "cloudshell.db",
    "cloudshell.db-wal",
    "cloudshell.db-shm",
    "secret.key",
    "node-id",
    INITIAL_ADMIN_PASSWORD_FILE,
    cloudshell::audit::spill::SPILL_FILE,
];

/// Creates DATA_DIR 0700 (or tightens it) and makes the server's files in it 0600.
pub fn secure(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    std::fs::set_permissions(dir, Permissions::from_mode(0o700))?;
    for name in OWN_FILES {
        let path = dir.join(name);
        if path.is_file() {
            std::fs::set_permissions(&path, Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Creates `path` empty and 0600 if it does not exist yet; an existing file is left alone.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map(drop)
}

/// Writes `contents` to a new 0600 file, replacing any file of that name.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_old_world_readable_data_dir_is_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("cloudshell.db");
        std::fs::write(&db, b"x").unwrap();
        std::fs::set_permissions(&db, Permissions::from_mode(0o644)).unwrap();
        secure(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);

        let fresh = root.path().join("new/data");
        secure(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700);
        let pw = fresh.join(INITIAL_ADMIN_PASSWORD_FILE);
        write_private(&pw, "secret").unwrap();
        assert_eq!(mode(&pw), 0o600);
        create_private(&pw).unwrap();
        assert_eq!(
            std::fs::read_to_string(&pw).unwrap(),
            "secret",
            "left alone"
        );
    }
}
