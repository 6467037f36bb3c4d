//! Seals the audit log's head every `SEAL_EVERY`, at startup and at shutdown. Each seal also
//! goes to the server log and to `DATA_DIR/audit-seal`, copies outside the database.

use std::path::PathBuf;
use std::sync::Arc;

use cloudshell::audit::Auditor;
use cloudshell::audit::seal::{SEAL_EVERY, SealAnchor, SealKey};

use crate::state::AppState;

/// The seal key and where this node keeps its newest seal.
#[derive(Clone)]
pub struct Sealer {
    pub key: Arc<SealKey>,
    pub anchor_file: PathBuf,
}

impl Sealer {
    /// Appends a seal (unless the head is one) and records it outside the database.
    pub async fn seal(&self, auditor: &Auditor) -> anyhow::Result<()> {
        let Some(record) = auditor.seal().await? else {
            return Ok(());
        };
        tracing::info!(
            seal_id = record.seal_id,
            seal_hash = %record.seal_hash,
            head_id = record.head_id,
            head_hash = %record.head_hash,
            seal = %record.seal,
            "audit log sealed"
        );
        SealAnchor {
            id: record.seal_id,
            hash: record.seal_hash,
        }
        .write(&self.anchor_file)?;
        Ok(())
    }
}

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + SEAL_EVERY;
        let mut ticker = tokio::time::interval_at(start, SEAL_EVERY);
        loop {
            ticker.tick().await;
            if let Err(e) = state.sealer.seal(&state.auditor).await {
                tracing::error!(error = %e, "sealing the audit log failed; will retry");
            }
        }
    })
}
