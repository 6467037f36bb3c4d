//! "End this user's terminals" on every replica. Logout, a password change or a disabled
//! account adds a row to `terminal_revocations`; every server polls for rows newer than the
//! last it saw (`POLL_EVERY`) and stops that user's live sessions it holds. Rows older than
//! `KEEP_FOR` go.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{EndReason, SessionRegistry};
use crate::audit::to_micros;
use crate::db::entities::terminal_revocation::{self, Column};
use crate::models::AuditReason;

/// How often each server looks for new revocations: well inside the 5 s a user may wait.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// Rows read per poll at most; the rest come next time.
const MAX_PER_POLL: u64 = 500;
/// A revocation every replica has surely seen.
const KEEP_FOR: time::Duration = time::Duration::hours(1);

/// Publishes and applies revocations for one server.
#[derive(Clone)]
pub struct Revocations {
    db: DatabaseConnection,
    /// The newest revocation id this server has applied.
    seen: Arc<AtomicI64>,
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
        })
    }

    /// Asks every server to end `username`'s terminals with `reason`.
    pub async fn publish(&self, username: &str, reason: EndReason) -> Result<(), DbErr> {
        terminal_revocation::ActiveModel {
            username: Set(username.to_owned()),
            reason: Set(reason.reason().code().to_owned()),
            created_micros: Set(to_micros(crate::clock::now_utc())),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Applies revocations published since the last poll to the sessions `registry` holds;
    /// returns how many it read.
    pub async fn poll(&self, registry: &SessionRegistry) -> Result<usize, DbErr> {
        let seen = self.seen.load(Ordering::Acquire);
        let rows = terminal_revocation::Entity::find()
            .filter(Column::Id.gt(seen))
            .order_by_asc(Column::Id)
            .limit(MAX_PER_POLL)
            .all(&self.db)
            .await?;
        for row in &rows {
            let reason = EndReason::from_reason(&AuditReason::parse(&row.reason))
                .unwrap_or(EndReason::LoggedOut);
            registry.stop_user(&row.username, reason);
            self.seen.fetch_max(row.id, Ordering::AcqRel);
        }
        Ok(rows.len())
    }

    /// Deletes revocations older than `KEEP_FOR`.
    pub async fn clean(&self) -> Result<u64, DbErr> {
        let cutoff = to_micros(crate::clock::now_utc() - KEEP_FOR);
        Ok(terminal_revocation::Entity::delete_many()
            .filter(Column::CreatedMicros.lt(cutoff))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
