//! The file manager's operations on an open session: list, and the changes (each audited,
//! failures too, with the reason).

use std::sync::Arc;

use russh_sftp::protocol::{FileAttributes, FileType};

use super::sessions::FileSession;
use crate::models::AuditAction;
use crate::models::files::FileError;
use crate::models::files::{DirListing, FileEntry, FileKind, is_plain_name, join_path};

/// At most this many entries are sent for one folder.
pub const MAX_LISTING: usize = 50_000;
/// A recursive delete (or count) visits at most this many entries, this deep.
pub const MAX_TREE_ENTRIES: u64 = 100_000;
pub(crate) const MAX_TREE_DEPTH: usize = 64;

/// A path from the browser: absolute, without NUL, of a sane length.
pub fn checked_path(path: &str) -> Result<&str, FileError> {
    if path.starts_with('/') && !path.contains('\0') && path.len() <= 4096 {
        Ok(path)
    } else {
        Err(FileError::BadPath)
    }
}

pub(crate) fn kind_of(attrs: &FileAttributes) -> FileKind {
    match attrs.file_type() {
        FileType::Dir => FileKind::Dir,
        FileType::File => FileKind::File,
        FileType::Symlink => FileKind::Symlink,
        FileType::Other => FileKind::Other,
    }
}

fn entry(name: String, attrs: &FileAttributes) -> FileEntry {
    FileEntry {
        name,
        kind: kind_of(attrs),
        size: attrs.size.unwrap_or(0),
        modified: attrs.mtime.map(i64::from),
        mode: attrs.permissions.map(|p| p & 0o7777),
        owner: attrs
            .user
            .clone()
            .or_else(|| attrs.uid.map(|u| u.to_string())),
    }
}

