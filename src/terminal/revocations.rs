//! "End this user's terminals" on every replica. Logout, a password change or a disabled
//! account adds a row to `terminal_revocations`; every server polls for rows newer than the
//! last it saw (`POLL_EVERY`) and stops that user's live sessions it holds. Rows older than
//! `KEEP_FOR` go.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::liveness::db_now;
use super::{EndReason, SessionRegistry};
use crate::audit::{from_micros, to_micros};
use crate::db::entities::terminal_revocation::{self, Column};
use crate::models::AuditReason;

/// How often each server looks for new revocations: well inside the 5 s a user may wait.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// Rows read per poll at most; the rest come next time.
const MAX_PER_POLL: u64 = 500;
/// A revocation every replica has surely seen.
const KEEP_FOR: time::Duration = time::Duration::hours(1);

/// A revocation written this long ago may still become visible: PostgreSQL can show a
/// higher id before a lower one commits. Each poll looks this far back for stragglers.
const STRAGGLER_WINDOW: time::Duration = time::Duration::seconds(15);

/// Publishes and applies revocations for one server.
#[derive(Clone)]
pub struct Revocations {
    db: DatabaseConnection,
    /// The newest revocation id this server has applied.
    seen: Arc<AtomicI64>,
    /// Ids applied within the straggler window (id → created), so none is applied twice.
    applied: Arc<Mutex<HashMap<i64, i64>>>,
}

impl Revocations {
    /// Starts after the newest existing revocation: older ones ended sessions of earlier runs.
    pub async fn start(db: DatabaseConnection) -> Result<Self, DbErr> {
        let newest = terminal_revocation::Entity::find()
            .order_by_desc(Column::Id)
            .one(&db)
            .await?
            .map_or(0, |r| r.id);
        Ok(Self {
            db,
            seen: Arc::new(AtomicI64::new(newest)),
            applied: Arc::default(),
        })
    }

    /// Asks every server to end `username`'s terminals with `reason`: those started before
    /// now, by the database's clock. Tried three times; the caller logs a final failure.
    pub async fn publish(&self, username: &str, reason: EndReason) -> Result<(), DbErr> {
        let mut attempt = 0;
        loop {
            let result = async {
                let now = db_now(&self.db).await?;
                terminal_revocation::ActiveModel {
                    username: Set(username.to_owned()),
                    reason: Set(reason.reason().code().to_owned()),
                    created_micros: Set(to_micros(now)),
                    ..Default::default()
                }
                .insert(&self.db)
                .await
                .map(|_| ())
            }
            .await;
            attempt += 1;
            match result {
                Ok(()) => return Ok(()),
                Err(e) if attempt >= 3 => return Err(e),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
    }

    /// Applies revocations published since the last poll (and stragglers that became visible
    /// late) to the sessions `registry` holds; returns how many it applied.
    pub async fn poll(&self, registry: &SessionRegistry) -> Result<usize, DbErr> {
        let seen = self.seen.load(Ordering::Acquire);
        let window_start = to_micros(db_now(&self.db).await? - STRAGGLER_WINDOW);
        let mut rows = terminal_revocation::Entity::find()
            .filter(Column::Id.gt(seen))
            .order_by_asc(Column::Id)
            .limit(MAX_PER_POLL)
            .all(&self.db)
            .await?;
        rows.extend(
            terminal_revocation::Entity::find()
                .filter(Column::Id.lte(seen))
                .filter(Column::CreatedMicros.gte(window_start))
                .order_by_asc(Column::Id)
                .limit(MAX_PER_POLL)
                .all(&self.db)
                .await?,
        );
        let fresh: Vec<_> = {
            let Ok(mut applied) = self.applied.lock() else {
                return Ok(0);
            };
            applied.retain(|_, created| *created >= window_start);
            rows.into_iter()
                .filter(|r| applied.insert(r.id, r.created_micros).is_none())
                .collect()
        };
        for row in &fresh {
            let reason = EndReason::from_reason(&AuditReason::parse(&row.reason))
                .unwrap_or(EndReason::LoggedOut);
            registry.stop_user_started_before(
                &row.username,
                reason,
                from_micros(row.created_micros),
            );
            self.seen.fetch_max(row.id, Ordering::AcqRel);
        }
        Ok(fresh.len())
    }

    /// Deletes revocations older than `KEEP_FOR`, by the database's clock.
    pub async fn clean(&self) -> Result<u64, DbErr> {
        let cutoff = to_micros(db_now(&self.db).await? - KEEP_FOR);
        Ok(terminal_revocation::Entity::delete_many()
            .filter(Column::CreatedMicros.lt(cutoff))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
