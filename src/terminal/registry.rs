use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};
use tokio::sync::{Notify, watch};

use super::liveness::db_now;
use super::{EndReason, SessionKind};
use crate::audit::{Actor, AuditEvent, Auditor};
use crate::db::entities::terminal_session;
use crate::models::DeviceView;
use crate::ssh::host_keys::endpoint;

/// Tells a session's task to end, and why.
pub type StopSignal = watch::Receiver<Option<EndReason>>;

/// One open terminal. The WebSocket task owns the connection; this is the shared record.
pub struct LiveSession {
    pub id: String,
    pub kind: SessionKind,
    pub username: String,
    pub device_id: i64,
    pub device_name: String,
    pub endpoint: String,
    pub client_ip: IpAddr,
    started: Instant,
    /// When it started by the database's clock (revocations compare with it).
    started_db: time::OffsetDateTime,
    /// Bytes from the browser to the device, and from the device to the browser.
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    /// The web session it was opened from: the terminal lives no longer than it.
    pub web_session_id: i64,
    /// Input arrived since the last web-session check (it counts as activity).
    typed: AtomicBool,
    /// Milliseconds after `started` of the last byte either way.
    last_activity_ms: AtomicU64,
    /// When it started, by this server's clock (for the persisted last activity).
    started_at: time::OffsetDateTime,
    ended: AtomicBool,
    stop: watch::Sender<Option<EndReason>>,
}

impl LiveSession {
    pub fn add_in(&self, n: usize) {
        self.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
        self.typed.store(true, Ordering::Relaxed);
        self.touch();
    }

