//! The single audit writer: batches events into one transaction each, extends the hash chain,
//! and retries on database errors instead of dropping anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, QueryOrder,
    TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::chain::{GENESIS, row_hash};
use super::event::{AuditEvent, to_micros};
use super::text;
use crate::db::entities::audit_log;

/// Events per transaction at most; also bounds one INSERT's parameter count.
const MAX_BATCH: usize = 500;
/// Lock key that serialises chain extension across replicas sharing one PostgreSQL.
const PG_CHAIN_LOCK: i64 = 0x0C10_D5E1_1A0D;

pub(super) enum Command {
    Event(AuditEvent, Option<oneshot::Sender<i64>>),
    /// Write everything queued before this, then answer.
    Flush(oneshot::Sender<()>),
}

/// Shared between the writer and every `Auditor` clone, for health reporting.
#[derive(Debug, Default)]
pub struct WriterStatus {
    pub(super) failing: AtomicBool,
    pub(super) written: AtomicU64,
    pub(super) pending: AtomicU64,
}

pub(super) async fn run(
    db: DatabaseConnection,
    mut rx: mpsc::Receiver<Command>,
    status: Arc<WriterStatus>,
) {
    let mut tip: Option<(i64, String)> = None;
    let mut batch: Batch = Vec::with_capacity(MAX_BATCH);
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        let Some(first) = rx.recv().await else { break };
        let mut next = Some(first);
        while let Some(cmd) = next.take() {
            match cmd {
                Command::Event(ev, ack) => batch.push((ev, ack)),
                Command::Flush(done) => flushes.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        write_with_retry(&db, &mut batch, &mut tip, &status).await;
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
    // Every sender is gone: the queue is empty and everything has been written.
}

type Batch = Vec<(AuditEvent, Option<oneshot::Sender<i64>>)>;

/// A failure that may pass by itself (the connection), as opposed to one this batch causes.
fn is_transient(e: &DbErr) -> bool {
    matches!(e, DbErr::Conn(_) | DbErr::ConnectionAcquire(_))
}

/// Writes `batch`, retrying while the database refuses. One event the database will never
/// take must not hold the others: on any other error the batch is written in halves, and a
/// single event that still fails is written once more in its safe form (escaped, bounded,
/// marked). Only if that fails too is it the database's fault, and the writer waits.
async fn write_with_retry(
    db: &DatabaseConnection,
    batch: &mut Batch,
    tip: &mut Option<(i64, String)>,
    status: &WriterStatus,
) {
    if batch.is_empty() {
        return;
    }
    let mut delay = Duration::from_millis(50);
    // The original of an event tried in its safe form, put back if that fails too.
    let mut original: Option<AuditEvent> = None;
    let mut safe_form_tried = false;
    loop {
        match write_batch(db, batch, tip).await {
            Ok(ids) => {
                status.failing.store(false, Ordering::Relaxed);
                status
                    .written
                    .fetch_add(ids.len() as u64, Ordering::Relaxed);
                status
                    .pending
                    .fetch_sub(ids.len() as u64, Ordering::Relaxed);
                for ((_, ack), id) in batch.drain(..).zip(ids) {
                    if let Some(ack) = ack {
                        let _ = ack.send(id);
                    }
                }
                return;
            }
            Err(e) => {
                // The chain tip may be stale after a failed transaction: re-read it next time.
                *tip = None;
                if !is_transient(&e) && batch.len() > 1 {
                    let mut second = batch.split_off(batch.len() / 2);
                    Box::pin(write_with_retry(db, batch, tip, status)).await;
                    Box::pin(write_with_retry(db, &mut second, tip, status)).await;
                    return;
                }
                if !is_transient(&e) && !safe_form_tried {
                    safe_form_tried = true;
                    if let Some((ev, _)) = batch.first_mut() {
                        tracing::error!(error = %e, action = ev.action.as_str(), "audit event refused by the database; trying its safe form");
                        original = Some(ev.clone());
                        store_in_safe_form(ev);
                    }
                    continue;
                }
                // The safe form failed as well: the database is the problem, not the event.
                if let (Some(orig), Some((ev, _))) = (original.take(), batch.first_mut()) {
                    *ev = orig;
                }
                if !status.failing.swap(true, Ordering::Relaxed) {
                    tracing::error!(error = %e, pending = batch.len(), "audit write failed; retrying");
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// The event as plain ASCII, bounded, and marked as such in its detail.
fn store_in_safe_form(ev: &mut AuditEvent) {
    let ascii = |s: &str, max: usize| -> String {
        s.chars().flat_map(char::escape_default).take(max).collect()
    };
    ev.username = ascii(&ev.username, text::MAX_USERNAME);
    ev.detail = format!(
        "[stored in safe form: the database refused the original] {}",
        ascii(&ev.detail, text::MAX_DETAIL)
    );
    ev.session_id = ev.session_id.as_deref().map(|s| ascii(s, 36));
}

async fn write_batch(
    db: &DatabaseConnection,
    batch: &Batch,
    tip: &mut Option<(i64, String)>,
) -> Result<Vec<i64>, DbErr> {
    let txn = db.begin().await?;
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    if postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_CHAIN_LOCK})"))
            .await?;
    }
    // One process writes a SQLite file, so the cached tip stays right; replicas on PostgreSQL
    // must read it under the lock every time.
    let (mut id, mut prev) = match tip.clone() {
        Some(t) if !postgres => t,
        _ => audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .one(&txn)
            .await?
            .map(|r| (r.id, r.hash))
            .unwrap_or((0, GENESIS.to_owned())),
    };
    let mut rows = Vec::with_capacity(batch.len());
    for (ev, _) in batch {
        id += 1;
        let mut row = audit_log::Model {
            id,
            ts_micros: to_micros(ev.ts),
            username: text::safe(&ev.username, text::MAX_USERNAME).into_owned(),
            action: ev.action.as_str().to_owned(),
            source_ip: ev.source_ip.map(|ip| ip.to_string()),
            detail: text::safe(&ev.detail, text::MAX_DETAIL).into_owned(),
            device_id: ev.device_id,
            session_id: ev.session_id.clone(),
            outcome: ev.outcome.map(|o| o.as_str().to_owned()),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        row.hash = row_hash(&row);
        prev = row.hash.clone();
        rows.push(audit_log::ActiveModel::from(row));
    }
    let ids: Vec<i64> = ((id - batch.len() as i64 + 1)..=id).collect();
    audit_log::Entity::insert_many(rows).exec(&txn).await?;
    txn.commit().await?;
    *tip = Some((id, prev));
    Ok(ids)
}
