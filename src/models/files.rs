//! The file manager's data as both sides see it: listings, entries and what went wrong.

use serde::{Deserialize, Serialize};

use super::AuditReason;

/// What a listed name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Dir,
    File,
    Symlink,
    Other,
}

/// One row of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    /// Seconds since the epoch (UTC), when the server says.
    pub modified: Option<i64>,
    /// The permission bits (and setuid/setgid/sticky), without the file type.
    pub mode: Option<u32>,
    /// The owner's name when the server gives one, else the uid.
    pub owner: Option<String>,
}

/// A folder's entries, the folder's canonical path, and whether the list was cut short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirListing {
    pub path: String,
    pub entries: Vec<FileEntry>,
    pub truncated: bool,
}

/// An open file session: its id and the remote user's home folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSessionInfo {
    pub session_id: String,
    pub home: String,
}

/// A file operation's failure. The texts are fixed and say what to do next; the library's
/// own words go to the server log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FileError {
    #[error("Permission denied. The device's user may not do this here.")]
    PermissionDenied,
    #[error("No such file or folder. It may have been moved or deleted; refresh the listing.")]
    NotFound,
    #[error("A file or folder with that name already exists.")]
    AlreadyExists,
    #[error("The device has no space left. Free some space and try again.")]
    DiskFull,
    #[error("The connection to the device was lost. Close this tab and open the files again.")]
    ConnectionLost,
    #[error("That name or path cannot be used.")]
    BadPath,
    #[error("The file is over the upload size limit (SFTP_MAX_UPLOAD_MB).")]
    TooLarge,
    #[error("The folder holds too many entries to do this in one go.")]
    TooManyEntries,
    #[error("The transfer was cancelled.")]
    Cancelled,
    #[error("The device refused the operation. The server log has the details.")]
    Failed,
    /// This session already runs as many transfers as it may.
    #[error("Too many transfers are running in this tab. Wait for one to finish and try again.")]
    Busy,
    /// The file session is not open (closed, timed out, or someone else's).
    #[error("This file session has ended. Close the tab and open the files again.")]
    SessionGone,
}

impl FileError {
    pub fn reason(&self) -> AuditReason {
        match self {
            FileError::PermissionDenied => AuditReason::PermissionDenied,
            FileError::NotFound => AuditReason::NoSuchFile,
            FileError::AlreadyExists => AuditReason::AlreadyExists,
            FileError::DiskFull => AuditReason::DiskFull,
            FileError::ConnectionLost => AuditReason::SshClosed,
            FileError::TooLarge => AuditReason::TooLarge,
            FileError::Cancelled => AuditReason::Cancelled,
            FileError::BadPath
            | FileError::TooManyEntries
            | FileError::Failed
            | FileError::Busy
            | FileError::SessionGone => AuditReason::FileOpFailed,
        }
    }

    /// The HTTP status a route answers with.
    pub fn status(&self) -> u16 {
        match self {
            FileError::PermissionDenied => 403,
            FileError::NotFound => 404,
            FileError::AlreadyExists => 409,
            FileError::DiskFull => 507,
            FileError::ConnectionLost => 502,
            FileError::BadPath => 400,
            FileError::TooLarge => 413,
            FileError::TooManyEntries => 422,
            FileError::Cancelled => 499,
            FileError::Failed => 502,
            FileError::Busy => 429,
            FileError::SessionGone => 404,
        }
    }
}

/// "rwxr-xr-x" for 0o755 (with s/S and t/T for the special bits).
pub fn mode_string(mode: u32) -> String {
    let bit = |mask: u32, c: char| if mode & mask != 0 { c } else { '-' };
    let special = |exec: bool, set: bool, lower: char, upper: char| match (exec, set) {
        (true, true) => lower,
        (false, true) => upper,
        (true, false) => 'x',
        (false, false) => '-',
    };
    [
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        special(mode & 0o100 != 0, mode & 0o4000 != 0, 's', 'S'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        special(mode & 0o010 != 0, mode & 0o2000 != 0, 's', 'S'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        special(mode & 0o001 != 0, mode & 0o1000 != 0, 't', 'T'),
    ]
    .into_iter()
    .collect()
}

/// "1.5 MiB", "999 B".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Joins a folder and a name the way the remote (POSIX) expects.
pub fn join_path(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The folder above `path` ("/" stays "/").
pub fn parent_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => trimmed[..i].to_owned(),
    }
}

/// Whether `name` can be a single entry's name (no separators, not "." or "..").
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\0')
        && name.len() <= 255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_like_ls() {
        assert_eq!(mode_string(0o755), "rwxr-xr-x");
        assert_eq!(mode_string(0o644), "rw-r--r--");
        assert_eq!(mode_string(0o4755), "rwsr-xr-x");
        assert_eq!(mode_string(0o1777), "rwxrwxrwt");
        assert_eq!(mode_string(0o2640), "rw-r-S---");
    }

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn paths_join_and_climb() {
        assert_eq!(join_path("/home/a", "x"), "/home/a/x");
        assert_eq!(join_path("/", "x"), "/x");
        assert_eq!(parent_path("/home/a"), "/home");
        assert_eq!(parent_path("/home"), "/");
        assert_eq!(parent_path("/"), "/");
        assert!(is_plain_name("notes.txt"));
        assert!(!is_plain_name("../x"));
        assert!(!is_plain_name(".."));
        assert!(!is_plain_name(""));
    }
}
