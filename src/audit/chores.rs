//! The writer's housekeeping, each in one transaction under the chain lock: retention's
//! deletes with their checkpoint, seals over the head, and the replay of a spill file.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::oneshot;

use super::event::AuditEvent;
use super::seal::SealKey;
use super::writer::{append, begin_chain, current_tip};
use crate::db::entities::audit_log::{self, Column};
use crate::models::{AuditAction, AuditOutcome};

/// A seal the writer appended (or found already at the head): the sealed head, and the
/// seal row itself, which becomes the anchor kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealRecord {
    pub head_id: i64,
    pub head_hash: String,
    pub seal: String,
    pub seal_id: i64,
    pub seal_hash: String,
}

pub(super) enum Chore {
    /// Deletes what is older than the cutoff and appends the checkpoint; answers how many
    /// rows went.
    Prune {
        cutoff: time::OffsetDateTime,
        days: u32,
        done: oneshot::Sender<Result<u64, DbErr>>,
    },
    /// Appends an AUDIT_SEAL over the head, unless the head is a seal already.
    Seal {
        done: oneshot::Sender<Result<Option<SealRecord>, DbErr>>,
    },
    /// Writes spilled events and a marker naming the file's digest, once: a replay cut short
    /// after its commit is not written again. Answers whether it wrote them now.
    Replay {
        events: Vec<AuditEvent>,
        digest: String,
        done: oneshot::Sender<Result<bool, DbErr>>,
    },
}

impl Chore {
    pub(super) async fn run(
        self,
        db: &DatabaseConnection,
        tip: &mut Option<(i64, String)>,
        key: Option<&SealKey>,
    ) {
        match self {
            Chore::Prune { cutoff, days, done } => {
                let result = prune(db, tip, cutoff, days, key).await;
                let _ = done.send(forget_tip_on_error(tip, result));
            }
            Chore::Seal { done } => {
                let result = match key {
                    Some(key) => seal(db, tip, key).await,
                    None => Err(DbErr::Custom("this audit writer has no seal key".into())),
                };
                let _ = done.send(forget_tip_on_error(tip, result));
            }
            Chore::Replay {
                events,
                digest,
                done,
            } => {
                let result = replay(db, tip, &events, digest).await;
                let _ = done.send(forget_tip_on_error(tip, result));
            }
        }
    }
}

/// After a failed chore the cached tip may be stale: it is re-read next time.
fn forget_tip_on_error<T>(
    tip: &mut Option<(i64, String)>,
    result: Result<T, DbErr>,
) -> Result<T, DbErr> {
    if result.is_err() {
        *tip = None;
    }
    result
}

/// Test hook: a debug build stops dead (no unwinding, no flush) at the named point when
/// `CLOUDSHELL_FAILPOINT` names it, as a power cut or kill -9 would. Release builds omit it.
fn failpoint(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("CLOUDSHELL_FAILPOINT").is_ok_and(|v| v == name) {
        tracing::warn!(failpoint = name, "failpoint reached; aborting");
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

async fn prune(
    db: &DatabaseConnection,
    tip: &mut Option<(i64, String)>,
    cutoff: time::OffsetDateTime,
    days: u32,
    key: Option<&SealKey>,
) -> Result<u64, DbErr> {
    let txn = begin_chain(db).await?;
    // The tip before any delete: the checkpoint links to it, so ids go on from it even when
    // every row is pruned.
    let from = current_tip(&txn, db, tip).await?;
    let Some((deleted, checkpoint)) = super::retention::delete_old(&txn, cutoff, days, key).await?
    else {
        txn.rollback().await?;
        return Ok(0);
    };
    failpoint("prune-after-delete");
    let (id, hash) = append(&txn, from, &[&checkpoint]).await?;
    failpoint("prune-before-commit");
    txn.commit().await?;
    *tip = Some((id, hash));
    Ok(deleted)
}

async fn seal(
    db: &DatabaseConnection,
    tip: &mut Option<(i64, String)>,
    key: &SealKey,
) -> Result<Option<SealRecord>, DbErr> {
    let txn = begin_chain(db).await?;
    let Some(head) = audit_log::Entity::find()
        .order_by_desc(Column::Id)
        .one(&txn)
        .await?
    else {
        // Nothing to seal yet.
        txn.rollback().await?;
        return Ok(None);
    };
    if head.action == AuditAction::AuditSeal.as_str()
        && let Some(seal) = head.seal
    {
        // Nothing new since the last seal: it stands.
        txn.rollback().await?;
        return Ok(Some(SealRecord {
            head_id: head.id - 1,
            head_hash: head.prev_hash,
            seal,
            seal_id: head.id,
            seal_hash: head.hash,
        }));
    }
    let mac = key.seal(head.id, &head.hash);
    let mut event = AuditEvent::new(
        "system",
        AuditAction::AuditSeal,
        format!("Sealed the log at entry {}", head.id),
    )
    .outcome(AuditOutcome::Success);
    event.seal = Some(mac.clone());
    let (id, hash) = append(&txn, (head.id, head.hash.clone()), &[&event]).await?;
    txn.commit().await?;
    *tip = Some((id, hash.clone()));
    Ok(Some(SealRecord {
        head_id: head.id,
        head_hash: head.hash,
        seal: mac,
        seal_id: id,
        seal_hash: hash,
    }))
}

async fn replay(
    db: &DatabaseConnection,
    tip: &mut Option<(i64, String)>,
    events: &[AuditEvent],
    digest: String,
) -> Result<bool, DbErr> {
    let txn = begin_chain(db).await?;
    let done_before = audit_log::Entity::find()
        .filter(Column::Action.eq(AuditAction::AuditSpillReplayed.as_str()))
        .filter(Column::Checkpoint.eq(digest.clone()))
        .one(&txn)
        .await?
        .is_some();
    if done_before {
        txn.rollback().await?;
        return Ok(false);
    }
    let mut marker = AuditEvent::new(
        "system",
        AuditAction::AuditSpillReplayed,
        format!(
            "Wrote {} events that the previous run spilled at shutdown",
            events.len()
        ),
    )
    .outcome(AuditOutcome::Success);
    marker.checkpoint = Some(digest);
    let mut from = current_tip(&txn, db, tip).await?;
    // Bounded statements; the transaction holds them all, so the replay lands whole or not.
    for chunk in events.chunks(super::writer::MAX_BATCH) {
        let refs: Vec<&AuditEvent> = chunk.iter().collect();
        from = append(&txn, from, &refs).await?;
    }
    from = append(&txn, from, &[&marker]).await?;
    failpoint("replay-before-commit");
    txn.commit().await?;
    failpoint("replay-after-commit");
    *tip = Some(from);
    Ok(true)
}
