//! The spill file: when shutdown cannot get queued events into the database in time, the
//! writer writes them to `DATA_DIR/audit-spill.ndjson` (0600, one JSON event a line) and the
//! next start replays them into the chain before anything else is recorded. SIGTERM always
//! stops the server, and nothing is lost.

use std::io::Write;
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::event::{AuditEvent, from_micros, to_micros};
use crate::models::{AuditAction, AuditOutcome, AuditReason};

pub const SPILL_FILE: &str = "audit-spill.ndjson";

/// An event as one line of the spill file.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    ts_micros: i64,
    username: String,
    action: String,
    source_ip: Option<IpAddr>,
    detail: String,
    device_id: Option<i64>,
    session_id: Option<String>,
    outcome: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    checkpoint: Option<String>,
    #[serde(default)]
    seal: Option<String>,
}

impl From<&AuditEvent> for Line {
    fn from(ev: &AuditEvent) -> Self {
        Line {
            ts_micros: to_micros(ev.ts),
            username: ev.username.clone(),
            action: ev.action.as_str().to_owned(),
            source_ip: ev.source_ip,
            detail: ev.detail.clone(),
            device_id: ev.device_id,
            session_id: ev.session_id.clone(),
            outcome: ev.outcome.map(|o| o.as_str().to_owned()),
            reason: ev.reason.as_ref().map(|r| r.code().to_owned()),
            checkpoint: ev.checkpoint.clone(),
            seal: ev.seal.clone(),
        }
    }
}

impl From<Line> for AuditEvent {
    fn from(l: Line) -> Self {
        let mut ev = AuditEvent::new(l.username, AuditAction::parse(&l.action), l.detail);
        ev.ts = from_micros(l.ts_micros);
        ev.source_ip = l.source_ip;
        ev.device_id = l.device_id;
        ev.session_id = l.session_id;
        ev.outcome = l.outcome.as_deref().and_then(AuditOutcome::parse);
        ev.reason = l.reason.map(AuditReason::from);
        ev.checkpoint = l.checkpoint;
        ev.seal = l.seal;
        ev
    }
}

/// Appends `events` to the spill file (created 0600) and syncs it.
pub fn write(path: &Path, events: &[AuditEvent]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    for ev in events {
        let line = serde_json::to_string(&Line::from(ev)).map_err(std::io::Error::other)?;
        writeln!(file, "{line}")?;
    }
    file.sync_all()
}

/// What a spill file holds: its events, oldest first, and the SHA-256 of its bytes, which the
/// replay records so the same file is never written twice.
#[derive(Debug, Default)]
pub struct Spilled {
    pub events: Vec<AuditEvent>,
    pub digest: String,
}

/// The spilled events; none when there is no file. A line that does not parse (a torn last
/// write) is reported and skipped.
pub fn read(path: &Path) -> std::io::Result<Spilled> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Spilled::default()),
        Err(e) => return Err(e),
    };
    let digest = hex::encode(sha2::Sha256::digest(&bytes));
    let mut events = Vec::new();
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice::<Line>(line) {
            Ok(l) => events.push(AuditEvent::from(l)),
            Err(e) => tracing::error!(error = %e, "audit spill: skipping an unreadable line"),
        }
    }
    Ok(Spilled { events, digest })
}
