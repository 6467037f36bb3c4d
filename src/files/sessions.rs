//! Open file-manager sessions: one SSH connection with the SFTP subsystem per tab, owned by
//! a user and the web session it was opened from. Each is registered with the terminal
//! registry (kind `sftp`), so logout, password change, web-session end, shutdown and crash
//! recovery end it the same way, and it ends after `idle` without use.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh_sftp::client::SftpSession;

use crate::audit::{Actor, AuditEvent, Auditor};
use crate::devices::{DeviceError, DeviceService};
use crate::models::files::FileError;
use crate::models::{AuditAction, AuditOutcome, DeviceView};
use crate::ssh::client::{self, ConnectOptions, SshError, Verifier};
use crate::ssh::destination::DestinationPolicy;
use crate::terminal::limits::{LimitError, Slot, TerminalLimits};
use crate::terminal::{EndReason, LiveSession, SessionKind, SessionRegistry, StopSignal};

/// How long one SFTP request may take before the connection counts as lost.
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// Transfers (downloads, archives, uploads) one session runs at once.
pub const MAX_TRANSFERS: usize = 4;
/// How long a closing session waits for its transfers to clean up (an abandoned upload
/// removes its temporary file) before the connection goes.
const DRAIN_WAIT: Duration = Duration::from_secs(10);

/// Why a file session could not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no such device")]
    NoDevice,
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error(transparent)]
    Ssh(#[from] SshError),
    #[error("The device does not offer SFTP (its sshd has no sftp subsystem).")]
    NoSftp,
    #[error("internal error")]
    Internal,
}

/// One open file manager.
pub struct FileSession {
    pub live: Arc<LiveSession>,
    pub sftp: SftpSession,
    pub device: DeviceView,
    pub home: String,
    pub actor: Actor,
    /// Kept so the connection lives as long as the session.
    ssh: russh::client::Handle<Verifier>,
    web_session_id: i64,
    /// Milliseconds after `opened` of the last use.
    last_used_ms: AtomicU64,
    opened: Instant,
    /// Transfers running now: a session is never idle during one.
    transfers: AtomicUsize,
    /// Told when the last running transfer ends.
    drained: tokio::sync::Notify,
    _slot: Slot,
}

impl FileSession {
    pub fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_used_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_used_ms.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }

    /// Marks a transfer as running until the guard drops, unless `MAX_TRANSFERS` already
    /// run in this session.
    pub fn try_transfer(self: &Arc<Self>) -> Result<TransferGuard, FileError> {
        let guard = self.transfer();
        if self.transfers.load(Ordering::Relaxed) > MAX_TRANSFERS {
            return Err(FileError::Busy);
        }
        Ok(guard)
    }

    /// Marks work as running until the guard drops (the session is not idle meanwhile).
    pub fn transfer(self: &Arc<Self>) -> TransferGuard {
        self.transfers.fetch_add(1, Ordering::Relaxed);
        self.touch();
        TransferGuard(self.clone())
    }

    /// An audit event about this session's device, from its user and address.
    pub fn event(&self, action: AuditAction, detail: String) -> AuditEvent {
        self.actor
            .event(action, detail)
            .device(self.device.id)
            .session(self.live.id.clone())
    }

    /// The same, for a failure with its reason.
    pub fn failure(&self, action: AuditAction, detail: String, error: &FileError) -> AuditEvent {
        self.event(
            action,
            format!("{detail} failed: {}", error.reason().text()),
        )
        .outcome(AuditOutcome::Failure)
        .reason(error.reason())
    }
}

pub struct TransferGuard(Arc<FileSession>);

impl Drop for TransferGuard {
    fn drop(&mut self) {
        self.0.touch();
        if self.0.transfers.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.0.drained.notify_waiters();
        }
    }
}

/// The parts of the server a file session is opened with.
#[derive(Clone)]
pub struct FileSessions {
    devices: DeviceService,
    registry: SessionRegistry,
    limits: TerminalLimits,
    destinations: Arc<DestinationPolicy>,
    auditor: Auditor,
    idle: Duration,
    open: Arc<Mutex<HashMap<String, Arc<FileSession>>>>,
}

impl FileSessions {
    pub fn new(
        devices: DeviceService,
        registry: SessionRegistry,
        limits: TerminalLimits,
        destinations: Arc<DestinationPolicy>,
        auditor: Auditor,
        idle: Duration,
    ) -> Self {
        Self {
            devices,
            registry,
            limits,
            destinations,
            auditor,
            idle,
            open: Arc::default(),
        }
    }

