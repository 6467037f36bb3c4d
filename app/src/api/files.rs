//! `/api/files/*`: the file manager's session and its operations. Transfers (download,
//! folder archive, upload) are streamed plain routes under `/api/transfers/` instead.

use cloudshell::models::files::{DirListing, FileSessionInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use std::sync::Arc;

    use cloudshell::files::{FileError, FileSession, FileSessions, OpenError};
    use leptos::prelude::use_context;

    use super::AppError;
    use crate::api::ssr::{current_session, fail, internal};

    pub fn files() -> Result<FileSessions, AppError> {
        use_context::<FileSessions>()
            .ok_or_else(|| internal("context", "FileSessions not provided"))
    }

    /// The caller's own open session `id`; anyone else's (or a closed one) is not found.
    pub fn session(id: &str) -> Result<Arc<FileSession>, AppError> {
        let me = current_session()?;
        files()?
            .get(id, &me.username, me.session_id)
            .ok_or_else(|| fail(AppError::Files(FileError::SessionGone)))
    }

    pub fn file_error(e: FileError) -> AppError {
        fail(AppError::Files(e))
    }

    pub fn open_error(e: OpenError) -> AppError {
        match e {
            OpenError::NoDevice => fail(AppError::NotFound),
            OpenError::Internal => internal("open files", "see above"),
            // Fixed texts: the connection's, the limit's, or "no SFTP".
            other => fail(AppError::CannotConnect(other.to_string())),
        }
    }

    pub use crate::api::ssr::auditor;
}

/// `POST /api/files/open` (form `device_id`): connects and starts SFTP in the remote user's
/// home folder.
#[server(prefix = "/api", endpoint = "files/open")]
pub async fn open_files(#[server(default)] device_id: i64) -> Result<FileSessionInfo, AppError> {
    use crate::api::ssr::{actor, require_device};
    // Before any connection work: the role and the access groups must allow this device.
    let web = require_device(device_id).await?.session_id;
    let actor = actor()?;
    let session = ssr::files()?
        .open(&actor, web, device_id)
        .await
        .map_err(ssr::open_error)?;
    Ok(FileSessionInfo {
        session_id: session.live.id.clone(),
        home: session.home.clone(),
    })
}

/// `GET /api/files/list?session=…&path=…`: a folder's entries, folders first.
#[server(prefix = "/api", endpoint = "files/list", input = GetUrl)]
pub async fn list_files(session: String, path: String) -> Result<DirListing, AppError> {
    let session = ssr::session(&session)?;
    cloudshell::files::ops::list(&session, &path)
        .await
        .map_err(ssr::file_error)
}

/// `POST /api/files/mkdir` (form `session`, `dir`, `name`): returns the new folder's path.
#[server(prefix = "/api", endpoint = "files/mkdir")]
pub async fn make_folder(session: String, dir: String, name: String) -> Result<String, AppError> {
    use cloudshell::files::ops;
    let (session, auditor) = (ssr::session(&session)?, ssr::auditor()?);
    ops::detached(async move { ops::mkdir(&session, &auditor, &dir, &name).await })
        .await
        .map_err(ssr::file_error)
}

/// `POST /api/files/rename` (form `session`, `from`, `to`).
#[server(prefix = "/api", endpoint = "files/rename")]
pub async fn rename_file(session: String, from: String, to: String) -> Result<(), AppError> {
    use cloudshell::files::ops;
    let (session, auditor) = (ssr::session(&session)?, ssr::auditor()?);
    ops::detached(async move { ops::rename(&session, &auditor, &from, &to).await })
        .await
        .map_err(ssr::file_error)
}

/// `POST /api/files/chmod` (form `session`, `path`, `mode` as a number, e.g. 420 for 0644).
#[server(prefix = "/api", endpoint = "files/chmod")]
pub async fn change_mode(session: String, path: String, mode: u32) -> Result<(), AppError> {
    use cloudshell::files::ops;
    let (session, auditor) = (ssr::session(&session)?, ssr::auditor()?);
    ops::detached(async move { ops::chmod(&session, &auditor, &path, mode).await })
        .await
        .map_err(ssr::file_error)
}

/// `GET /api/files/count?session=…&path=…`: entries a delete would remove, and whether the
/// count stopped at its cap.
#[server(prefix = "/api", endpoint = "files/count", input = GetUrl)]
pub async fn count_files(session: String, path: String) -> Result<(u64, bool), AppError> {
    let session = ssr::session(&session)?;
    cloudshell::files::ops::count(&session, &path)
        .await
        .map_err(ssr::file_error)
}

/// `POST /api/files/delete` (form `session`, `path`): a file, or a folder with everything in
/// it. Returns how many entries went.
#[server(prefix = "/api", endpoint = "files/delete")]
pub async fn delete_file(session: String, path: String) -> Result<u64, AppError> {
    use cloudshell::files::ops;
    let (session, auditor) = (ssr::session(&session)?, ssr::auditor()?);
    ops::detached(async move { ops::delete(&session, &auditor, &path).await })
        .await
        .map_err(ssr::file_error)
}

/// `POST /api/files/close` (form `session`): the tab was closed.
#[server(prefix = "/api", endpoint = "files/close")]
pub async fn close_files(session: String) -> Result<(), AppError> {
    let found = ssr::session(&session)?;
    ssr::files()?.close(&found);
    Ok(())
}
