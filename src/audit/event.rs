use std::net::IpAddr;

use time::OffsetDateTime;

use crate::models::{AuditAction, AuditOutcome, AuditReason};

/// An event to record. The writer gives it an id and a place in the hash chain.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub ts: OffsetDateTime,
    pub username: String,
    pub action: AuditAction,
    pub source_ip: Option<IpAddr>,
    pub detail: String,
    pub device_id: Option<i64>,
    pub session_id: Option<String>,
    pub outcome: Option<AuditOutcome>,
    pub reason: Option<AuditReason>,
    /// AUDIT_PRUNED: the hash of the newest deleted row.
    pub checkpoint: Option<String>,
    /// AUDIT_SEAL: the HMAC over the sealed head.
    pub seal: Option<String>,
}

impl AuditEvent {
    /// A new event stamped now (UTC). `detail` is for humans and must never hold a secret.
    pub fn new(
        username: impl Into<String>,
        action: AuditAction,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            ts: OffsetDateTime::now_utc(),
            username: username.into(),
            action,
            source_ip: None,
            detail: detail.into(),
            device_id: None,
            session_id: None,
            outcome: None,
            reason: None,
            checkpoint: None,
            seal: None,
        }
    }

    pub fn reason(mut self, reason: AuditReason) -> Self {
        self.reason = Some(reason);
        self
    }

    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.source_ip = Some(ip);
        self
    }

    pub fn outcome(mut self, outcome: AuditOutcome) -> Self {
        self.outcome = Some(outcome);
        self
    }

    pub fn device(mut self, device_id: i64) -> Self {
        self.device_id = Some(device_id);
        self
    }

    pub fn session(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }
}

/// Who did something, and from where. Services that change state take one and audit with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub ip: IpAddr,
}

impl Actor {
    pub fn new(username: impl Into<String>, ip: IpAddr) -> Self {
        Self {
            username: username.into(),
            ip,
        }
    }

    /// An event by this actor, from this actor's address.
    pub fn event(&self, action: AuditAction, detail: impl Into<String>) -> AuditEvent {
        AuditEvent::new(self.username.clone(), action, detail).ip(self.ip)
    }
}

/// Microseconds since the epoch; the storage form of timestamps in `audit_log`.
pub fn to_micros(ts: OffsetDateTime) -> i64 {
    (ts.unix_timestamp_nanos() / 1_000) as i64
}

pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
