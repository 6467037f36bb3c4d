//! A folder (or a selection) as a tar archive: first the plan (every entry with its size, so
//! the archive's length is known before a byte is sent), then the bytes, written into a
//! bounded channel as the browser takes them.

use russh_sftp::protocol::FileAttributes;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::ops::{MAX_TREE_DEPTH, MAX_TREE_ENTRIES, checked_path, kind_of};
use super::sessions::FileSession;
use super::tar::{TRAILER_LEN, TarEntry, TarKind, padding};
use crate::models::files::{FileError, FileKind, is_plain_name, join_path};

const CHUNK: usize = 64 * 1024;

/// What to archive: entries (relative paths) and where each one's bytes come from.
pub struct ArchivePlan {
    pub entries: Vec<(TarEntry, String)>,
}

impl ArchivePlan {
    pub fn len(&self) -> u64 {
        let entries: u64 = self.entries.iter().map(|(e, _)| e.archived_len()).sum();
        entries + TRAILER_LEN as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn tar_entry(path: String, attrs: &FileAttributes, kind: TarKind) -> TarEntry {
    TarEntry {
        path,
        kind,
        size: attrs.size.unwrap_or(0),
        mode: attrs.permissions.unwrap_or(0o644) & 0o7777,
        mtime: u64::from(attrs.mtime.unwrap_or(0)),
    }
}

/// Plans the archive of `names` in `dir`. Folders are walked without following symlinks;
/// sockets and devices are left out. Refuses a tree over `MAX_TREE_ENTRIES`.
pub async fn plan(
    session: &FileSession,
    dir: &str,
    names: &[String],
) -> Result<ArchivePlan, FileError> {
    let dir = checked_path(dir)?;
    if names.is_empty() || !names.iter().all(|n| is_plain_name(n)) {
        return Err(FileError::BadPath);
    }
    let mut plan = ArchivePlan {
        entries: Vec::new(),
    };
    // (remote path, path in the archive, depth), visited folder before contents.
    let mut pending: Vec<(String, String, usize)> = names
        .iter()
        .rev()
        .map(|n| (join_path(dir, n), n.clone(), 0))
        .collect();
    while let Some((remote, inside, depth)) = pending.pop() {
        session.touch();
        if plan.entries.len() as u64 >= MAX_TREE_ENTRIES || depth > MAX_TREE_DEPTH {
            return Err(FileError::TooManyEntries);
        }
        let attrs = session.sftp.symlink_metadata(remote.as_str()).await?;
        let kind = match kind_of(&attrs) {
            FileKind::Dir => TarKind::Dir,
            FileKind::File => TarKind::File,
            FileKind::Symlink => TarKind::Symlink(session.sftp.read_link(remote.as_str()).await?),
            FileKind::Other => continue,
        };
        if kind == TarKind::Dir {
            let mut children: Vec<String> = session
                .sftp
                .read_dir(remote.as_str())
                .await?
                .map(|i| i.file_name())
                .filter(|n| n != "." && n != "..")
                .collect();
            children.sort();
            for child in children.into_iter().rev() {
                pending.push((
                    join_path(&remote, &child),
                    format!("{inside}/{child}"),
                    depth + 1,
                ));
            }
        }
        plan.entries.push((tar_entry(inside, &attrs, kind), remote));
    }
    Ok(plan)
}

/// What the writer sent: how many bytes, and their SHA-256.
#[derive(Debug, Default)]
pub struct Written {
    pub bytes: u64,
    pub sha256: String,
}

/// Writes the planned archive into `out`, chunk by chunk. A file that shrank since the plan
/// is padded with zeros and one that grew is cut, so the length stays as announced. Stops
/// with `Cancelled` when the receiver goes away.
pub async fn write(
    session: &FileSession,
    plan: &ArchivePlan,
    out: mpsc::Sender<Vec<u8>>,
) -> (Written, Result<(), FileError>) {
    let mut hasher = Sha256::new();
    let mut sent = 0u64;
    let emit = async |bytes: Vec<u8>, hasher: &mut Sha256, sent: &mut u64| {
        hasher.update(&bytes);
        *sent += bytes.len() as u64;
        session.live.add_out(bytes.len());
        session.touch();
        out.send(bytes).await.map_err(|_| FileError::Cancelled)
    };
    let result = async {
        for (entry, remote) in &plan.entries {
            emit(entry.header(), &mut hasher, &mut sent).await?;
            if entry.kind != TarKind::File {
                continue;
            }
            let file = session.sftp.open(remote.as_str()).await?;
            let mut reader = file.take(entry.size);
            let mut left = entry.size;
            while left > 0 {
                let mut buf = vec![0u8; CHUNK];
                let n = reader.read(&mut buf).await?;
                if n == 0 {
                    // Shrunk since the plan: zeros keep the announced length.
                    buf.truncate(usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK));
                    buf.fill(0);
                } else {
                    buf.truncate(n);
                }
                left -= buf.len() as u64;
                emit(buf, &mut hasher, &mut sent).await?;
            }
            let pad = padding(entry.size);
            if pad > 0 {
                emit(vec![0; pad], &mut hasher, &mut sent).await?;
            }
        }
        emit(vec![0; TRAILER_LEN], &mut hasher, &mut sent).await
    }
    .await;
    let written = Written {
        bytes: sent,
        sha256: hex::encode(hasher.finalize()),
    };
    (written, result)
}
