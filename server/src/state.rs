use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use cloudshell::audit::Auditor;
use cloudshell::auth::AuthService;
use cloudshell::client_ip::{Cidr, ClientIpHeader};
use cloudshell::devices::DeviceService;
use cloudshell::origin::Origin;
use cloudshell::terminal::SessionRegistry;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Everything a request handler may need. Cheap to clone: every field is a handle.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub auth: AuthService,
    pub auditor: Auditor,
    /// The device inventory; it holds the vault, whose key comes from SECRET_KEY.
    pub devices: DeviceService,
    /// Live terminal sessions, and the record of their starts and ends.
    pub terminals: SessionRegistry,
    /// SESSION_IDLE_TIMEOUT_MINUTES, if set.
    pub session_idle_timeout: Option<std::time::Duration>,
    /// AUDIT_RETENTION_DAYS (0 keeps everything).
    pub audit_retention_days: u32,
    pub started_at: Instant,
    /// TRUSTED_PROXIES: peers whose forwarding header is believed.
    pub trusted_proxies: Arc<[Cidr]>,
    /// CLIENT_IP_HEADER: the one header the client address is read from behind them.
    pub client_ip_header: ClientIpHeader,
    /// How long a non-WebSocket request may take (edge::REQUEST_TIMEOUT).
    pub request_timeout: std::time::Duration,
    /// No PUBLIC_URL and a loopback LISTEN_ADDR: `Host` must be a loopback name.
    pub loopback_hosts_only: bool,
    /// PUBLIC_URL: the origin browsers use, if configured.
    pub public_url: Option<Arc<Origin>>,
    /// Seals the audit log's head with the key derived from SECRET_KEY.
    pub sealer: crate::sealing::Sealer,
    /// Checks the audit chain incrementally; concurrent callers share a run.
    pub verifier: Arc<cloudshell::audit::verify::Verifier>,
    /// "End this user's terminals" for every replica.
    pub revocations: cloudshell::terminal::Revocations,
    /// The lock on DATA_DIR/node.lock, held while this server runs (see `node`).
    pub node_lock: Option<Arc<std::fs::File>>,
    /// MAX_TERMINALS_PER_USER and MAX_TERMINALS.
    pub terminal_limits: cloudshell::terminal::limits::TerminalLimits,
    /// DEVICE_ALLOW_CIDRS and DEVICE_DENY_CIDRS, checked on each address connected to.
    pub destinations: Arc<cloudshell::ssh::destination::DestinationPolicy>,
    /// Open file-manager (SFTP) sessions.
    pub files: cloudshell::files::FileSessions,
    /// SFTP_MAX_UPLOAD_MB, in bytes.
    pub sftp_max_upload_bytes: u64,
    /// Which devices a user may use, and ACCESS_DENIED records.
    pub permissions: cloudshell::permissions::Permissions,
    /// Users and access groups, as admins manage them.
    pub users: cloudshell::users::UserService,
    /// `/sw.js`, built at startup from the site's files (see `pwa`).
    pub service_worker: Arc<str>,
}
