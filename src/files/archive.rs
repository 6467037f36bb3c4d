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
        // The plan keeps the total under MAX_ARCHIVE_BYTES, so this cannot overflow.
        self.entries.iter().fold(TRAILER_LEN as u64, |sum, (e, _)| {
            sum.saturating_add(e.archived_len())
        })
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

/// The largest archive planned: a device that reports absurd sizes is refused up front.
const MAX_ARCHIVE_BYTES: u64 = 1 << 44; // 16 TiB

/// A folder's children worth archiving: names a device could use to climb out of the
/// archive's folder ("..", anything with "/") are left out, and so is a repeated name.
pub(crate) fn archivable_children(
    mut children: Vec<(String, FileAttributes)>,
) -> Vec<(String, FileAttributes)> {
    children.retain(|(name, _)| is_plain_name(name));
    children.sort_by(|a, b| a.0.cmp(&b.0));
    children.dedup_by(|a, b| a.0 == b.0);
    children
}

/// Plans the archive of `names` in `dir`. Folders are walked without following symlinks;
/// sockets and devices are left out. Refuses a tree over `MAX_TREE_ENTRIES` (planned or
/// still to visit) and a total over `MAX_ARCHIVE_BYTES`.
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
    let mut total: u64 = 0;
    // The chosen names are looked up; everything below comes with its folder's listing.
    let mut pending: Vec<(String, String, usize, FileAttributes)> = Vec::new();
    for name in names.iter().rev() {
        let remote = join_path(dir, name);
        let attrs = session.sftp.symlink_metadata(remote.as_str()).await?;
        pending.push((remote, name.clone(), 0, attrs));
    }
    while let Some((remote, inside, depth, attrs)) = pending.pop() {
        session.touch();
        if (plan.entries.len() + pending.len()) as u64 >= MAX_TREE_ENTRIES || depth > MAX_TREE_DEPTH
        {
            return Err(FileError::TooManyEntries);
        }
        let kind = match kind_of(&attrs) {
            FileKind::Dir => TarKind::Dir,
            FileKind::File => TarKind::File,
            FileKind::Symlink => TarKind::Symlink(session.sftp.read_link(remote.as_str()).await?),
            FileKind::Other => continue,
        };
        if kind == TarKind::Dir {
            let children: Vec<(String, FileAttributes)> = session
                .sftp
                .read_dir(remote.as_str())
                .await?
                .map(|i| (i.file_name(), i.metadata()))
                .collect();
            for (child, child_attrs) in archivable_children(children).into_iter().rev() {
                pending.push((
                    join_path(&remote, &child),
                    format!("{inside}/{child}"),
                    depth + 1,
                    child_attrs,
                ));
            }
        }
        let entry = tar_entry(inside, &attrs, kind);
        total = total
            .checked_add(entry.archived_len())
            .filter(|t| *t <= MAX_ARCHIVE_BYTES)
            .ok_or(FileError::TooLarge)?;
        plan.entries.push((entry, remote));
    }
    Ok(plan)
}

/// What the writer sent: how many bytes (delivered to the response), their SHA-256, and
/// how many files changed size while they were read.
#[derive(Debug, Default)]
pub struct Written {
    pub bytes: u64,
    pub sha256: String,
    pub changed: u64,
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
    let mut changed = 0u64;
    // Only what the response took is counted (a cancelled archive's hash means nothing).
    let emit = async |bytes: Vec<u8>, hasher: &mut Sha256, sent: &mut u64| {
        let len = bytes.len();
        session.touch();
        hasher.update(&bytes);
        out.send(bytes).await.map_err(|_| FileError::Cancelled)?;
        *sent += len as u64;
        session.live.add_out(len);
        Ok::<(), FileError>(())
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
            let mut shrunk = false;
            while left > 0 {
                let mut buf = vec![0u8; CHUNK];
                let n = reader.read(&mut buf).await?;
                if n == 0 {
                    shrunk = true;
                    // Shrunk since the plan: zeros keep the announced length.
                    buf.truncate(usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK));
                    buf.fill(0);
                } else {
                    buf.truncate(n);
                }
                left -= buf.len() as u64;
                emit(buf, &mut hasher, &mut sent).await?;
            }
            // One more byte past the planned size means it grew (the rest is left out).
            let grew = !shrunk && reader.into_inner().read(&mut [0u8; 1]).await? > 0;
            if shrunk || grew {
                changed += 1;
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
        changed,
    };
    (written, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str]) -> Vec<(String, FileAttributes)> {
        names
            .iter()
            .map(|n| ((*n).to_owned(), FileAttributes::empty()))
            .collect()
    }

    #[test]
    fn names_that_climb_out_or_repeat_are_left_out() {
        let kept = archivable_children(named(&["b", "..", ".", "../../x", "a/b", "a", "b", ""]));
        let names: Vec<&str> = kept.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