/// The folder's entries (without "." and ".."), folders first, then by name ignoring case.
pub async fn list(session: &FileSession, path: &str) -> Result<DirListing, FileError> {
    session.touch();
    let path = session.sftp.canonicalize(checked_path(path)?).await?;
    let mut entries: Vec<FileEntry> = Vec::new();
    let mut truncated = false;
    for item in session.sftp.read_dir(path.as_str()).await? {
        let name = item.file_name();
        if name == "." || name == ".." {
            continue;
        }
        if entries.len() == MAX_LISTING {
            truncated = true;
            break;
        }
        entries.push(entry(name, &item.metadata()));
    }
    entries.sort_by(|a, b| {
        (a.kind != FileKind::Dir)
            .cmp(&(b.kind != FileKind::Dir))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(DirListing {
        path,
        entries,
        truncated,
    })
}

/// Runs a change on a task of its own and waits for it: if the request goes away (the
/// browser left, the request timed out), the change still finishes and is recorded.
pub async fn detached<T: Send + 'static>(
    change: impl std::future::Future<Output = Result<T, FileError>> + Send + 'static,
) -> Result<T, FileError> {
    tokio::spawn(change).await.unwrap_or(Err(FileError::Failed))
}

/// Records `result` as `action` (success, or failure with its reason) and passes it on.
async fn audited<T>(
    session: &FileSession,
    action: AuditAction,
    detail: String,
    result: Result<T, FileError>,
    auditor: &crate::audit::Auditor,
) -> Result<T, FileError> {
    let event = match &result {
        Ok(_) => session.event(action, detail),
        Err(e) => session.failure(action, detail, e),
    };
    auditor.record(event).await;
    result
}

pub async fn mkdir(
    session: &FileSession,
    auditor: &crate::audit::Auditor,
    dir: &str,
    name: &str,
) -> Result<String, FileError> {
    session.touch();
    let path = join_path(dir, name);
    let result = async {
        checked_path(dir)?;
        if !is_plain_name(name) {
            return Err(FileError::BadPath);
        }
        if session.sftp.try_exists(path.as_str()).await? {
            return Err(FileError::AlreadyExists);
        }
        session.sftp.create_dir(path.as_str()).await?;
        Ok(path.clone())
    }
    .await;
    let detail = format!("Created folder {path} on {}", session.device.name);
    audited(session, AuditAction::SftpMkdir, detail, result, auditor).await
}

/// Renames or moves `from` to `to` (both absolute). Refuses to replace an existing entry.
pub async fn rename(
    session: &FileSession,
    auditor: &crate::audit::Auditor,
    from: &str,
    to: &str,
) -> Result<(), FileError> {
    session.touch();
    let result = async {
        let (from, to) = (checked_path(from)?, checked_path(to)?);
        if session.sftp.try_exists(to).await? {
            return Err(FileError::AlreadyExists);
        }
        session.sftp.rename(from, to).await?;
        Ok(())
    }
    .await;
    let detail = format!("Renamed {from} to {to} on {}", session.device.name);
    audited(session, AuditAction::SftpRename, detail, result, auditor).await
}

/// Sets the permission bits (0..=0o7777); the audit names the old and new modes.
pub async fn chmod(
    session: &FileSession,
    auditor: &crate::audit::Auditor,
    path: &str,
    mode: u32,
) -> Result<(), FileError> {
    session.touch();
    let mut old = None;
    let result = async {
        checked_path(path)?;
        if mode > 0o7777 {
            return Err(FileError::BadPath);
        }
        let before = session.sftp.metadata(path).await?;
        old = before.permissions.map(|p| p & 0o7777);
        let mut attrs = FileAttributes::empty();
        attrs.permissions = Some(mode);
        session.sftp.set_metadata(path, attrs).await?;
        Ok(())
    }
    .await;
    let old_text = old.map_or_else(|| "?".to_owned(), |m| format!("{m:04o}"));
    let detail = format!(
        "Changed mode of {path} from {old_text} to {mode:04o} on {}",
        session.device.name
    );
    audited(session, AuditAction::SftpChmod, detail, result, auditor).await
}

/// How many entries are under `path` (itself included), and whether the count hit the cap.
pub async fn count(session: &FileSession, path: &str) -> Result<(u64, bool), FileError> {
    session.touch();
    let path = checked_path(path)?;
    let attrs = session.sftp.symlink_metadata(path).await?;
    if kind_of(&attrs) != FileKind::Dir {
        return Ok((1, false));
    }
    let mut seen = 1;
    let capped = walk(session, path, 0, &mut seen, &mut |_, _| {}).await?;
    Ok((seen, capped))
}

/// Visits every entry under `dir` depth-first (children before their folder), calling
/// `visit(path, is_dir)`. Symlinks are not followed. Returns whether the cap was hit.
async fn walk(
    session: &FileSession,
    dir: &str,
    depth: usize,
    seen: &mut u64,
    visit: &mut (dyn FnMut(String, bool) + Send),
) -> Result<bool, FileError> {
    if depth >= MAX_TREE_DEPTH {
        return Ok(true);
    }
    let items: Vec<(String, FileKind)> = session
        .sftp
        .read_dir(dir)
        .await?
        // Never "..", nor a name with "/" that a hostile device could send to step outside.
        .filter(|i| is_plain_name(&i.file_name()))
        .map(|i| (i.file_name(), kind_of(&i.metadata())))
        .collect();
    for (name, kind) in items {
        *seen += 1;
        if *seen > MAX_TREE_ENTRIES {
            return Ok(true);
        }
        let path = join_path(dir, &name);
        if kind == FileKind::Dir {
            if Box::pin(walk(session, &path, depth + 1, seen, visit)).await? {
                return Ok(true);
            }
            visit(path, true);
        } else {
            visit(path, false);
        }
    }
    Ok(false)
}

/// Deletes a file, a symlink, or a folder with everything in it. Returns how many entries
/// went. Refuses a tree over `MAX_TREE_ENTRIES` before deleting anything.
pub async fn delete(
    session: &Arc<FileSession>,
    auditor: &crate::audit::Auditor,
    path: &str,
) -> Result<u64, FileError> {
    let _busy = session.transfer();
    let mut removed = 0u64;
    let mut was_dir = false;
    let result = async {
        checked_path(path)?;
        if path == "/" {
            return Err(FileError::BadPath);
        }
        let attrs = session.sftp.symlink_metadata(path).await?;
        if kind_of(&attrs) != FileKind::Dir {
            session.sftp.remove_file(path).await?;
            removed = 1;
            return Ok(1);
        }
        was_dir = true;
        let mut order: Vec<(String, bool)> = Vec::new();
        let mut seen = 1;
        if walk(session, path, 0, &mut seen, &mut |p, d| order.push((p, d))).await? {
            return Err(FileError::TooManyEntries);
        }
        for (entry, is_dir) in order {
            if is_dir {
                session.sftp.remove_dir(entry.as_str()).await?;
            } else {
                session.sftp.remove_file(entry.as_str()).await?;
            }
            removed += 1;
        }
        session.sftp.remove_dir(path).await?;
        removed += 1;
        Ok(removed)
    }
    .await;
    let what = if was_dir {
        format!("folder {path} ({removed} entries)")
    } else {
        path.to_owned()
    };
    let detail = format!("Deleted {what} on {}", session.device.name);
    audited(session, AuditAction::SftpDelete, detail, result, auditor).await
}
