//! The audit log: a cheap `Auditor` handle for every service, one batching writer with a
//! SHA-256 hash chain, keyset-paginated reads, export, verification and retention.

mod chain;
mod chores;
mod error;
mod event;
pub mod export;
pub mod query;
pub mod retention;
pub mod seal;
pub mod spill;
pub mod text;
pub mod verify;
mod writer;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use chain::{GENESIS, row_hash};
use chores::Chore;
pub use chores::SealRecord;
pub use error::AuditError;
pub use event::{Actor, AuditEvent, from_micros, to_micros};
use writer::{Command, WriterStatus};

/// How many events may wait for the writer; senders wait (never drop) when it is full.
const QUEUE_CAPACITY: usize = 8192;

/// How long a request waits for its event to be on disk before it is answered with 503.
pub const DURABLE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// Records audit events. Clone it freely; all clones feed the same writer.
#[derive(Clone)]
pub struct Auditor {
    tx: mpsc::Sender<Command>,
    status: Arc<WriterStatus>,
}

/// Owns the writer task; `shutdown` waits until everything queued is on disk, or spills it.
pub struct AuditWriter {
    task: JoinHandle<()>,
    status: Arc<WriterStatus>,
}

/// How long shutdown waits for the database before spilling what is left to the file.
/// The name the audit log gives changes made with `server user …` on the server itself;
/// no account may take it.
pub const CLI_USER: &str = "cli";

pub const SHUTDOWN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// For `/api/health`: whether the writer is keeping up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditHealth {
    /// The last write attempt failed and the writer is retrying.
    pub failing: bool,
    /// Events accepted but not yet committed.
    pub pending: u64,
    pub written: u64,
}

/// Starts the writer on `db`, with no spill file and no seal key (tools and tests): it
/// cannot seal, and its retention checkpoints carry no HMAC.
pub fn spawn(db: DatabaseConnection) -> (Auditor, AuditWriter) {
    spawn_with(db, None, None)
}

/// Starts the writer on `db`. With `key` it seals and vouches for retention checkpoints;
/// at a shutdown that runs out of time it spills to `spill`.
pub fn spawn_with(
    db: DatabaseConnection,
    key: Option<Arc<seal::SealKey>>,
    spill: Option<std::path::PathBuf>,
) -> (Auditor, AuditWriter) {
    let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
    let status = Arc::new(WriterStatus::default());
    let task = tokio::spawn(writer::run(db, rx, status.clone(), key, spill));
    (
        Auditor {
            tx,
            status: status.clone(),
        },
        AuditWriter { task, status },
    )
}

impl Auditor {
    /// Queues an event. Waits for queue space rather than dropping; does not wait for disk.
    pub async fn record(&self, event: AuditEvent) {
        self.status.pending.fetch_add(1, Ordering::Relaxed);
        if self.tx.send(Command::Event(event, None)).await.is_err() {
            self.status.pending.fetch_sub(1, Ordering::Relaxed);
            tracing::error!("audit writer has stopped; event not recorded");
        }
    }

    /// Records an event and returns once it is committed, with its id. For actions that must
    /// be on disk before the user is answered (login, password change). Past
    /// `DURABLE_DEADLINE` it answers `Delayed`; the event stays queued and is written later.
    pub async fn record_durable(&self, event: AuditEvent) -> Result<i64, AuditError> {
        self.record_durable_within(event, DURABLE_DEADLINE).await
    }

    pub async fn record_durable_within(
        &self,
        event: AuditEvent,
        deadline: std::time::Duration,
    ) -> Result<i64, AuditError> {
        let (ack, done) = oneshot::channel();
        self.status.pending.fetch_add(1, Ordering::Relaxed);
        if self
            .tx
            .send(Command::Event(event, Some(ack)))
            .await
            .is_err()
        {
            self.status.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(AuditError::WriterStopped);
        }
        match tokio::time::timeout(deadline, done).await {
            Ok(ack) => ack.map_err(|_| AuditError::WriterStopped),
            Err(_) => Err(AuditError::Delayed),
        }
    }

    /// Retention, done by the writer: deletes what is older than `cutoff` and appends the
    /// AUDIT_PRUNED checkpoint in the same transaction. Returns how many rows went.
    pub(crate) async fn prune(
        &self,
        cutoff: time::OffsetDateTime,
        days: u32,
    ) -> Result<u64, AuditError> {
        let (done, answer) = oneshot::channel();
        self.chore(Chore::Prune { cutoff, days, done }).await?;
        Ok(answer.await.map_err(|_| AuditError::WriterStopped)??)
    }

    /// Appends an AUDIT_SEAL over the chain's head (unless the head is one already) and
    /// returns it; `None` while the log is empty.
    pub async fn seal(&self) -> Result<Option<SealRecord>, AuditError> {
        let (done, answer) = oneshot::channel();
        self.chore(Chore::Seal { done }).await?;
        Ok(answer.await.map_err(|_| AuditError::WriterStopped)??)
    }

    /// Writes events a previous run spilled, with a marker naming `digest` (the spill file's
    /// SHA-256), in one transaction. `false`: that file was written before; nothing was done.
    pub async fn replay_spill(
        &self,
        events: Vec<AuditEvent>,
        digest: String,
    ) -> Result<bool, AuditError> {
        let (done, answer) = oneshot::channel();
        self.chore(Chore::Replay {
            events,
            digest,
            done,
        })
        .await?;
        Ok(answer.await.map_err(|_| AuditError::WriterStopped)??)
    }

    async fn chore(&self, chore: Chore) -> Result<(), AuditError> {
        self.tx
            .send(Command::Chore(chore))
            .await
            .map_err(|_| AuditError::WriterStopped)
    }

    /// Waits until every event queued before this call is committed.
    pub async fn flush(&self) -> Result<(), AuditError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Command::Flush(ack))
            .await
            .map_err(|_| AuditError::WriterStopped)?;
        done.await.map_err(|_| AuditError::WriterStopped)
    }

    pub fn health(&self) -> AuditHealth {
        AuditHealth {
            failing: self.status.failing.load(Ordering::Relaxed),
            pending: self.status.pending.load(Ordering::Relaxed),
            written: self.status.written.load(Ordering::Relaxed),
        }
    }
}

impl AuditWriter {
    /// Flushes the queue through `auditor` and stops the writer once every handle is dropped.
    /// Call on graceful shutdown, after the HTTP server has stopped taking requests. Never
    /// waits forever: past `SHUTDOWN_DEADLINE` the writer spills what is unwritten.
    pub async fn shutdown(self, auditor: Auditor) {
        self.shutdown_within(auditor, SHUTDOWN_DEADLINE).await;
    }

    pub async fn shutdown_within(self, auditor: Auditor, deadline: std::time::Duration) {
        match tokio::time::timeout(deadline, auditor.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "audit flush on shutdown failed"),
            Err(_) => {
                tracing::error!("audit log not written within the shutdown deadline; spilling");
                self.status.spill_now.store(true, Ordering::Release);
                self.status.wake.notify_one();
            }
        }
        drop(auditor);
        // Other clones may still live in tasks being torn down; don't wait on them forever.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.task).await;
    }
}
