//! What survives a crash: the heartbeat persists each live session's liveness, byte counters
//! and last activity; `reap` ends sessions whose server died, with what the heartbeat kept.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, TransactionTrait};

use super::liveness::db_now;
use super::registry::{SessionRegistry, duration_text, ended_detail};
use super::{EndReason, SessionKind};
use crate::audit::AuditEvent;
use crate::db::entities::terminal_session;

/// Which open sessions `reap` takes to be dead.
#[derive(Debug, Clone, Copy)]
pub enum Orphans {
    /// Every one: only this process uses the database (SQLite).
    All,
    /// Those whose owner stopped sending heartbeats this long ago.
    Stale(Duration),
    /// The previous run's own (by its node id, when that run is known to be gone), and
    /// stale ones (PostgreSQL, at startup).
    OwnOrStale(Duration),
}

impl SessionRegistry {
    /// Marks this process's sessions as alive, with their byte counters and last activity,
    /// so a crash-recovered end knows them; run every HEARTBEAT.
    pub async fn heartbeat(&self) -> Result<(), DbErr> {
        let sessions = self.snapshot();
        if sessions.is_empty() {
            return Ok(());
        }
        let now = db_now(&self.db).await?;
        // One transaction: a few thousand small updates, committed (or not) together.
        let txn = self.db.begin().await?;
        for session in sessions {
            let counter =
                |c: &AtomicU64| i64::try_from(c.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
            terminal_session::Entity::update_many()
                .col_expr(terminal_session::Column::HeartbeatAt, Expr::value(now))
                .col_expr(
                    terminal_session::Column::BytesIn,
                    Expr::value(counter(&session.bytes_in)),
                )
                .col_expr(
                    terminal_session::Column::BytesOut,
                    Expr::value(counter(&session.bytes_out)),
                )
                .col_expr(
                    terminal_session::Column::LastActivityAt,
                    Expr::value(Some(session.last_activity())),
                )
                .filter(terminal_session::Column::Id.eq(session.id.clone()))
                .filter(terminal_session::Column::EndedAt.is_null())
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Ends sessions left open by a process that died (never those held here) and returns
    /// how many it ended.
    pub async fn reap(&self, orphans: Orphans) -> Result<usize, DbErr> {
        let open = terminal_session::Column::EndedAt.is_null();
        let db_time = db_now(&self.db).await?;
        let stale = |after: Duration| terminal_session::Column::HeartbeatAt.lt(db_time - after);
        let query = terminal_session::Entity::find().filter(open);
        let query = match orphans {
            Orphans::All => query,
            Orphans::Stale(after) => query.filter(stale(after)),
            Orphans::OwnOrStale(after) => match &self.previous_node_id {
                Some(previous) => query.filter(
                    sea_orm::Condition::any()
                        .add(terminal_session::Column::NodeId.eq(previous.to_string()))
                        .add(stale(after)),
                ),
                None => query.filter(stale(after)),
            },
        };
        let held: Vec<String> = self.snapshot().iter().map(|s| s.id.clone()).collect();
        let mut ended = 0;
        for row in query.all(&self.db).await? {
            if held.contains(&row.id) {
                continue;
            }
            let now = crate::clock::now_utc();
            // Only the replica that wins this update records the end.
            let won = terminal_session::Entity::update_many()
                .col_expr(terminal_session::Column::EndedAt, Expr::value(Some(now)))
                .col_expr(
                    terminal_session::Column::EndReason,
                    Expr::value(Some(EndReason::ServerRestart.reason().code().to_owned())),
                )
                .filter(terminal_session::Column::Id.eq(row.id.clone()))
                .filter(terminal_session::Column::EndedAt.is_null())
                .exec(&self.db)
                .await?
                .rows_affected
                == 1;
            if !won {
                continue;
            }
            let secs = (row.heartbeat_at - row.started_at).whole_seconds().max(0) as u64;
            let last_activity = row
                .last_activity_at
                .and_then(|t| {
                    t.format(time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
                    ))
                    .ok()
                })
                .map(|t| format!("; last activity {t}"))
                .unwrap_or_default();
            let mut event = AuditEvent::new(
                row.username.clone(),
                SessionKind::parse(&row.kind).ended_action(),
                format!(
                    "{}; at least {} bytes in, {} bytes out{last_activity} (as of the last heartbeat)",
                    ended_detail(
                        SessionKind::parse(&row.kind),
                        &row.device_name,
                        &row.endpoint,
                        EndReason::ServerRestart,
                        &format!("at least {}", duration_text(secs)),
                    ),
                    row.bytes_in,
                    row.bytes_out,
                ),
            )
            .reason(EndReason::ServerRestart.reason())
            .device(row.device_id)
            .session(row.id.clone());
            if let Ok(ip) = row.client_ip.parse() {
                event = event.ip(ip);
            }
            self.auditor
                .record_durable(event)
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            ended += 1;
        }
        Ok(ended)
    }
}
