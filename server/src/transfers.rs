//! `/api/transfers/{session}/…`: the file manager's streamed transfers. A download streams
//! the remote file as an attachment; an upload streams the request body into a temporary
//! file beside the target and renames it on success. Neither holds a file in memory or on
//! local disk, and each is audited with the SHA-256 of the bytes that passed through.

use std::sync::Arc;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cloudshell::auth::CurrentSession;
use cloudshell::files::ops::checked_path;
use cloudshell::files::{FileError, FileSession};
use cloudshell::models::AuditAction;
use cloudshell::models::files::{is_plain_name, join_path};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::state::AppState;

const CHUNK: usize = 64 * 1024;

#[derive(Deserialize)]
pub struct PathQuery {
    path: String,
}

/// What to do when the upload's name is taken.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Conflict {
    /// 409, and nothing is written (the browser then asks the user).
    #[default]
    Fail,
    Overwrite,
    /// Upload as "name (1).ext" (the first free such name).
    Keep,
}

#[derive(Deserialize)]
pub struct UploadQuery {
    dir: String,
    name: String,
    #[serde(default)]
    conflict: Conflict,
}

pub fn refuse(error: FileError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_GATEWAY);
    crate::edge::refuse(status, app::error::AppError::Files(error))
}

pub fn owned_session(
    state: &AppState,
    id: &str,
    me: &CurrentSession,
) -> Result<Arc<FileSession>, FileError> {
    state
        .files
        .get(id, &me.username, me.session_id)
        .ok_or(FileError::SessionGone)
}

/// `Content-Disposition: attachment` with an ASCII fallback and the exact UTF-8 name
/// (RFC 6266 / RFC 5987).
pub fn attachment(name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("download")
}

/// Records a download's end when the stream finishes, fails or is dropped.
struct DownloadRecord {
    session: Arc<FileSession>,
    auditor: cloudshell::audit::Auditor,
    path: String,
    hasher: Sha256,
    sent: u64,
    /// The announced length: once it is sent, the download is complete (hyper need not
    /// poll the body again).
    size: u64,
    outcome: Option<Result<(), FileError>>,
}

impl DownloadRecord {
    fn finish(&mut self, outcome: Result<(), FileError>) {
        self.outcome = Some(outcome);
    }
}

impl Drop for DownloadRecord {
    fn drop(&mut self) {
        let outcome = self.outcome.take().unwrap_or(Err(FileError::Cancelled));
        let detail = format!(
            "Downloaded {} from {} ({} bytes, sha256 {})",
            self.path,
            self.session.device.name,
            self.sent,
            hex::encode(std::mem::take(&mut self.hasher).finalize())
        );
        let event = match outcome {
            Ok(()) => self.session.event(AuditAction::SftpDownload, detail),
            Err(e) => self.session.failure(AuditAction::SftpDownload, detail, &e),
        };
        let auditor = self.auditor.clone();
        tokio::spawn(async move { auditor.record(event).await });
    }
}

