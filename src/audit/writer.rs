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
use super::chores::Chore;
use super::event::{AuditEvent, to_micros};
use super::text;
use crate::db::entities::audit_log;

/// Events per transaction at most; also bounds one INSERT's parameter count.
pub(super) const MAX_BATCH: usize = 500;
/// Lock key that serialises chain extension across replicas sharing one PostgreSQL.
const PG_CHAIN_LOCK: i64 = 0x0C10_D5E1_1A0D;

pub(super) enum Command {
    Event(AuditEvent, Option<oneshot::Sender<i64>>),
    /// Write everything queued before this, then answer.
    Flush(oneshot::Sender<()>),
    /// Housekeeping that extends the chain in a transaction of its own (retention, seals,
    /// spill replay), after everything queued before it is written.
    Chore(Chore),
}

/// Shared between the writer and every `Auditor` clone, for health reporting.
#[derive(Debug, Default)]
pub struct WriterStatus {
    pub(super) failing: AtomicBool,
    pub(super) written: AtomicU64,
    pub(super) pending: AtomicU64,
    /// Shutdown ran out of time: stop retrying and spill what is unwritten to the file.
    pub(super) spill_now: AtomicBool,
    pub(super) wake: tokio::sync::Notify,
}

pub(super) async fn run(
    db: DatabaseConnection,
    mut rx: mpsc::Receiver<Command>,
    status: Arc<WriterStatus>,
    key: Option<Arc<super::seal::SealKey>>,
    spill_to: Option<std::path::PathBuf>,
) {
    let mut tip: Option<(i64, String)> = None;
    let mut batch: Batch = Vec::with_capacity(MAX_BATCH);
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        let Some(first) = rx.recv().await else { break };
        if status.spill_now.load(Ordering::Acquire) {
            // Shutdown gave up on the database while this was waiting: spill, do not write.
            if let Command::Event(ev, ack) = first {
                batch.push((ev, ack));
            }
            spill(&mut batch, &mut rx, spill_to.as_deref(), &status);
            return;
        }
        let mut next = Some(first);
        let mut chore = None;
        while let Some(cmd) = next.take() {
            match cmd {
                Command::Event(ev, ack) => batch.push((ev, ack)),
                Command::Flush(done) => flushes.push(done),
                // Everything queued before it is written first.
                Command::Chore(c) => {
                    chore = Some(c);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !write_with_retry(&db, &mut batch, &mut tip, &status).await {
            spill(&mut batch, &mut rx, spill_to.as_deref(), &status);
            return;
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
        if let Some(chore) = chore {
            chore.run(&db, &mut tip, key.as_deref()).await;
        }
    }
    // Every sender is gone: the queue is empty and everything has been written.
}

type Batch = Vec<(AuditEvent, Option<oneshot::Sender<i64>>)>;

/// Shutdown could not wait any longer: everything unwritten (the batch and the queue) goes
/// to the spill file, which the next start replays. The writer then stops.
fn spill(
    batch: &mut Batch,
    rx: &mut mpsc::Receiver<Command>,
    to: Option<&std::path::Path>,
    status: &WriterStatus,
) {
    let mut events: Vec<AuditEvent> = batch.drain(..).map(|(ev, _)| ev).collect();
    // Closed first, so nothing sent after the drain can be left behind unnoticed: a later
    // `record` sees the writer stopped and says so.
    rx.close();
    while let Ok(cmd) = rx.try_recv() {
        if let Command::Event(ev, _) = cmd {
            events.push(ev);
        }
    }
    let Some(path) = to else {
        tracing::error!(
            lost = events.len(),
            "audit writer stopped with events unwritten and no spill file"
        );
        return;
    };
    match super::spill::write(path, &events) {
        Ok(()) => {
            status
                .pending
                .fetch_sub(events.len() as u64, Ordering::Relaxed);
            tracing::warn!(events = events.len(), file = %path.display(), "audit events spilled; the next start writes them into the log");
        }
        Err(e) => tracing::error!(error = %e, lost = events.len(), "audit spill failed"),
    }
}

/// Whether the database refused the data itself (a value it cannot store, a constraint), as
/// opposed to being unavailable, locked or broken: only then is the batch split and the
/// refused event tried in its safe form. PostgreSQL SQLSTATE classes 22 and 23; SQLite
/// TOOBIG (18) and CONSTRAINT (19), with their extended codes.
fn is_data_error(e: &DbErr) -> bool {
    let (DbErr::Exec(sea_orm::RuntimeErr::SqlxError(err))
    | DbErr::Query(sea_orm::RuntimeErr::SqlxError(err))) = e
    else {
        return false;
    };
    let Some(code) = err.as_database_error().and_then(|d| d.code()) else {
        return false;
    };
    if code.starts_with("22") || code.starts_with("23") {
        return true;
    }
    code.parse::<u32>()
        .is_ok_and(|n| matches!(n & 0xff, 18 | 19))
}

/// Writes `batch`, retrying while the database refuses. One event the database will never
/// take must not hold the others: on any other error the batch is written in halves, and a
/// single event that still fails is written once more in its safe form (escaped, bounded,
/// marked). Only if that fails too is it the database's fault, and the writer waits.
/// Returns `false` when shutdown asked it to give up and spill instead.
async fn write_with_retry(
    db: &DatabaseConnection,
    batch: &mut Batch,
    tip: &mut Option<(i64, String)>,
    status: &WriterStatus,
) -> bool {
    if batch.is_empty() {
        return true;
    }
    let mut delay = Duration::from_millis(50);
    // The original of an event tried in its safe form, put back if that fails too.
    let mut original: Option<AuditEvent> = None;
    let mut safe_form_tried = false;
    // The tip this batch would have made, while it is unknown whether its commit landed.
    let mut unconfirmed: Option<(i64, String)> = None;
    loop {
        let attempt = write_batch(db, batch, tip, unconfirmed.take()).await;
        let e = match attempt {
            Ok(ids) => Ok(ids),
            Err(WriteError::Failed(e)) => Err(e),
            Err(WriteError::CommitUnknown(e, expected)) => {
                unconfirmed = Some(expected);
                Err(e)
            }
        };
        match e {
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
                return true;
            }
            Err(e) => {
                // The chain tip may be stale after a failed transaction: re-read it next time.
                *tip = None;
                if unconfirmed.is_none() && is_data_error(&e) && batch.len() > 1 {
                    let mut second = batch.split_off(batch.len() / 2);
                    let first_written = Box::pin(write_with_retry(db, batch, tip, status)).await;
                    if !first_written {
                        batch.append(&mut second);
                        return false;
                    }
                    let second_written =
                        Box::pin(write_with_retry(db, &mut second, tip, status)).await;
                    batch.append(&mut second);
                    return second_written;
                }
                if unconfirmed.is_none() && is_data_error(&e) && !safe_form_tried {
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
                if status.spill_now.load(Ordering::Acquire) {
                    return false;
                }
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = status.wake.notified() => {}
                }
                if status.spill_now.load(Ordering::Acquire) {
                    return false;
                }
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

/// A transaction in which the chain may be extended (on PostgreSQL, under the chain lock).
pub(super) async fn begin_chain(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_CHAIN_LOCK})"))
            .await?;
    }
    Ok(txn)
}

/// The chain's tip: the cached one on SQLite (one process writes the file), read under the
/// lock on PostgreSQL (replicas share it) or when nothing is cached.
pub(super) async fn current_tip(
    txn: &sea_orm::DatabaseTransaction,
    db: &DatabaseConnection,
    tip: &Option<(i64, String)>,
) -> Result<(i64, String), DbErr> {
    match tip.clone() {
        Some(t) if db.get_database_backend() != DatabaseBackend::Postgres => Ok(t),
        _ => read_tip(txn).await,
    }
}

async fn read_tip(conn: &impl ConnectionTrait) -> Result<(i64, String), DbErr> {
    Ok(audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .one(conn)
        .await?
        .map(|r| (r.id, r.hash))
        .unwrap_or((0, GENESIS.to_owned())))
}

/// Appends `events` after `from` in `txn`; returns the new tip.
pub(super) async fn append(
    txn: &sea_orm::DatabaseTransaction,
    from: (i64, String),
    events: &[&AuditEvent],
) -> Result<(i64, String), DbErr> {
    let (mut id, mut prev) = from;
    let mut rows = Vec::with_capacity(events.len());
    for ev in events {
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
            reason: ev.reason.as_ref().map(|r| r.code().to_owned()),
            checkpoint: ev.checkpoint.clone(),
            seal: ev.seal.clone(),
        };
        row.hash = row_hash(&row);
        prev = row.hash.clone();
        rows.push(audit_log::ActiveModel::from(row));
    }
    audit_log::Entity::insert_many(rows).exec(txn).await?;
    Ok((id, prev))
}

/// Why a batch was not written. After a failed commit nobody knows whether it landed.
enum WriteError {
    Failed(DbErr),
    CommitUnknown(DbErr, (i64, String)),
}

/// Writes the batch in one transaction. `unconfirmed` is the tip an earlier attempt's commit
/// would have made: if that row is there (looked up under the chain lock, so a commit still
/// in flight has finished), the batch landed and is not inserted again.
async fn write_batch(
    db: &DatabaseConnection,
    batch: &Batch,
    tip: &mut Option<(i64, String)>,
    unconfirmed: Option<(i64, String)>,
) -> Result<Vec<i64>, WriteError> {
    let keep = |e: DbErr| match &unconfirmed {
        Some(expected) => WriteError::CommitUnknown(e, expected.clone()),
        None => WriteError::Failed(e),
    };
    let txn = begin_chain(db).await.map_err(keep)?;
    if let Some(expected) = &unconfirmed {
        let landed = audit_log::Entity::find_by_id(expected.0)
            .one(&txn)
            .await
            .map_err(keep)?
            .is_some_and(|row| row.hash == expected.1);
        if landed {
            txn.rollback().await.map_err(keep)?;
            *tip = Some(expected.clone());
            return Ok(((expected.0 - batch.len() as i64 + 1)..=expected.0).collect());
        }
    }
    let from = current_tip(&txn, db, tip)
        .await
        .map_err(WriteError::Failed)?;
    let events: Vec<&AuditEvent> = batch.iter().map(|(ev, _)| ev).collect();
    let (id, hash) = append(&txn, from, &events)
        .await
        .map_err(WriteError::Failed)?;
    if let Err(e) = txn.commit().await {
        return Err(WriteError::CommitUnknown(e, (id, hash)));
    }
    let ids: Vec<i64> = ((id - batch.len() as i64 + 1)..=id).collect();
    *tip = Some((id, hash));
    Ok(ids)
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
