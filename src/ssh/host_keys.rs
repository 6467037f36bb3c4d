//! Host keys, trusted on first use: one stored key per host and port. A later connection
//! must present the same key or it is refused. Learning, refusing and forgetting are audited.

use russh::keys::ssh_key::{HashAlg, PublicKey};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
};
use time::OffsetDateTime;

use crate::audit::{Actor, AuditError, Auditor};
use crate::db::entities::host_key;
use crate::models::{AuditAction, AuditOutcome, HostKeyView};

/// A host key as the policy compares it: algorithm name and SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey {
    pub algorithm: String,
    pub fingerprint: String,
}

impl PresentedKey {
    pub fn from_public_key(key: &PublicKey) -> Self {
        Self {
            algorithm: key.algorithm().as_str().to_owned(),
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        }
    }
}

impl std::fmt::Display for PresentedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.algorithm, self.fingerprint)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKeyVerdict {
    /// First contact: the key is now stored.
    Learned,
    /// The stored key was presented again.
    Matched,
}

#[derive(Debug, thiserror::Error)]
pub enum HostKeyError {
    /// The text is what the terminal shows the user.
    #[error(
        "The host key of {endpoint} has changed. Stored: {stored}. Presented: {presented}. \
         Someone may be intercepting the connection; if the device was reinstalled, \
         an admin can forget the stored key in the device's settings."
    )]
    Mismatch {
        endpoint: String,
        stored: PresentedKey,
        presented: PresentedKey,
    },
    #[error("host key store: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// The one spelling of an endpoint's host: lower case, no IPv6 brackets, no trailing dot.
pub fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

/// `host:port`, with IPv6 addresses in brackets.
pub fn endpoint(host: &str, port: u32) -> String {
    let host = normalize_host(host);
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[derive(Clone)]
pub struct HostKeyStore {
    db: DatabaseConnection,
    auditor: Auditor,
}

impl HostKeyStore {
    pub fn new(db: DatabaseConnection, auditor: Auditor) -> Self {
        Self { db, auditor }
    }

    async fn find(&self, host: &str, port: u32) -> Result<Option<host_key::Model>, DbErr> {
        host_key::Entity::find()
            .filter(host_key::Column::Host.eq(normalize_host(host)))
            .filter(host_key::Column::Port.eq(port as i32))
            .one(&self.db)
            .await
    }

    /// The stored key for an endpoint, if one was learned.
    pub async fn lookup(&self, host: &str, port: u32) -> Result<Option<HostKeyView>, DbErr> {
        Ok(self.find(host, port).await?.map(view))
    }

    /// The policy check made while connecting: learn on first use, then insist on the same key.
    /// `device_id` ties the audit entry to the device being connected.
    pub async fn check(
        &self,
        actor: &Actor,
        device_id: Option<i64>,
        host: &str,
        port: u32,
        presented: &PresentedKey,
    ) -> Result<HostKeyVerdict, HostKeyError> {
        let stored = match self.find(host, port).await? {
            Some(stored) => stored,
            None => match self.learn(host, port, presented).await? {
                // Stored by us: record it durably before the connection goes on.
                None => {
                    let event = actor.event(
                        AuditAction::HostKeyLearned,
                        format!("Learned host key of {}: {presented}", endpoint(host, port)),
                    );
                    self.auditor
                        .record_durable(with_device(event, device_id))
                        .await?;
                    return Ok(HostKeyVerdict::Learned);
                }
                // Another connection stored one first; compare against it.
                Some(stored) => stored,
            },
        };
        let stored_key = PresentedKey {
            algorithm: stored.algorithm,
            fingerprint: stored.fingerprint,
        };
        if &stored_key == presented {
            return Ok(HostKeyVerdict::Matched);
        }
        let event = actor
            .event(
                AuditAction::HostKeyMismatch,
                format!(
                    "Refused {}: host key changed from {stored_key} to {presented}",
                    endpoint(host, port)
                ),
            )
            .reason(crate::models::AuditReason::HostKeyMismatch)
            .outcome(AuditOutcome::Failure);
        self.auditor
            .record_durable(with_device(event, device_id))
            .await?;
        Err(HostKeyError::Mismatch {
            endpoint: endpoint(host, port),
            stored: stored_key,
            presented: presented.clone(),
        })
    }

    /// Inserts the key; if a concurrent first contact won the race, returns its row instead.
    async fn learn(
        &self,
        host: &str,
        port: u32,
        presented: &PresentedKey,
    ) -> Result<Option<host_key::Model>, DbErr> {
        let row = host_key::ActiveModel {
            host: Set(normalize_host(host)),
            port: Set(port as i32),
            algorithm: Set(presented.algorithm.clone()),
            fingerprint: Set(presented.fingerprint.clone()),
            learned_at: Set(OffsetDateTime::now_utc()),
            ..Default::default()
        };
        match row.insert(&self.db).await {
            Ok(_) => Ok(None),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                self.find(host, port).await
            }
            Err(e) => Err(e),
        }
    }

    /// Forgets the endpoint's key so the next connection learns it anew. `device_name` is for
    /// the audit detail. Returns what was forgotten, or `None` if nothing was stored.
    pub async fn forget(
        &self,
        actor: &Actor,
        device_id: Option<i64>,
        device_name: &str,
        host: &str,
        port: u32,
    ) -> Result<Option<HostKeyView>, HostKeyError> {
        let Some(stored) = self.find(host, port).await? else {
            return Ok(None);
        };
        host_key::Entity::delete_by_id(stored.id)
            .exec(&self.db)
            .await?;
        let forgotten = view(stored);
        let event = actor.event(
            AuditAction::HostKeyForgotten,
            format!(
                "Forgot host key of {device_name} ({}): {} {}",
                endpoint(host, port),
                forgotten.algorithm,
                forgotten.fingerprint
            ),
        );
        self.auditor
            .record_durable(with_device(event, device_id))
            .await?;
        Ok(Some(forgotten))
    }
}

fn with_device(
    event: crate::audit::AuditEvent,
    device_id: Option<i64>,
) -> crate::audit::AuditEvent {
    match device_id {
        Some(id) => event.device(id),
        None => event,
    }
}

fn view(row: host_key::Model) -> HostKeyView {
    HostKeyView {
        host: row.host,
        port: row.port.max(0) as u32,
        algorithm: row.algorithm,
        fingerprint: row.fingerprint,
        learned_at: row.learned_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_spelled_one_way() {
        assert_eq!(normalize_host(" Web01.Example.ORG. "), "web01.example.org");
        assert_eq!(normalize_host("[2001:DB8::1]"), "2001:db8::1");
        assert_eq!(endpoint("[2001:db8::1]", 22), "[2001:db8::1]:22");
        assert_eq!(endpoint("10.0.0.5", 2222), "10.0.0.5:2222");
    }
}
