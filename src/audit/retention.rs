//! Retention: deletes entries older than AUDIT_RETENTION_DAYS in small batches, then records
//! AUDIT_PRUNED with the hash of the newest deleted row, so the chain stays verifiable.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use time::{Duration, OffsetDateTime};

use super::event::to_micros;
use super::{AuditError, AuditEvent, Auditor};
use crate::db::entities::audit_log::{self, Column};
use crate::models::{AuditAction, AuditOutcome};

/// Rows per DELETE, so the audit writer never waits long for the write lock.
const BATCH: i64 = 5000;

/// Prunes entries older than `days` (0 keeps everything). Returns how many were deleted.
pub async fn prune(
    db: &DatabaseConnection,
    auditor: &Auditor,
    days: u32,
    now: OffsetDateTime,
) -> Result<u64, AuditError> {
    if days == 0 {
        return Ok(0);
    }
    let cutoff = now - Duration::days(i64::from(days));
    // Everything up to the newest old row goes: a prefix by id keeps the chain contiguous.
    let Some(boundary) = audit_log::Entity::find()
        .filter(Column::TsMicros.lt(to_micros(cutoff)))
        .order_by_desc(Column::Id)
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    let Some(oldest) = audit_log::Entity::find()
        .order_by_asc(Column::Id)
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    let mut deleted = 0u64;
    let mut lo = oldest.id;
    while lo <= boundary.id {
        let hi = (lo + BATCH - 1).min(boundary.id);
        deleted += audit_log::Entity::delete_many()
            .filter(Column::Id.between(lo, hi))
            .exec(db)
            .await?
            .rows_affected;
        lo = hi + 1;
        tokio::task::yield_now().await;
    }
    let date = cutoff.date();
    auditor
        .record_durable(
            AuditEvent::new(
                "system",
                AuditAction::AuditPruned,
                format!(
                    "Pruned {deleted} entries older than {date} (retention {days} days); chain checkpoint {}",
                    boundary.hash
                ),
            )
            .outcome(AuditOutcome::Success),
        )
        .await?;
    Ok(deleted)
}
