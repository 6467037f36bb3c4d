//! This server process's node id: new at every start, so replicas that share a DATA_DIR
//! never share one. The previous run's id is kept in `DATA_DIR/node-id` only so a restart
//! can end that run's dead sessions at once. Whether that run is really gone is decided by a
//! lock on `DATA_DIR/node.lock`, held for the whole life of a process: if another live
//! process holds it, the previous id may be that peer's, and its sessions are left alone
//! (they go stale if it dies).

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

pub struct NodeIdentity {
    pub id: String,
    /// The previous run's id, when that run is known to have stopped.
    pub previous: Option<String>,
    /// Held until the process exits.
    pub lock: Option<Arc<File>>,
}

pub fn claim(data_dir: &Path) -> anyhow::Result<NodeIdentity> {
    let id = cloudshell::terminal::random_id();
    let lock_path = data_dir.join("node.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            tracing::info!("another live server shares this DATA_DIR: its sessions are left to it");
            return Ok(NodeIdentity {
                id,
                previous: None,
                lock: None,
            });
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {}", lock_path.display()));
        }
    }
    let id_path = data_dir.join("node-id");
    let previous = std::fs::read_to_string(&id_path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    crate::data_dir::write_private(&id_path, &id)
        .with_context(|| format!("writing {}", id_path.display()))?;
    Ok(NodeIdentity {
        id,
        previous,
        lock: Some(Arc::new(lock)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_start_gets_a_new_id_and_learns_the_previous_only_when_it_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let first = claim(dir.path()).unwrap();
        assert_eq!(first.previous, None);
        // A second process on the same DATA_DIR while the first lives: a new id, and no
        // claim on the first one's sessions.
        let peer = claim(dir.path()).unwrap();
        assert_ne!(peer.id, first.id);
        assert_eq!(peer.previous, None);
        let first_id = first.id.clone();
        drop(first);
        let restart = claim(dir.path()).unwrap();
        assert_eq!(restart.previous.as_deref(), Some(first_id.as_str()));
        assert_ne!(restart.id, first_id);
    }
}
