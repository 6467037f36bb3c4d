//! Chain verification: recomputes every hash, oldest first, and names the first broken id.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::AuditError;
use super::chain::{GENESIS, checkpoint_in, row_hash};
use crate::db::entities::audit_log::{self, Column};
use crate::models::{AuditAction, VerifyReport};

const CHUNK: u64 = 2000;

pub async fn verify(db: &DatabaseConnection) -> Result<VerifyReport, AuditError> {
    // After pruning, the oldest row links to a checkpoint recorded by an AUDIT_PRUNED event.
    let checkpoints: Vec<String> = audit_log::Entity::find()
        .filter(Column::Action.eq(AuditAction::AuditPruned.as_str()))
        .all(db)
        .await?
        .iter()
        .filter_map(|r| checkpoint_in(&r.detail).map(str::to_owned))
        .collect();

    let mut prev: Option<(i64, String)> = None;
    let mut checked = 0u64;
    loop {
        let mut q = audit_log::Entity::find()
            .order_by_asc(Column::Id)
            .limit(CHUNK);
        if let Some((id, _)) = &prev {
            q = q.filter(Column::Id.gt(*id));
        }
        let rows = q.all(db).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let linked = match &prev {
                Some((prev_id, prev_hash)) => row.id == prev_id + 1 && &row.prev_hash == prev_hash,
                None => row.prev_hash == GENESIS || checkpoints.contains(&row.prev_hash),
            };
            if !linked || row_hash(&row) != row.hash {
                return Ok(VerifyReport {
                    intact: false,
                    checked,
                    first_broken_id: Some(row.id),
                });
            }
            checked += 1;
            prev = Some((row.id, row.hash));
        }
    }
    Ok(VerifyReport {
        intact: true,
        checked,
        first_broken_id: None,
    })
}