    /// The same sessions with another idle limit (tests use a short one).
    pub fn with_idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Connects to the device with its stored credentials (host-key and destination policy
    /// as for a terminal), starts SFTP and records SFTP_SESSION_STARTED. A refused attempt
    /// is audited as SESSION_FAILED with its reason.
    pub async fn open(
        &self,
        actor: &Actor,
        web_session_id: i64,
        device_id: i64,
    ) -> Result<Arc<FileSession>, OpenError> {
        // A place is taken before any expensive work.
        let slot = match self.limits.take(&actor.username) {
            Ok(slot) => slot,
            Err(limit) => {
                let error = OpenError::Limit(limit);
                self.failed(actor, device_id, None, &error).await;
                return Err(error);
            }
        };
        let (device, credentials) = match self.devices.credentials(device_id).await {
            Ok(found) => found,
            Err(DeviceError::NotFound) => return Err(OpenError::NoDevice),
            Err(DeviceError::Vault(_)) => {
                let error = OpenError::Ssh(SshError::Decrypt);
                self.failed(actor, device_id, None, &error).await;
                return Err(error);
            }
            Err(e) => {
                tracing::error!(error = %e, "loading device credentials");
                return Err(OpenError::Internal);
            }
        };
        let connected = client::connect(
            &device,
            &credentials,
            self.devices.host_keys(),
            actor,
            &self.destinations,
            ConnectOptions::default(),
        )
        .await;
        drop(credentials);
        let ssh = match connected {
            Ok(ssh) => ssh,
            Err(e) => {
                tracing::info!(error = ?e, device = device_id, "file session connection failed");
                let error = OpenError::Ssh(e);
                self.failed(actor, device_id, Some(&device), &error).await;
                return Err(error);
            }
        };
        let (sftp, home) = match start_sftp(&ssh.handle).await {
            Ok(started) => started,
            Err(error) => {
                self.failed(actor, device_id, Some(&device), &error).await;
                return Err(error);
            }
        };
        let (live, stop) = self
            .registry
            .start_kind(actor, web_session_id, &device, SessionKind::Sftp)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "recording the file session start");
                OpenError::Internal
            })?;
        let session = Arc::new(FileSession {
            live,
            sftp,
            device,
            home,
            actor: actor.clone(),
            ssh: ssh.handle,
            web_session_id,
            last_used_ms: AtomicU64::new(0),
            opened: Instant::now(),
            transfers: AtomicUsize::new(0),
            drained: tokio::sync::Notify::new(),
            _slot: slot,
        });
        if let Ok(mut open) = self.open.lock() {
            open.insert(session.live.id.clone(), session.clone());
        }
        tokio::spawn(self.clone().watch(session.clone(), stop));
        Ok(session)
    }

    /// The session `id`, if it belongs to this user and web session; anything else is the
    /// same "not found".
    pub fn get(&self, id: &str, username: &str, web_session_id: i64) -> Option<Arc<FileSession>> {
        let open = self.open.lock().ok()?;
        let session = open.get(id)?;
        (session.actor.username == username && session.web_session_id == web_session_id)
            .then(|| session.clone())
    }

    /// Closes the session at the user's request (the tab was closed).
    pub fn close(&self, session: &FileSession) {
        session.live.stop_with(EndReason::TabClosed);
    }

    /// Ends the session when it is told to (logout, password change, web-session end,
    /// shutdown, tab closed), when its connection drops, or after `idle` without use.
    async fn watch(self, session: Arc<FileSession>, mut stop: StopSignal) {
        let check_every =
            (self.idle / 4).clamp(Duration::from_millis(200), Duration::from_secs(30));
        let reason = loop {
            tokio::select! {
                changed = stop.changed() => {
                    break match changed {
                        Ok(()) => (*stop.borrow()).unwrap_or(EndReason::ServerShutdown),
                        Err(_) => EndReason::ServerShutdown,
                    };
                }
                () = tokio::time::sleep(check_every) => {
                    if session.ssh.is_closed() {
                        break EndReason::SshClosed;
                    }
                    if session.transfers.load(Ordering::Relaxed) == 0
                        && session.idle_for() >= self.idle
                    {
                        break EndReason::IdleTimeout;
                    }
                }
            }
        };
        if let Ok(mut open) = self.open.lock() {
            open.remove(&session.live.id);
        }
        // Running transfers get a moment to finish, unless access itself was taken away:
        // then closing the connection below cuts them at once.
        if reason != EndReason::SshClosed && !reason.revokes_access() {
            let drained = async {
                loop {
                    let notified = session.drained.notified();
                    if session.transfers.load(Ordering::Relaxed) == 0 {
                        break;
                    }
                    notified.await;
                }
            };
            let _ = tokio::time::timeout(DRAIN_WAIT, drained).await;
        }
        let _ = session.sftp.close().await;
        let _ = session
            .ssh
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
        self.registry.end(&session.live, reason).await;
    }

    async fn failed(
        &self,
        actor: &Actor,
        device_id: i64,
        device: Option<&DeviceView>,
        error: &OpenError,
    ) {
        let reason = match error {
            OpenError::Limit(_) => crate::models::AuditReason::TooManySessions,
            OpenError::Ssh(e) => e.kind().audit_reason(),
            _ => crate::models::AuditReason::Internal,
        };
        let event = SessionKind::Sftp.failed_event(actor, device_id, device, reason);
        if let Err(e) = self.auditor.record_durable(event).await {
            tracing::error!(error = %e, "recording SESSION_FAILED");
        }
    }
}

/// Opens the `sftp` subsystem on a new channel and finds the home folder.
async fn start_sftp(
    handle: &russh::client::Handle<Verifier>,
) -> Result<(SftpSession, String), OpenError> {
    let channel = handle
        .channel_open_session()
        .await
        .map_err(|e| OpenError::Ssh(SshError::Protocol(e)))?;
    if let Err(e) = channel.request_subsystem(false, "sftp").await {
        tracing::info!(error = %e, "sftp subsystem refused");
        return Err(OpenError::NoSftp);
    }
    // As many requests in flight as OpenSSH's own sftp keeps (64 of 32 KiB): with fewer,
    // an upload waits on the device's acknowledgements instead of sending.
    let config = russh_sftp::client::Config {
        request_timeout_secs: REQUEST_TIMEOUT_SECS,
        max_concurrent_reads: 64,
        max_concurrent_writes: 64,
        ..Default::default()
    };
    let sftp = SftpSession::new_with_config(channel.into_stream(), config)
        .await
        .map_err(|e| {
            tracing::info!(error = %e, "sftp start failed");
            OpenError::NoSftp
        })?;
    let home = sftp.canonicalize(".").await.map_err(|e| {
        tracing::info!(error = %e, "sftp home lookup failed");
        OpenError::NoSftp
    })?;
    Ok((sftp, home))
}
