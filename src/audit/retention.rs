//! Retention: deletes entries older than AUDIT_RETENTION_DAYS and records AUDIT_PRUNED with
//! the hash of the newest deleted row, so the chain stays verifiable. The writer does both in
//! one transaction, so a crash can never leave deletes without their checkpoint (a false
//! tamper alarm), and the checkpoint row keeps the id sequence going even when every older
//! row goes: ids are never reused.

use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder};
use time::{Duration, OffsetDateTime};

use super::event::to_micros;
use super::{AuditError, AuditEvent, Auditor};
use crate::db::entities::audit_log::{self, Column};
use crate::models::{AuditAction, AuditOutcome};

/// Rows deleted per transaction at most, so the writer (and every login waiting on it) is
/// never held long by a large first prune. Each chunk gets its own checkpoint.
const CHUNK: i64 = 5000;

/// Prunes entries older than `days` (0 keeps everything). Returns how many were deleted.
pub async fn prune(auditor: &Auditor, days: u32, now: OffsetDateTime) -> Result<u64, AuditError> {
    if days == 0 {
        return Ok(0);
    }
    let cutoff = now - Duration::days(i64::from(days));
    let mut total = 0;
    loop {
        let deleted = auditor.prune(cutoff, days).await?;
        total += deleted;
        if deleted < CHUNK as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// Inside the writer's transaction: deletes the rows up to the newest one older than
/// `cutoff`, at most CHUNK of them, and returns the checkpoint event to append in the same transaction, or `None`.
pub(super) async fn delete_old(
    txn: &DatabaseTransaction,
    cutoff: OffsetDateTime,
    days: u32,
    key: Option<&super::seal::SealKey>,
) -> Result<Option<(u64, AuditEvent)>, DbErr> {
    // A prefix by id keeps the chain contiguous: up to the newest old row, at most CHUNK rows.
    let Some(oldest) = audit_log::Entity::find()
        .order_by_asc(Column::Id)
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(boundary) = audit_log::Entity::find()
        .filter(Column::TsMicros.lt(to_micros(cutoff)))
        .filter(Column::Id.lt(oldest.id + CHUNK))
        .order_by_desc(Column::Id)
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let deleted = audit_log::Entity::delete_many()
        .filter(Column::Id.lte(boundary.id))
        .exec(txn)
        .await?
        .rows_affected;
    let date = cutoff.date();
    let mut checkpoint = AuditEvent::new(
        "system",
        AuditAction::AuditPruned,
        format!("Pruned {deleted} entries older than {date} (retention {days} days)"),
    )
    .outcome(AuditOutcome::Success);
    // The key vouches for the boundary, so verification accepts a chain starting there and
    // no one without the key can cut the oldest rows and write a checkpoint of their own.
    checkpoint.seal = key.map(|k| k.seal(boundary.id, &boundary.hash));
    checkpoint.checkpoint = Some(boundary.hash);
    Ok(Some((deleted, checkpoint)))
}
