//! SECRET_KEY, or a key generated on first start and kept in DATA_DIR with mode 0600.

use std::io::Write;
use std::path::{Path, PathBuf};

use cloudshell::secret::SecretString;

pub const KEY_FILE: &str = "secret.key";

#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    #[error("cannot read or write the key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the key file {0} is empty or too short; delete it or set SECRET_KEY")]
    TooShort(PathBuf),
}

/// The configured key, else the one in `data_dir`, else a new one written there.
/// Returns the key and whether it was generated just now.
pub fn resolve(
    configured: Option<&SecretString>,
    data_dir: &Path,
) -> Result<(SecretString, bool), SecretKeyError> {
    if let Some(key) = configured {
        return Ok((key.clone(), false));
    }
    let path = data_dir.join(KEY_FILE);
    let io = |source| SecretKeyError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = text.trim();
            if key.len() < 16 {
                return Err(SecretKeyError::TooShort(path));
            }
            Ok((SecretString::new(key), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io)?;
            let key = cloudshell::auth::token::generate();
            write_private(&path, key.expose()).map_err(io)?;
            Ok((key, true))
        }
        Err(e) => Err(io(e)),
    }
}

/// Creates `path` readable by the owner only; refuses to overwrite an existing file.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_with_mode_0600_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let (first, generated) = resolve(None, dir.path()).unwrap();
        assert!(generated);
        let (second, generated_again) = resolve(None, dir.path()).unwrap();
        assert!(!generated_again);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn configured_key_wins_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretString::new("configured-key-0123456789");
        let (got, generated) = resolve(Some(&key), dir.path()).unwrap();
        assert_eq!(got, key);
        assert!(!generated);
        assert!(!dir.path().join(KEY_FILE).exists());
    }

    #[test]
    fn short_key_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEY_FILE), "x").unwrap();
        let err = resolve(None, dir.path()).unwrap_err();
        assert!(err.to_string().contains("SECRET_KEY"));
    }
}
