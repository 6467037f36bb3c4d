//! `GET /api/transfers/{session}/archive?dir=…&names=a/b`: folders and files as one streamed
//! `.tar` attachment. The plan comes first, so the length is announced; the bytes then flow
//! through a small channel, so a slow browser holds back the reading, not the memory.

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cloudshell::auth::CurrentSession;
use cloudshell::files::{FileError, archive};
use cloudshell::models::AuditAction;
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

use crate::state::AppState;
use crate::transfers::{attachment, owned_session, refuse};

/// Chunks in flight between the SFTP reader and the response (64 KiB each).
const IN_FLIGHT: usize = 4;

#[derive(Deserialize)]
pub struct ArchiveQuery {
    dir: String,
    /// The entries of `dir` to archive, joined with "/" (which no name can contain).
    names: String,
}

/// "logs.tar" for one entry, else the folder's own name.
fn archive_name(dir: &str, names: &[String]) -> String {
    let stem = match names {
        [one] => one.as_str(),
        _ => dir.trim_end_matches('/').rsplit('/').next().unwrap_or(""),
    };
    let stem = if stem.is_empty() { "files" } else { stem };
    format!("{stem}.tar")
}

pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ArchiveQuery>,
    Extension(me): Extension<CurrentSession>,
) -> Response {
    let session = match owned_session(&state, &id, &me) {
        Ok(s) => s,
        Err(e) => return refuse(e),
    };
    let names: Vec<String> = query.names.split('/').map(str::to_owned).collect();
    let name = archive_name(&query.dir, &names);
    let what = format!(
        "archive {name} of {} in {} from {}",
        names.join(", "),
        query.dir,
        session.device.name
    );
    let guard = match session.try_transfer() {
        Ok(g) => g,
        Err(e) => return refuse(e),
    };
    // Planning and writing run on a task of their own, so the download is recorded however
    // it ends, even if the browser leaves while the tree is still being planned.
    let (planned_tx, planned) = oneshot::channel::<Result<u64, FileError>>();
    let (tx, rx) = mpsc::channel::<Vec<u8>>(IN_FLIGHT);
    let auditor = state.auditor.clone();
    let writer_session = session.clone();
    tokio::spawn(async move {
        let _busy = guard;
        let plan = match archive::plan(&writer_session, &query.dir, &names).await {
            Ok(plan) => plan,
            Err(e) => {
                let detail = format!("Download of {what}");
                auditor
                    .record(writer_session.failure(AuditAction::SftpDownload, detail, &e))
                    .await;
                let _ = planned_tx.send(Err(e));
                return;
            }
        };
        if planned_tx.send(Ok(plan.len())).is_err() {
            let detail = format!("Download of {what}");
            let event =
                writer_session.failure(AuditAction::SftpDownload, detail, &FileError::Cancelled);
            auditor.record(event).await;
            return;
        }
        let (written, result) = archive::write(&writer_session, &plan, tx).await;
        let changed = match written.changed {
            0 => String::new(),
            n => format!("; {n} files changed while being read"),
        };
        let detail = format!(
            "Downloaded {what} ({} entries, {} bytes, sha256 {}{changed})",
            plan.entries.len(),
            written.bytes,
            written.sha256
        );
        let event = match result {
            Ok(()) => writer_session.event(AuditAction::SftpDownload, detail),
            Err(e) => writer_session.failure(AuditAction::SftpDownload, detail, &e),
        };
        auditor.record(event).await;
    });
    let length = match planned.await {
        Ok(Ok(length)) => length,
        Ok(Err(e)) => return refuse(e),
        Err(_) => return refuse(FileError::Failed),
    };
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(Bytes::from(chunk)), rx))
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tar"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CONTENT_DISPOSITION, attachment(&name));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    (headers, Body::from_stream(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::archive_name;

    #[test]
    fn archives_are_named_after_what_they_hold() {
        assert_eq!(archive_name("/var/log", &["nginx".into()]), "nginx.tar");
        assert_eq!(
            archive_name("/var/log", &["a".into(), "b".into()]),
            "log.tar"
        );
        assert_eq!(archive_name("/", &["a".into(), "b".into()]), "files.tar");
    }
}
