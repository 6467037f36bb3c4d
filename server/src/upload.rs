//! One upload: the body streams into a temporary name beside the target, which is renamed
//! into place only when every byte arrived. A failed or cancelled upload removes it, so no
//! partial file is ever left under the target's name (or at all).

use std::time::Duration;

use axum::body::{Body, Bytes};
use cloudshell::files::{FileError, FileSession};
use cloudshell::models::files::join_path;
use cloudshell::terminal::random_id;
use futures_util::StreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::transfers::Conflict;

/// Body bytes gathered before they are written (one buffer per upload).
const WRITE_BATCH: usize = 256 * 1024;

/// A browser that sends nothing of an upload for this long has gone.
const BODY_STALL: Duration = Duration::from_secs(60);

/// A finished upload, as the browser and the audit log see it.
#[derive(Debug, Serialize)]
pub struct Uploaded {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// Whether it replaced a file of the same name.
    pub replaced: bool,
}

/// Returns the finished upload, or the error and how many bytes had arrived.
pub async fn run(
    session: &FileSession,
    dir: &str,
    name: &str,
    conflict: Conflict,
    body: Body,
) -> Result<Uploaded, (FileError, u64)> {
    let sftp = &session.sftp;
    let mut target = join_path(dir, name);
    let exists = sftp
        .try_exists(target.as_str())
        .await
        .map_err(|e| (e.into(), 0))?;
    let mut replaced = false;
    if exists {
        match conflict {
            Conflict::Fail => return Err((FileError::AlreadyExists, 0)),
            Conflict::Overwrite => {
                // Only a file (or a link) is replaced: never a folder.
                let attrs = sftp
                    .symlink_metadata(target.as_str())
                    .await
                    .map_err(|e| (e.into(), 0))?;
                if attrs.is_dir() {
                    return Err((FileError::AlreadyExists, 0));
                }
                replaced = true;
            }
            Conflict::Keep => target = free_name(session, dir, name).await.map_err(|e| (e, 0))?,
        }
    }
    let suffix = &random_id()[..12];
    let temp = join_path(dir, &format!(".{suffix}.cloudshell-upload"));
    let mut file = sftp
        .create(temp.as_str())
        .await
        .map_err(|e| (e.into(), 0))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    let received: Result<(), FileError> = async {
        // The body's small chunks are gathered into full-size SFTP writes: fewer, larger
        // packets cost the gateway and the device less per byte.
        let mut pending: Vec<u8> = Vec::with_capacity(WRITE_BATCH);
        while let Some(bytes) = next_chunk(&mut stream).await? {
            hasher.update(&bytes);
            size += bytes.len() as u64;
            session.live.add_in(bytes.len());
            session.touch();
            pending.extend_from_slice(&bytes);
            if pending.len() >= WRITE_BATCH {
                write_all(&mut file, &pending).await?;
                pending.clear();
            }
        }
        write_all(&mut file, &pending).await?;
        file.shutdown().await.map_err(FileError::from)?;
        Ok(())
    }
    .await;
    drop(file);
    if let Err(e) = received {
        remove_quietly(session, &temp).await;
        return Err((e, size));
    }
    if let Err(e) = put_in_place(session, &temp, &target, dir, suffix).await {
        remove_quietly(session, &temp).await;
        return Err((e, size));
    }
    Ok(Uploaded {
        path: target,
        size,
        sha256: hex::encode(hasher.finalize()),
        replaced,
    })
}

/// Renames the finished temporary file to `target`. An existing target is first moved aside
/// and removed only once the new file is in place (SFTP v3's rename does not replace).
async fn put_in_place(
    session: &FileSession,
    temp: &str,
    target: &str,
    dir: &str,
    suffix: &str,
) -> Result<(), FileError> {
    let sftp = &session.sftp;
    if !sftp.try_exists(target).await? {
        return Ok(sftp.rename(temp, target).await?);
    }
    let aside = join_path(dir, &format!(".{suffix}.cloudshell-replaced"));
    sftp.rename(target, aside.as_str()).await?;
    if let Err(e) = sftp.rename(temp, target).await {
        // Put the old file back; the new one is removed by the caller.
        let _ = sftp.rename(aside.as_str(), target).await;
        return Err(e.into());
    }
    remove_quietly(session, &aside).await;
    Ok(())
}

/// "name (1).ext", "name (2).ext", … : the first that does not exist.
async fn free_name(session: &FileSession, dir: &str, name: &str) -> Result<String, FileError> {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    for n in 1..1000 {
        let candidate = join_path(dir, &format!("{stem} ({n}){ext}"));
        if !session.sftp.try_exists(candidate.as_str()).await? {
            return Ok(candidate);
        }
    }
    Err(FileError::AlreadyExists)
}

async fn remove_quietly(session: &FileSession, path: &str) {
    if let Err(e) = session.sftp.remove_file(path).await {
        tracing::warn!(error = %e, path, "could not remove a partial upload");
    }
}

/// The next body chunk, or `Cancelled` when the browser stops sending or goes away.
async fn next_chunk(stream: &mut axum::body::BodyDataStream) -> Result<Option<Bytes>, FileError> {
    match tokio::time::timeout(BODY_STALL, stream.next()).await {
        Ok(Some(Ok(bytes))) => Ok(Some(bytes)),
        Ok(None) => Ok(None),
        Ok(Some(Err(_))) | Err(_) => Err(FileError::Cancelled),
    }
}

/// Writes everything, mapping the remote's errors.
async fn write_all(file: &mut russh_sftp::client::fs::File, bytes: &[u8]) -> Result<(), FileError> {
    file.write_all(bytes).await.map_err(FileError::from)
}