/// `GET /api/transfers/{session}/download?path=…`
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PathQuery>,
    Extension(me): Extension<CurrentSession>,
) -> Response {
    let session = match owned_session(&state, &id, &me) {
        Ok(s) => s,
        Err(e) => return refuse(e),
    };
    let path = match checked_path(&query.path) {
        Ok(p) => p.to_owned(),
        Err(e) => return refuse(e),
    };
    let guard = match session.try_transfer() {
        Ok(g) => g,
        Err(e) => return refuse(e),
    };
    let opened = async {
        let meta = session.sftp.metadata(path.as_str()).await?;
        if meta.is_dir() {
            return Err(FileError::BadPath);
        }
        let file = session.sftp.open(path.as_str()).await?;
        Ok((meta.size.unwrap_or(0), file))
    }
    .await;
    let (size, file) = match opened {
        Ok(found) => found,
        Err(e) => {
            let detail = format!("Download of {path} from {}", session.device.name);
            state
                .auditor
                .record(session.failure(AuditAction::SftpDownload, detail, &e))
                .await;
            return refuse(e);
        }
    };
    let record = DownloadRecord {
        session: session.clone(),
        auditor: state.auditor.clone(),
        path: path.clone(),
        hasher: Sha256::new(),
        sent: 0,
        size,
        outcome: None,
    };
    // At most `size` bytes (the announced length) are sent.
    let reader = file.take(size);
    let body = futures_util::stream::unfold(
        (reader, record, guard),
        |(mut reader, mut record, guard)| async move {
            if record.outcome.is_some() {
                return None;
            }
            let mut buf = vec![0u8; CHUNK];
            match reader.read(&mut buf).await {
                Ok(0) => {
                    record.finish(Ok(()));
                    None
                }
                Ok(n) => {
                    buf.truncate(n);
                    record.hasher.update(&buf);
                    record.sent += n as u64;
                    record.session.live.add_out(n);
                    record.session.touch();
                    if record.sent == record.size {
                        record.finish(Ok(()));
                    }
                    Some((
                        Ok::<_, std::io::Error>(Bytes::from(buf)),
                        (reader, record, guard),
                    ))
                }
                Err(e) => {
                    record.finish(Err(FileError::from(e)));
                    None
                }
            }
        },
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(header::CONTENT_DISPOSITION, attachment(base_name(&path)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    (headers, Body::from_stream(body)).into_response()
}

/// `PUT /api/transfers/{session}/upload?dir=…&name=…&conflict=fail|overwrite|keep`, the
/// file's bytes as the body (`application/octet-stream`, with a Content-Length).
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<UploadQuery>,
    Extension(me): Extension<CurrentSession>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let session = match owned_session(&state, &id, &me) {
        Ok(s) => s,
        Err(e) => return refuse(e),
    };
    let target = join_path(&query.dir, &query.name);
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Refusals before any write are recorded too, with what was asked for.
    let refused = match (checked_path(&query.dir), length) {
        (Err(e), _) => Some(e),
        (Ok(_), _) if !is_plain_name(&query.name) => Some(FileError::BadPath),
        (Ok(_), None) => Some(FileError::BadPath),
        (Ok(_), Some(n)) if n > state.sftp_max_upload_bytes => Some(FileError::TooLarge),
        _ => None,
    };
    let guard = match refused {
        Some(e) => Err(e),
        None => session.try_transfer(),
    };
    let (guard, length) = match (guard, length) {
        (Ok(guard), Some(length)) => (guard, length),
        (result, _) => {
            let e = result.err().unwrap_or(FileError::BadPath);
            let size = length.map_or_else(|| "no length".to_owned(), |n| format!("{n} bytes"));
            let detail = format!("Upload of {target} ({size}) to {}", session.device.name);
            state
                .auditor
                .record(session.failure(AuditAction::SftpUpload, detail, &e))
                .await;
            if length.is_none() {
                return (StatusCode::LENGTH_REQUIRED, "Content-Length required").into_response();
            }
            return refuse(e);
        }
    };
    let dir = query.dir.clone();
    // On a task of its own: a browser that goes away mid-upload drops this handler, but the
    // task still removes the partial file and records the failure.
    let auditor = state.auditor.clone();
    let work = tokio::spawn(async move {
        let _busy = guard;
        let outcome = crate::upload::run(&session, &dir, &query.name, query.conflict, body).await;
        let event = match &outcome {
            Ok(done) => session.event(
                AuditAction::SftpUpload,
                format!(
                    "Uploaded {} to {} ({} bytes, sha256 {}){}",
                    done.path,
                    session.device.name,
                    done.size,
                    done.sha256,
                    if done.replaced {
                        ", replacing the file that was there"
                    } else {
                        ""
                    }
                ),
            ),
            Err((e, sent)) => session.failure(
                AuditAction::SftpUpload,
                format!(
                    "Upload of {target} to {} ({sent} of {length} bytes)",
                    session.device.name
                ),
                e,
            ),
        };
        auditor.record(event).await;
        outcome
    });
    match work.await {
        Ok(Ok(done)) => axum::Json(done).into_response(),
        Ok(Err((e, _))) => refuse(e),
        Err(_) => refuse(FileError::Failed),
    }
}