    pub fn add_out(&self, n: usize) {
        self.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
        self.touch();
    }

    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity_ms.store(ms, Ordering::Relaxed);
    }

    /// Asks the session's task to end with `reason`, unless it is already ending (then the
    /// earlier reason stands). Returns whether this call asked.
    pub fn stop_with(&self, reason: EndReason) -> bool {
        self.stop.send_if_modified(|current| {
            let fresh = current.is_none();
            if fresh {
                *current = Some(reason);
            }
            fresh
        })
    }

    pub(super) fn last_activity(&self) -> time::OffsetDateTime {
        let ms = self.last_activity_ms.load(Ordering::Relaxed);
        self.started_at + time::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

#[derive(Clone)]
pub struct SessionRegistry {
    pub(super) db: DatabaseConnection,
    pub(super) auditor: Auditor,
    pub(super) node_id: Arc<str>,
    /// The node id of this server's previous run, whose open sessions died with it.
    pub(super) previous_node_id: Option<Arc<str>>,
    live: Arc<Mutex<HashMap<String, Arc<LiveSession>>>>,
    /// Signalled when the last live session ends (shutdown waits on it).
    emptied: Arc<Notify>,
}

/// 128 random bits in hex: session ids and node ids.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl SessionRegistry {
    /// `node_id` is new for each process start. `previous_node_id` is the previous run's,
    /// given only when that run is known to be gone (see the server's `node` module), so a
    /// restart ends its own dead sessions at once instead of waiting for them to go stale.
    pub fn new(
        db: DatabaseConnection,
        auditor: Auditor,
        node_id: &str,
        previous_node_id: Option<&str>,
    ) -> Self {
        Self {
            db,
            auditor,
            node_id: node_id.into(),
            previous_node_id: previous_node_id.map(Into::into),
            live: Arc::default(),
            emptied: Arc::default(),
        }
    }

    pub(super) fn snapshot(&self) -> Vec<Arc<LiveSession>> {
        self.live
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// How many sessions this process holds open.
    pub fn count(&self) -> usize {
        self.live.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Records a started terminal (row, then a durable SESSION_STARTED) and registers it.
    pub async fn start(
        &self,
        actor: &Actor,
        web_session_id: i64,
        device: &DeviceView,
    ) -> Result<(Arc<LiveSession>, StopSignal), DbErr> {
        self.start_kind(actor, web_session_id, device, SessionKind::Terminal)
            .await
    }

    /// Records a started session of `kind` and registers it.
    pub async fn start_kind(
        &self,
        actor: &Actor,
        web_session_id: i64,
        device: &DeviceView,
        kind: SessionKind,
    ) -> Result<(Arc<LiveSession>, StopSignal), DbErr> {
        let id = random_id();
        let place = endpoint(&device.host, device.port);
        let now = crate::clock::now_utc();
        let beat = db_now(&self.db).await?;
        terminal_session::ActiveModel {
            id: Set(id.clone()),
            username: Set(actor.username.clone()),
            device_id: Set(device.id),
            device_name: Set(device.name.clone()),
            endpoint: Set(place.clone()),
            client_ip: Set(actor.ip.to_string()),
            started_at: Set(now),
            ended_at: Set(None),
            end_reason: Set(None),
            node_id: Set(self.node_id.to_string()),
            heartbeat_at: Set(beat),
            bytes_in: Set(0),
            bytes_out: Set(0),
            last_activity_at: Set(Some(now)),
            kind: Set(kind.code().to_owned()),
        }
        .insert(&self.db)
        .await?;
        let (stop, stop_rx) = watch::channel(None);
        let session = Arc::new(LiveSession {
            id: id.clone(),
            kind,
            username: actor.username.clone(),
            device_id: device.id,
            device_name: device.name.clone(),
            endpoint: place.clone(),
            client_ip: actor.ip,
            started: Instant::now(),
            started_db: beat,
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            web_session_id,
            typed: AtomicBool::new(false),
            last_activity_ms: AtomicU64::new(0),
            started_at: now,
            ended: AtomicBool::new(false),
            stop,
        });
        if let Ok(mut live) = self.live.lock() {
            live.insert(id.clone(), session.clone());
        }
        let event = actor
            .event(
                kind.started_action(),
                format!("Started {} with {} ({place})", kind.noun(), device.name),
            )
            .device(device.id)
            .session(id);
        if let Err(e) = self.auditor.record_durable(event).await {
            tracing::error!(error = %e, "recording SESSION_STARTED");
        }
        Ok((session, stop_rx))
    }

    /// Records the end, once: later calls for the same session do nothing.
    pub async fn end(&self, session: &LiveSession, reason: EndReason) {
        if session.ended.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Ok(mut live) = self.live.lock() {
            live.remove(&session.id);
            if live.is_empty() {
                self.emptied.notify_waiters();
            }
        }
        let mark_ended = |only_open: bool| {
            let mut update = terminal_session::Entity::update_many()
                .col_expr(
                    terminal_session::Column::EndedAt,
                    Expr::value(Some(crate::clock::now_utc())),
                )
                .col_expr(
                    terminal_session::Column::EndReason,
                    Expr::value(Some(reason.reason().code().to_owned())),
                )
                .filter(terminal_session::Column::Id.eq(session.id.clone()));
            if only_open {
                update = update.filter(terminal_session::Column::EndedAt.is_null());
            }
            update.exec(&self.db)
        };
        // A reaper may have ended it already (this server looked dead to a replica): then
        // its row gets the true end, and the log a correcting SESSION_ENDED.
        let corrects = match mark_ended(true).await {
            Ok(done) if done.rows_affected == 0 => {
                if let Err(e) = mark_ended(false).await {
                    tracing::error!(error = %e, session = %session.id, "correcting the session end");
                }
                tracing::warn!(session = %session.id, "session was ended by a reaper while live; recording its true end");
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::error!(error = %e, session = %session.id, "recording the session end");
                false
            }
        };
        let correction = if corrects {
            "; corrects an earlier end recorded while this server seemed down"
        } else {
            ""
        };
        let detail = format!(
            "{}; {} bytes in, {} bytes out{correction}",
            ended_detail(
                session.kind,
                &session.device_name,
                &session.endpoint,
                reason,
                &duration_text(session.started.elapsed().as_secs())
            ),
            session.bytes_in.load(Ordering::Relaxed),
            session.bytes_out.load(Ordering::Relaxed),
        );
        let event = AuditEvent::new(
            session.username.clone(),
            session.kind.ended_action(),
            detail,
        )
        .reason(reason.reason())
        .ip(session.client_ip)
        .device(session.device_id)
        .session(session.id.clone());
        if let Err(e) = self.auditor.record_durable(event).await {
            tracing::error!(error = %e, "recording SESSION_ENDED");
        }
    }

    /// Asks every live session of `username` to end with `reason`.
    pub fn stop_user(&self, username: &str, reason: EndReason) {
        for session in self.snapshot() {
            if session.username == username {
                let _ = session.stop.send(Some(reason));
            }
        }
    }

    /// Asks `username`'s live sessions that started before `before` (database clock) to end:
    /// a revocation must not end a session opened after it.
    pub fn stop_user_started_before(
        &self,
        username: &str,
        reason: EndReason,
        before: time::OffsetDateTime,
    ) {
        for session in self.snapshot() {
            if session.username == username && session.started_db < before {
                let _ = session.stop.send(Some(reason));
            }
        }
    }

    /// The web sessions live terminals were opened from, and those with input since the
    /// last call (the flags are cleared).
    pub fn web_sessions_in_use(&self) -> (Vec<i64>, Vec<i64>) {
        let mut all = Vec::new();
        let mut typed = Vec::new();
        for session in self.snapshot() {
            all.push(session.web_session_id);
            if session.typed.swap(false, Ordering::Relaxed) {
                typed.push(session.web_session_id);
            }
        }
        all.sort_unstable();
        all.dedup();
        typed.sort_unstable();
        typed.dedup();
        (all, typed)
    }

    /// Each user and device with a live session here, without repeats.
    pub fn devices_in_use(&self) -> Vec<(String, i64)> {
        let mut pairs: Vec<(String, i64)> = self
            .snapshot()
            .iter()
            .map(|s| (s.username.clone(), s.device_id))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Ends `username`'s live sessions on `device_id` with `reason`, unless another end was
    /// already asked for (its reason stands); returns how many were newly asked to end.
    pub fn stop_user_device(&self, username: &str, device_id: i64, reason: EndReason) -> usize {
        let mut stopped = 0;
        for session in self.snapshot() {
            if session.username == username
                && session.device_id == device_id
                && session.stop_with(reason)
            {
                stopped += 1;
            }
        }
        stopped
    }

    /// Ends the terminals opened from the web sessions `ended` (only those: a terminal
    /// opened meanwhile from another session is not touched), unless already ending for
    /// another reason (a logout's reason is kept).
    pub fn stop_web_sessions(&self, ended: &[i64]) -> usize {
        let mut stopped = 0;
        for session in self.snapshot() {
            if ended.contains(&session.web_session_id) {
                session.stop_with(EndReason::WebSessionEnded);
                stopped += 1;
            }
        }
        stopped
    }

    /// Ends every live session (asking their tasks first, then directly after `grace`).
    pub async fn shutdown(&self, grace: Duration) {
        let sessions = self.snapshot();
        for session in &sessions {
            let _ = session.stop.send(Some(EndReason::ServerShutdown));
        }
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            // Created before the check, so an end between the two still wakes it.
            let emptied = self.emptied.notified();
            if self.count() == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, emptied).await.is_err() {
                break;
            }
        }
        for session in self.snapshot() {
            self.end(&session, EndReason::ServerShutdown).await;
        }
    }
}

/// The start of every SESSION_ENDED detail: "Ended session with NAME (host:port): REASON;
/// lasted DURATION" ("Ended file session …" for SFTP).
pub(super) fn ended_detail(
    kind: SessionKind,
    device: &str,
    endpoint: &str,
    reason: EndReason,
    lasted: &str,
) -> String {
    format!(
        "Ended {} with {device} ({endpoint}): {reason}; lasted {lasted}",
        kind.noun()
    )
}

/// "1h 02m 03s", "4m 05s", "7s".
pub fn duration_text(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m {s:02}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(7), "7s");
        assert_eq!(duration_text(245), "4m 05s");
        assert_eq!(duration_text(3723), "1h 02m 03s");
    }
}
