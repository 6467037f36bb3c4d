//! What can go wrong with a file operation, in words the browser may see.

use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::StatusCode;

use crate::models::files::FileError;

/// The kind of failure; the library's own words go to the server log only.
fn classify(e: &SftpError) -> FileError {
    let kind = match e {
        SftpError::Status(status) => match status.status_code {
            StatusCode::NoSuchFile => return FileError::NotFound,
            StatusCode::PermissionDenied => return FileError::PermissionDenied,
            StatusCode::NoConnection | StatusCode::ConnectionLost => FileError::ConnectionLost,
            _ => FileError::Failed,
        },
        SftpError::IO(_) | SftpError::Timeout => FileError::ConnectionLost,
        _ => FileError::Failed,
    };
    tracing::info!(error = %e, "sftp operation failed");
    kind
}

impl From<SftpError> for FileError {
    fn from(e: SftpError) -> Self {
        classify(&e)
    }
}

impl From<std::io::Error> for FileError {
    fn from(e: std::io::Error) -> Self {
        // russh-sftp's file I/O wraps its own error (with the status) in an io::Error.
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<SftpError>()) {
            return classify(inner);
        }
        match e.kind() {
            std::io::ErrorKind::StorageFull => FileError::DiskFull,
            std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::UnexpectedEof => FileError::ConnectionLost,
            _ => {
                tracing::info!(error = %e, "sftp file i/o failed");
                FileError::Failed
            }
        }
    }
}
